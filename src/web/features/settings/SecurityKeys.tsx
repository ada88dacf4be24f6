import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { startRegistration, browserSupportsWebAuthn } from '@simplewebauthn/browser';
import { api, ApiError } from '../../app/api.js';
import { useErrorText } from '../../app/errors.js';
import { useFormat } from '../../app/format.js';
import { Alert, Button, Table, TextField } from '../../ui/index.js';

interface Credential {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/** WebAuthn security keys and passkeys: list, add (named), remove. */
export function SecurityKeys({ onChange, compact }: { onChange?: () => void; compact?: boolean }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const fmt = useFormat();
  const [creds, setCreds] = useState<Credential[] | null>(null);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const supported = browserSupportsWebAuthn();

  const load = useCallback(async () => {
    try {
      const r = await api.get<{ credentials: Credential[] }>('/api/me/webauthn');
      setCreds(r.credentials);
    } catch (e) {
      setError(errorText(e));
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  useEffect(() => {
    if (!compact) void load();
  }, [load, compact]);

  const add = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setNotice(null);
    setBusy(true);
    try {
      const optionsJSON = await api.post<Parameters<typeof startRegistration>[0]['optionsJSON']>('/api/me/webauthn/register/options');
      const response = await startRegistration({ optionsJSON });
      await api.post('/api/me/webauthn/register/verify', { name: name.trim() || t('keys.defaultName'), response });
      setName('');
      setNotice(t('keys.added'));
      if (!compact) await load();
      onChange?.();
    } catch (err) {
      setError(err instanceof ApiError ? errorText(err) : t('keys.failed'));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (c: Credential) => {
    setError(null);
    setNotice(null);
    try {
      await api.del(`/api/me/webauthn/${encodeURIComponent(c.id)}`);
      setNotice(t('keys.removed', { name: c.name }));
      await load();
      onChange?.();
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <div className="stack">
      {error ? <Alert kind="error">{error}</Alert> : null}
      {notice ? <Alert kind="success">{notice}</Alert> : null}
      {!compact && creds ? (
        <Table
          caption={t('keys.caption')}
          captionHidden
          rows={creds}
          rowKey={(c) => c.id}
          empty={t('keys.none')}
          columns={[
            { key: 'name', header: t('keys.name'), render: (c) => c.name },
            { key: 'created', header: t('common.created'), render: (c) => fmt.dateTime(c.createdAt) },
            { key: 'used', header: t('common.lastUsed'), render: (c) => fmt.dateTime(c.lastUsedAt) },
            {
              key: 'actions',
              header: <span className="visually-hidden">{t('common.actions')}</span>,
              className: 'cell-actions',
              render: (c) => (
                <Button size="small" variant="danger" onClick={() => void remove(c)} aria-label={t('keys.removeNamed', { name: c.name })}>
                  {t('common.remove')}
                </Button>
              ),
            },
          ]}
        />
      ) : null}
      {supported ? (
        <form onSubmit={add} className="inline-form">
          <TextField label={t('keys.name')} hint={t('keys.nameHint')} value={name} onChange={(e) => setName(e.target.value)} maxLength={64} />
          <Button type="submit" busy={busy}>
            {t('keys.add')}
          </Button>
        </form>
      ) : (
        <Alert kind="info">{t('keys.unsupported')}</Alert>
      )}
    </div>
  );
}
