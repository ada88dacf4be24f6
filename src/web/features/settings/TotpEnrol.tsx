import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../app/api.js';
import { useErrorText } from '../../app/errors.js';
import { Alert, Button, TextField } from '../../ui/index.js';
import { RecoveryCodes } from './RecoveryCodes.js';

interface TotpSetup {
  secret: string;
  otpauthUrl: string;
  qrSvg: string;
}

/** Groups the secret in fours so it can be typed by hand. */
function grouped(secret: string): string {
  return secret.replace(/(.{4})/g, '$1 ').trim();
}

/**
 * Authenticator-app enrolment: QR code (server SVG shown as an image, so none of its markup
 * reaches the page) and the secret for manual entry, a first code, then the recovery codes.
 */
export function TotpEnrol({ onDone, onCancel }: { onDone: () => void; onCancel?: () => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [setup, setSetup] = useState<TotpSetup | null>(null);
  const [code, setCode] = useState('');
  const [codes, setCodes] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const start = async () => {
    setError(null);
    setBusy(true);
    try {
      setSetup(await api.post<TotpSetup>('/api/me/totp/setup'));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const enable = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const r = await api.post<{ recoveryCodes: string[] }>('/api/me/totp/enable', { code: code.replace(/\s+/g, '') });
      setCodes(r.recoveryCodes);
    } catch (err) {
      setError(err instanceof ApiError && err.code === 'invalid_code' ? t('totp.invalidCode') : errorText(err));
      setCode('');
    } finally {
      setBusy(false);
    }
  };

  if (codes) return <RecoveryCodes codes={codes} onDone={onDone} />;
  if (!setup) {
    return (
      <div className="stack">
        {error ? <Alert kind="error">{error}</Alert> : null}
        <div className="row">
          <Button variant="primary" busy={busy} onClick={() => void start()}>
            {t('totp.start')}
          </Button>
          {onCancel ? <Button onClick={onCancel}>{t('common.cancel')}</Button> : null}
        </div>
      </div>
    );
  }
  const qrSrc = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(setup.qrSvg)}`;
  return (
    <div className="totp-enrol">
      <ol className="steps">
        <li>
          <p>{t('totp.step1')}</p>
          <div className="qr-box">
            <img src={qrSrc} alt={t('totp.qrAlt')} width={192} height={192} className="qr" />
          </div>
          <p className="field-hint">{t('totp.manual')}</p>
          <p>
            <code className="secret" data-testid="totp-secret" data-secret={setup.secret}>
              {grouped(setup.secret)}
            </code>
          </p>
        </li>
        <li>
          <form onSubmit={enable}>
            {error ? <Alert kind="error">{error}</Alert> : null}
            <TextField label={t('totp.codeLabel')} hint={t('totp.codeHint')} name="totpCode" inputMode="numeric" autoComplete="one-time-code" required value={code} onChange={(e) => setCode(e.target.value)} />
            <div className="row">
              <Button type="submit" variant="primary" busy={busy}>
                {t('totp.enable')}
              </Button>
              {onCancel ? <Button onClick={onCancel}>{t('common.cancel')}</Button> : null}
            </div>
          </form>
        </li>
      </ol>
    </div>
  );
}
