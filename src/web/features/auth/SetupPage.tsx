import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../app/api.js';
import { useErrorText } from '../../app/errors.js';
import { Link, navigate, usePageTitle } from '../../app/router.js';
import { useSession } from '../../app/session.js';
import { AuthFrame } from '../../app/Shell.js';
import type { UserView } from '../../app/types.js';
import { Alert, Button, PageLoading, TextField } from '../../ui/index.js';

/** First run: the person holding the logged setup link creates the first administrator. */
export function SetupPage({ token }: { token: string }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const { applyLogin } = useSession();
  usePageTitle(t('setup.title'));
  const [needed, setNeeded] = useState<boolean | null>(null);
  const [form, setForm] = useState({ username: '', email: '', displayName: '', password: '', confirm: '' });
  const [error, setError] = useState<string | null>(null);
  const [mismatch, setMismatch] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api
      .get<{ needed: boolean }>('/api/setup')
      .then((r) => setNeeded(r.needed))
      .catch(() => setNeeded(true));
  }, []);

  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (form.password !== form.confirm) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    setBusy(true);
    try {
      const r = await api.post<{ user: UserView; csrfToken: string }>('/api/setup', {
        token,
        username: form.username.trim(),
        email: form.email.trim(),
        displayName: form.displayName.trim(),
        password: form.password,
      });
      applyLogin({ ...r, status: 'ok' });
      navigate('/', { replace: true });
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  if (needed === null) return <PageLoading />;
  return (
    <AuthFrame>
      <div className="card auth-card">
        <h1>{t('setup.title')}</h1>
        {!needed ? (
          <>
            <Alert kind="info">{t('setup.done')}</Alert>
            <p>
              <Link to="/login">{t('setup.goToLogin')}</Link>
            </p>
          </>
        ) : !token ? (
          <Alert kind="warning" title={t('setup.noToken')}>
            {t('setup.noTokenHelp')}
          </Alert>
        ) : (
          <>
            <p className="lead">{t('setup.intro')}</p>
            {error ? <Alert kind="error">{error}</Alert> : null}
            <form onSubmit={submit} noValidate={false}>
              <TextField label={t('fields.displayName')} name="displayName" autoComplete="name" required value={form.displayName} onChange={set('displayName')} />
              <TextField label={t('fields.username')} name="username" autoComplete="username" required hint={t('fields.usernameHint')} value={form.username} onChange={set('username')} pattern="[a-z0-9._\-]+" />
              <TextField label={t('fields.email')} name="email" type="email" autoComplete="email" required value={form.email} onChange={set('email')} />
              <TextField label={t('fields.password')} name="password" type="password" autoComplete="new-password" required minLength={10} hint={t('fields.passwordHint')} value={form.password} onChange={set('password')} />
              <TextField
                label={t('fields.confirmPassword')}
                name="confirm"
                type="password"
                autoComplete="new-password"
                required
                value={form.confirm}
                onChange={set('confirm')}
                error={mismatch ? t('fields.passwordMismatch') : null}
              />
              <Button type="submit" variant="primary" busy={busy} className="btn-block">
                {t('setup.submit')}
              </Button>
            </form>
          </>
        )}
      </div>
    </AuthFrame>
  );
}
