import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, navigate, useLocation } from './router.js';
import { useSession } from './session.js';
import { clearTilesCache, useTiles } from './tiles.js';
import { Avatar } from './Avatar.js';
import { IconChevronDown, IconClose, IconLogo, IconLogout, IconMenu, IconSettings, IconShield } from '../ui/icons.js';

/** The one top bar every module shares: app name, module links, the person's menu. */
export function Shell({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const { user } = useSession();
  const { path } = useLocation();
  const [navOpen, setNavOpen] = useState(false);
  const navId = useId();
  const { tiles } = useTiles(user?.id ?? '');

  useEffect(() => setNavOpen(false), [path]);

  const links = (tiles ?? []).filter((tile) => tile.path !== '/');
  const isCurrent = (p: string) => (p === '/' ? path === '/' : path === p || path.startsWith(`${p}/`));

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <button
            type="button"
            className="icon-btn nav-toggle"
            aria-expanded={navOpen}
            aria-controls={navId}
            aria-label={navOpen ? t('nav.closeMenu') : t('nav.openMenu')}
            onClick={() => setNavOpen((o) => !o)}
          >
            {navOpen ? <IconClose /> : <IconMenu />}
          </button>
          <Link to="/" className="brand">
            <IconLogo className="brand-logo" />
            <span>{t('app.name')}</span>
          </Link>
          {user ? (
            <nav id={navId} className={`mainnav ${navOpen ? 'is-open' : ''}`} aria-label={t('nav.modules')}>
              <ul>
                <li>
                  <Link to="/" aria-current={isCurrent('/') ? 'page' : undefined}>
                    {t('nav.home')}
                  </Link>
                </li>
                {links.map((tile) => (
                  <li key={tile.id}>
                    <Link to={tile.path} aria-current={isCurrent(tile.path) ? 'page' : undefined}>
                      {t(`modules.${tile.id}.title`, { defaultValue: tile.id })}
                    </Link>
                  </li>
                ))}
              </ul>
            </nav>
          ) : null}
          <div className="topbar-spacer" />
          {user ? <UserMenu /> : null}
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

function UserMenu() {
  const { t } = useTranslation();
  const { user, signOut } = useSession();
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const wrap = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const { path } = useLocation();

  useEffect(() => setOpen(false), [path]);
  useEffect(() => {
    if (!open) return;
    const onDoc = (e: MouseEvent) => {
      if (wrap.current && !wrap.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        setOpen(false);
        button.current?.focus();
      }
    };
    document.addEventListener('mousedown', onDoc);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDoc);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  if (!user) return null;
  const doSignOut = async () => {
    await signOut();
    clearTilesCache();
    navigate('/login');
  };
  return (
    <div className="usermenu" ref={wrap}>
      <button ref={button} type="button" className="usermenu-button" aria-expanded={open} aria-controls={menuId} onClick={() => setOpen((o) => !o)}>
        <Avatar user={user} size={32} />
        <span className="usermenu-name">{user.displayName}</span>
        <IconChevronDown className="usermenu-chevron" />
        <span className="visually-hidden">{t('nav.userMenu')}</span>
      </button>
      <div id={menuId} className="usermenu-panel" hidden={!open}>
        <div className="usermenu-who">
          <strong>{user.displayName}</strong>
          <span>{user.email}</span>
        </div>
        <ul>
          <li>
            <Link to="/settings">
              <IconSettings /> {t('nav.settings')}
            </Link>
          </li>
          {user.isAdmin ? (
            <li>
              <Link to="/admin">
                <IconShield /> {t('nav.admin')}
              </Link>
            </li>
          ) : null}
          <li>
            <button type="button" onClick={() => void doSignOut()}>
              <IconLogout /> {t('nav.signOut')}
            </button>
          </li>
        </ul>
      </div>
    </div>
  );
}

/** A minimal frame for pages before sign-in: the brand and a centred card. */
export function AuthFrame({ children, wide }: { children: ReactNode; wide?: boolean }) {
  const { t } = useTranslation();
  return (
    <div className="authframe">
      <header className="authframe-header">
        <span className="brand">
          <IconLogo className="brand-logo" />
          <span>{t('app.name')}</span>
        </span>
      </header>
      <main id="main" className={`authframe-main ${wide ? 'authframe-wide' : ''}`} tabIndex={-1}>
        {children}
      </main>
      <footer className="authframe-footer">{t('app.tagline')}</footer>
    </div>
  );
}
