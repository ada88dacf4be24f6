import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../app/api.js';
import { useErrorText } from '../../app/errors.js';
import { useSession, useUser } from '../../app/session.js';
import type { UserView } from '../../app/types.js';
import { Alert, Button, Dialog, TextField } from '../../ui/index.js';
import { IconCheck } from '../../ui/icons.js';
import { RecoveryCodes } from './RecoveryCodes.js';
import { SecurityKeys } from './SecurityKeys.js';
import { TotpEnrol } from './TotpEnrol.js';

/** Two-factor authentication: authenticator app, recovery codes, security keys. */
export function SecuritySection() {
  const { t } = useTranslation();
  const user = useUser();
  const { updateUser } = useSession();
  const errorText = useErrorText();
  const [enrolling, setEnrolling] = useState(false);
  const [prompt, setPrompt] = useState<'disable' | 'codes' | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const reload = async () => {
    try {
      updateUser(await api.get<UserView>('/api/me'));
    } catch (e) {
      setNotice(errorText(e));
    }
  };

  return (
    <div className="stack-lg">
      <section aria-labelledby="totp-h" className="section">
        <h2 id="totp-h">{t('totp.title')}</h2>
        <p>{t('totp.help')}</p>
        {user.mfaRequired ? <Alert kind="info">{t('totp.required')}</Alert> : null}
        {notice ? <Alert kind="success">{notice}</Alert> : null}
        {codes ? (
          <RecoveryCodes codes={codes} onDone={() => setCodes(null)} />
        ) : user.totpEnabled ? (
          <div className="stack">
            <p className="status-on">
              <IconCheck /> {t('totp.on')}
            </p>
            <div className="row">
              <Button onClick={() => setPrompt('codes')}>{t('recovery.regenerate')}</Button>
              <Button variant="danger" onClick={() => setPrompt('disable')}>
                {t('totp.disable')}
              </Button>
            </div>
          </div>
        ) : enrolling ? (
          <TotpEnrol
            onCancel={() => setEnrolling(false)}
            onDone={() => {
              setEnrolling(false);
              setNotice(t('totp.enabled'));
              void reload();
            }}
          />
        ) : (
          <div className="stack">
            <p>{t('totp.off')}</p>
            <div>
              <Button variant="primary" onClick={() => setEnrolling(true)}>
                {t('totp.setUp')}
              </Button>
            </div>
          </div>
        )}
      </section>
      <section aria-labelledby="keys-h" className="section">
        <h2 id="keys-h">{t('keys.title')}</h2>
        <p>{t('keys.help')}</p>
        <SecurityKeys onChange={() => void reload()} />
      </section>
      <PasswordPrompt
        open={prompt !== null}
        title={prompt === 'disable' ? t('totp.disableTitle') : t('recovery.regenerateTitle')}
        body={prompt === 'disable' ? t('totp.disableBody') : t('recovery.regenerateBody')}
        confirmLabel={prompt === 'disable' ? t('totp.disable') : t('recovery.regenerate')}
        danger={prompt === 'disable'}
        onClose={() => setPrompt(null)}
        onConfirm={async (password) => {
          if (prompt === 'disable') {
            await api.del('/api/me/totp', { password });
            setNotice(t('totp.disabled'));
            await reload();
          } else {
            const r = await api.post<{ recoveryCodes: string[] }>('/api/me/recovery-codes', { password });
            setCodes(r.recoveryCodes);
          }
          setPrompt(null);
        }}
      />
    </div>
  );
}

/** Asks for the account password before a sensitive change. */
export function PasswordPrompt({ open, title, body, confirmLabel, danger, onClose, onConfirm }: { open: boolean; title: string; body: string; confirmLabel: string; danger?: boolean; onClose: () => void; onConfirm: (password: string) => Promise<void> }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      await onConfirm(password);
      setPassword('');
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open={open}
      title={title}
      onClose={() => {
        setPassword('');
        setError(null);
        onClose();
      }}
    >
      <form onSubmit={submit} className="stack">
        <p>{body}</p>
        {error ? <Alert kind="error">{error}</Alert> : null}
        <TextField label={t('fields.password')} type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} autoFocus />
        <div className="row row-end">
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="submit" variant={danger ? 'danger' : 'primary'} busy={busy}>
            {confirmLabel}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
