import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../app/api.js';
import { useErrorText } from '../../app/errors.js';
import { navigate, usePageTitle } from '../../app/router.js';
import { useUser } from '../../app/session.js';
import { AuthFrame } from '../../app/Shell.js';
import { Avatar } from '../../app/Avatar.js';
import { Alert, Button, PageLoading } from '../../ui/index.js';
import { IconCheck } from '../../ui/icons.js';

interface Interaction {
  uid: string;
  prompt: 'login' | 'consent';
  client: { id: string; name: string };
  scopes: string[];
  signedIn: boolean;
}

const KNOWN_SCOPES = ['openid', 'profile', 'email', 'offline_access', 'groups'];

/** An application asks to sign this person in (login) or to read their details (consent). */
export function InteractionPage({ uid }: { uid: string }) {
  const { t } = useTranslation();
  const user = useUser();
  const errorText = useErrorText();
  const [it, setIt] = useState<Interaction | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<'allow' | 'deny' | null>(null);
  usePageTitle(it ? t('oidc.title', { app: it.client.name }) : t('oidc.loading'));

  useEffect(() => {
    api
      .get<Interaction>(`/api/oidc/interaction/${encodeURIComponent(uid)}`)
      .then((r) => {
        setIt(r);
      })
      .catch((e: unknown) => setError(errorText(e)));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [uid]);

  const go = async (action: 'allow' | 'deny') => {
    if (!it) return;
    setBusy(action);
    setError(null);
    try {
      const path = action === 'deny' ? 'abort' : it.prompt === 'login' ? 'login' : 'confirm';
      const r = await api.post<{ redirectTo: string }>(`/api/oidc/interaction/${encodeURIComponent(uid)}/${path}`);
      // The provider continues the authorization on its own URL, then sends the browser to the app.
      window.location.assign(r.redirectTo);
    } catch (e) {
      setError(errorText(e));
      setBusy(null);
    }
  };

  return (
    <AuthFrame>
      <div className="card auth-card">
        {error ? (
          <>
            <h1>{t('oidc.errorTitle')}</h1>
            <Alert kind="error">{error}</Alert>
            <p>{t('oidc.errorHelp')}</p>
            <Button onClick={() => navigate('/')}>{t('notFound.home')}</Button>
          </>
        ) : !it ? (
          <PageLoading />
        ) : (
          <>
            <h1>{it.prompt === 'login' ? t('oidc.loginTitle', { app: it.client.name }) : t('oidc.consentTitle', { app: it.client.name })}</h1>
            <div className="signed-in-as">
              <Avatar user={user} size={48} />
              <div>
                <p className="muted small">{t('oidc.signedInAs')}</p>
                <p>
                  <strong>{user.displayName}</strong> <span className="muted">{user.email}</span>
                </p>
              </div>
            </div>
            <p>{t('oidc.wants', { app: it.client.name })}</p>
            <ul className="scopes">
              {it.scopes.map((s) => (
                <li key={s}>
                  <IconCheck /> <span>{KNOWN_SCOPES.includes(s) ? t(`oidc.scopes.${s}`) : s}</span>
                </li>
              ))}
            </ul>
            <p className="muted small">{t('oidc.revokeHint')}</p>
            <div className="row row-end">
              <Button busy={busy === 'deny'} disabled={busy !== null} onClick={() => void go('deny')}>
                {t('oidc.deny')}
              </Button>
              <Button variant="primary" busy={busy === 'allow'} disabled={busy !== null} onClick={() => void go('allow')}>
                {it.prompt === 'login' ? t('oidc.continue') : t('oidc.allow')}
              </Button>
            </div>
          </>
        )}
      </div>
    </AuthFrame>
  );
}
