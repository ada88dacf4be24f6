import { useEffect, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { SessionProvider, useSession } from './session.js';
import { Link, matchPath, Redirect, useLocation, usePageTitle } from './router.js';
import { AuthFrame, Shell } from './Shell.js';
import { PageLoading } from '../ui/Spinner.js';
import { SetupPage } from '../features/auth/SetupPage.js';
import { LoginPage } from '../features/auth/LoginPage.js';
import { EnrollmentPage } from '../features/auth/EnrollmentPage.js';
import { PortalPage } from '../features/portal/PortalPage.js';
import { SettingsPage } from '../features/settings/SettingsPage.js';
import { AdminPage } from '../features/admin/AdminPage.js';
import { InteractionPage } from '../features/oidc/InteractionPage.js';
import { FilesPage } from '../features/files/FilesPage.js';
import { PublicLinkPage } from '../features/files/PublicLinkPage.js';
import { EditorPage } from '../features/files/EditorPage.js';

export function App() {
  return (
    <SessionProvider>
      <Routes />
    </SessionProvider>
  );
}

/** Moves focus to the main landmark after client-side navigation so the new page is announced. */
function useFocusOnNavigate(path: string) {
  useEffect(() => {
    const main = document.getElementById('main');
    if (main && document.activeElement && document.activeElement !== document.body) {
      const inMain = main.contains(document.activeElement);
      if (!inMain) main.focus({ preventScroll: true });
    }
  }, [path]);
}

function Routes() {
  const { path, search } = useLocation();
  const { state } = useSession();
  useFocusOnNavigate(path);

  if (path === '/setup') return <SetupPage token={search.get('token') ?? ''} />;
  if (path === '/login') return <LoginPage next={search.get('next')} />;
  // Public links work signed out: never sent to sign in.
  const publicLink = matchPath('/s/:token', path);
  if (publicLink) return <PublicLinkPage token={publicLink.token!} />;

  const here = path + (search.toString() ? `?${search.toString()}` : '');
  const interaction = matchPath('/interaction/:uid', path);

  if (state.status === 'loading') return <PageLoading />;
  if (state.status === 'signedOut' || state.session.mfaPending) {
    return <Redirect to={`/login?next=${encodeURIComponent(here)}`} />;
  }
  if (state.session.enrollmentRequired) return <EnrollmentPage />;
  if (interaction) return <InteractionPage uid={interaction.uid!} />;
  // The office editor takes the whole window (its own tab), without the app's navigation.
  const editor = matchPath('/files/edit/:id', path);
  if (editor) return <EditorPage id={editor.id!} />;

  const user = state.session.user;
  let page: ReactNode;
  const settings = matchPath('/settings/:tab?', path);
  const admin = matchPath('/admin/:tab?', path);
  if (path === '/') page = <PortalPage />;
  else if (settings) page = <SettingsPage tab={settings.tab} />;
  else if (path === '/files' || path.startsWith('/files/')) page = <FilesPage />;
  else if (admin) page = user.isAdmin ? <AdminPage tab={admin.tab} /> : <Forbidden />;
  else page = <NotFound />;
  return <Shell>{page}</Shell>;
}

function NotFound() {
  const { t } = useTranslation();
  usePageTitle(t('notFound.title'));
  return (
    <div className="page page-narrow">
      <h1>{t('notFound.title')}</h1>
      <p>{t('notFound.body')}</p>
      <p>
        <Link to="/">{t('notFound.home')}</Link>
      </p>
    </div>
  );
}

function Forbidden() {
  const { t } = useTranslation();
  usePageTitle(t('forbidden.title'));
  return (
    <div className="page page-narrow">
      <h1>{t('forbidden.title')}</h1>
      <p>{t('forbidden.body')}</p>
      <p>
        <Link to="/">{t('notFound.home')}</Link>
      </p>
    </div>
  );
}

export { AuthFrame };
