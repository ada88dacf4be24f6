import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, setCsrfToken, UNAUTHORIZED_EVENT } from './api.js';
import type { LoginAnswer, SessionInfo, UserView } from './types.js';
import { setLanguage } from '../i18n/index.js';

export type SessionState = { status: 'loading' } | { status: 'signedOut' } | { status: 'signedIn'; session: SessionInfo };

interface SessionContextValue {
  state: SessionState;
  /** The signed-in person, once fully signed in (or pending 2FA/enrolment). */
  user: UserView | null;
  refresh(): Promise<void>;
  /** Applies a sign-in or setup answer. */
  applyLogin(answer: Pick<LoginAnswer, 'user' | 'csrfToken'> & { status?: LoginAnswer['status'] }): void;
  /** Replaces the person after a profile change (and applies their language). */
  updateUser(user: UserView): void;
  /** Marks the second factor as done. */
  completeMfa(user: UserView): void;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });

  const accept = useCallback((session: SessionInfo) => {
    setCsrfToken(session.csrfToken);
    void setLanguage(session.user.language);
    setState({ status: 'signedIn', session });
  }, []);

  const refresh = useCallback(async () => {
    try {
      const s = await api.get<SessionInfo>('/api/session');
      accept(s);
    } catch (e) {
      if (e instanceof ApiError && (e.status === 401 || e.status === 403 || e.status === 404)) {
        setCsrfToken(null);
        setState({ status: 'signedOut' });
        void setLanguage(null);
        return;
      }
      setState({ status: 'signedOut' });
    }
  }, [accept]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  // A session that ended elsewhere (expired, revoked, signed out everywhere): re-check it, so
  // the route guard sends the person to sign in with the page they were on as `next`.
  useEffect(() => {
    const onUnauthorized = () => void refresh();
    window.addEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
    return () => window.removeEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
  }, [refresh]);

  const value = useMemo<SessionContextValue>(() => {
    const session = state.status === 'signedIn' ? state.session : null;
    return {
      state,
      user: session?.user ?? null,
      refresh,
      applyLogin(answer) {
        accept({
          user: answer.user,
          csrfToken: answer.csrfToken,
          mfaPending: answer.status === 'mfa_required',
          enrollmentRequired: answer.status === 'enrollment_required',
        });
      },
      updateUser(user) {
        setState((s) => (s.status === 'signedIn' ? { status: 'signedIn', session: { ...s.session, user } } : s));
        void setLanguage(user.language);
      },
      completeMfa(user) {
        setState((s) => (s.status === 'signedIn' ? { status: 'signedIn', session: { ...s.session, user, mfaPending: false } } : s));
        void setLanguage(user.language);
      },
      async signOut() {
        try {
          await api.post('/api/auth/logout');
        } catch {
          // Signed out locally whatever the server said: the cookie is gone or will expire.
        }
        setCsrfToken(null);
        setState({ status: 'signedOut' });
        void setLanguage(null);
      },
    };
  }, [state, refresh, accept]);

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const v = useContext(SessionContext);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}

/** The signed-in person; only for pages rendered behind the sign-in guard. */
export function useUser(): UserView {
  const { user } = useSession();
  if (!user) throw new Error('useUser without a signed-in person');
  return user;
}
