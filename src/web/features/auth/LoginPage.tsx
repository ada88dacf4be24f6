import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { startAuthentication } from '@simplewebauthn/browser';
import { api, ApiError } from '../../app/api.js';
import { useErrorText } from '../../app/errors.js';
import { useFormat } from '../../app/format.js';
import { Redirect, safeNext, usePageTitle } from '../../app/router.js';
import { useSession } from '../../app/session.js';
import { AuthFrame } from '../../app/Shell.js';
import type { LoginAnswer, MfaMethod, UserView } from '../../app/types.js';
import { Alert, Button, PageLoading, TextField } from '../../ui/index.js';
import { IconKey } from '../../ui/icons.js';

/** Sign-in: password first, then the second factor when the account has one. */
export function LoginPage({ next }: { next: string | null }) {
  const { t } = useTranslation();
  const { state } = useSession();
  const [methods, setMethods] = useState<MfaMethod[] | null>(null);
  usePageTitle(t('login.title'));

  if (state.status === 'loading') return <PageLoading />;
  if (state.status === 'signedIn' && !state.session.mfaPending) return <Redirect to={safeNext(next)} />;
  const pending = state.status === 'signedIn' && state.session.mfaPending;
  const user = state.status === 'signedIn' ? state.session.user : null;
  return (
    <AuthFrame>
      <div className="card auth-card">
        {pending && user ? <MfaStep user={user} methods={methods ?? methodsOf(user)} /> : <PasswordStep onMfa={setMethods} />}
      </div>
    </AuthFrame>
  );
}

function methodsOf(user: UserView): MfaMethod[] {
  const m: MfaMethod[] = [];
  if (user.totpEnabled) m.push('totp');
  if (user.webauthnCount > 0) m.push('webauthn');
  m.push('recovery');
  return m;
}

function PasswordStep({ onMfa }: { onMfa: (m: MfaMethod[]) => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const fmt = useFormat();
  const { applyLogin } = useSession();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const r = await api.post<LoginAnswer>('/api/auth/login', { login: login.trim(), password });
      if (r.status === 'mfa_required') onMfa(r.mfaMethods ?? methodsOf(r.user));
      applyLogin(r);
    } catch (err) {
      if (err instanceof ApiError && err.status === 429) {
        const secs = err.retryAfterSeconds ?? 60;
        const at = new Date(Date.now() + secs * 1000);
        setError(t('login.locked', { time: fmt.time(at), minutes: Math.max(1, Math.ceil(secs / 60)) }));
      } else if (err instanceof ApiError && err.code === 'invalid_credentials') {
        setError(t('login.invalid'));
      } else {
        setError(errorText(err));
      }
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h1>{t('login.title')}</h1>
      <p className="lead">{t('login.intro')}</p>
      {error ? <Alert kind="error">{error}</Alert> : null}
      <form onSubmit={submit}>
        <TextField label={t('login.login')} name="login" autoComplete="username" required value={login} onChange={(e) => setLogin(e.target.value)} autoFocus />
        <TextField label={t('fields.password')} name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        <Button type="submit" variant="primary" busy={busy} className="btn-block">
          {t('login.submit')}
        </Button>
      </form>
    </>
  );
}

function MfaStep({ user, methods }: { user: UserView; methods: MfaMethod[] }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const { completeMfa, signOut } = useSession();
  const first: MfaMethod = methods.includes('totp') ? 'totp' : methods.includes('webauthn') ? 'webauthn' : 'recovery';
  const [method, setMethod] = useState<MfaMethod>(first);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    setError(null);
    setCode('');
  }, [method]);

  const finish = (u: UserView) => completeMfa(u);

  const submitCode = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const path = method === 'totp' ? '/api/auth/mfa/totp' : '/api/auth/mfa/recovery';
      const r = await api.post<{ status: 'ok'; user: UserView }>(path, { code: code.replace(/\s+/g, '') });
      finish(r.user);
    } catch (err) {
      setError(err instanceof ApiError && err.code === 'invalid_code' ? t(method === 'totp' ? 'mfa.invalidTotp' : 'mfa.invalidRecovery') : errorText(err));
      setCode('');
    } finally {
      setBusy(false);
    }
  };

  const signInWithKey = async () => {
    setError(null);
    setBusy(true);
    try {
      const optionsJSON = await api.post<Parameters<typeof startAuthentication>[0]['optionsJSON']>('/api/auth/mfa/webauthn/options');
      const response = await startAuthentication({ optionsJSON });
      const r = await api.post<{ status: 'ok'; user: UserView }>('/api/auth/mfa/webauthn/verify', { response });
      finish(r.user);
    } catch (err) {
      setError(err instanceof ApiError ? errorText(err) : t('mfa.keyFailed'));
    } finally {
      setBusy(false);
    }
  };

  const others = methods.filter((m) => m !== method);
  return (
    <>
      <h1 ref={heading}>{t('mfa.title')}</h1>
      <p className="lead">{t('mfa.intro', { name: user.displayName })}</p>
      {error ? <Alert kind="error">{error}</Alert> : null}
      {method === 'webauthn' ? (
        <div className="stack">
          <p>{t('mfa.keyHelp')}</p>
          <Button variant="primary" busy={busy} onClick={() => void signInWithKey()} className="btn-block">
            <IconKey /> {t('mfa.useKey')}
          </Button>
        </div>
      ) : (
        <form onSubmit={submitCode}>
          <TextField
            key={method}
            label={method === 'totp' ? t('mfa.totpLabel') : t('mfa.recoveryLabel')}
            hint={method === 'totp' ? t('mfa.totpHint') : t('mfa.recoveryHint')}
            name="code"
            inputMode={method === 'totp' ? 'numeric' : 'text'}
            autoComplete="one-time-code"
            required
            autoFocus
            value={code}
            onChange={(e) => setCode(e.target.value)}
          />
          <Button type="submit" variant="primary" busy={busy} className="btn-block">
            {t('mfa.verify')}
          </Button>
        </form>
      )}
      {others.length ? (
        <div className="mfa-others">
          <p>{t('mfa.otherWays')}</p>
          <ul className="linklist">
            {others.map((m) => (
              <li key={m}>
                <button type="button" className="linkbutton" onClick={() => setMethod(m)}>
                  {t(`mfa.switch.${m}`)}
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <p className="muted-actions">
        <button type="button" className="linkbutton" onClick={() => void signOut()}>
          {t('mfa.cancel')}
        </button>
      </p>
    </>
  );
}
