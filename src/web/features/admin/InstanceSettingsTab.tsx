import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../app/api.js';
import { useErrorText } from '../../app/errors.js';
import type { InstanceSettings } from '../../app/types.js';
import { isLanguage, LANGUAGES, LANGUAGE_NAMES } from '../../i18n/index.js';
import { Alert, Button, PageLoading, SelectField, TextField } from '../../ui/index.js';

export function InstanceSettingsTab() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [form, setForm] = useState<{ instanceName: string; defaultLanguage: string; passwordMinLength: string } | null>(null);
  const [status, setStatus] = useState<{ kind: 'error' | 'success'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const adopt = (s: InstanceSettings) => setForm({ instanceName: s.instanceName ?? '', defaultLanguage: s.defaultLanguage ?? 'en', passwordMinLength: String(s.passwordMinLength ?? 10) });
  useEffect(() => {
    api
      .get<InstanceSettings>('/api/admin/settings')
      .then(adopt)
      .catch((e: unknown) => setStatus({ kind: 'error', text: errorText(e) }));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!form) return;
    setStatus(null);
    setBusy(true);
    try {
      const body: InstanceSettings = { instanceName: form.instanceName.trim(), passwordMinLength: Number(form.passwordMinLength) };
      if (isLanguage(form.defaultLanguage)) body.defaultLanguage = form.defaultLanguage;
      adopt(await api.patch<InstanceSettings>('/api/admin/settings', body));
      setStatus({ kind: 'success', text: t('common.saved') });
    } catch (err) {
      setStatus({ kind: 'error', text: errorText(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="inst-h" className="section">
      <h2 id="inst-h">{t('instance.title')}</h2>
      {status ? <Alert kind={status.kind}>{status.text}</Alert> : null}
      {!form ? (
        status ? null : <PageLoading />
      ) : (
        <form onSubmit={save} className="form-narrow">
          <TextField label={t('instance.name')} hint={t('instance.nameHint')} required maxLength={100} value={form.instanceName} onChange={(e) => setForm({ ...form, instanceName: e.target.value })} />
          <SelectField label={t('instance.defaultLanguage')} value={form.defaultLanguage} onChange={(e) => setForm({ ...form, defaultLanguage: e.target.value })}>
            {LANGUAGES.map((l) => (
              <option key={l} value={l} lang={l}>
                {LANGUAGE_NAMES[l]}
              </option>
            ))}
          </SelectField>
          <TextField label={t('instance.passwordMinLength')} type="number" min={8} max={128} required value={form.passwordMinLength} onChange={(e) => setForm({ ...form, passwordMinLength: e.target.value })} />
          <Button type="submit" variant="primary" busy={busy}>
            {t('common.save')}
          </Button>
        </form>
      )}
    </section>
  );
}
