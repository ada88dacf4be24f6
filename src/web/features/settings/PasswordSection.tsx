import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../app/api.js';
import { useErrorText } from '../../app/errors.js';
import { Alert, Button, TextField } from '../../ui/index.js';

export function PasswordSection() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [form, setForm] = useState({ current: '', next: '', confirm: '' });
  const [status, setStatus] = useState<{ kind: 'error' | 'success'; text: string } | null>(null);
  const [mismatch, setMismatch] = useState(false);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setStatus(null);
    if (form.next !== form.confirm) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    setBusy(true);
    try {
      await api.post('/api/me/password', { currentPassword: form.current, newPassword: form.next });
      setForm({ current: '', next: '', confirm: '' });
      setStatus({ kind: 'success', text: t('password.changed') });
    } catch (err) {
      const text = err instanceof ApiError && (err.code === 'invalid_credentials' || err.code === 'invalid_password') ? t('password.wrongCurrent') : errorText(err);
      setStatus({ kind: 'error', text });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="password-h" className="section">
      <h2 id="password-h">{t('password.title')}</h2>
      <p>{t('password.help')}</p>
      {status ? <Alert kind={status.kind}>{status.text}</Alert> : null}
      <form onSubmit={submit}>
        <TextField label={t('password.current')} type="password" autoComplete="current-password" required value={form.current} onChange={set('current')} />
        <TextField label={t('password.new')} type="password" autoComplete="new-password" required minLength={10} hint={t('fields.passwordHint')} value={form.next} onChange={set('next')} />
        <TextField label={t('fields.confirmPassword')} type="password" autoComplete="new-password" required value={form.confirm} onChange={set('confirm')} error={mismatch ? t('fields.passwordMismatch') : null} />
        <Button type="submit" variant="primary" busy={busy}>
          {t('password.submit')}
        </Button>
      </form>
    </section>
  );
}
