import { useTranslation } from 'react-i18next';
import { useErrorText } from '../../app/errors.js';
import { Link, usePageTitle } from '../../app/router.js';
import { useUser } from '../../app/session.js';
import { useTiles } from '../../app/tiles.js';
import { Alert, PageLoading } from '../../ui/index.js';
import { IconKey, IconShield, IconUser, ModuleIcon } from '../../ui/icons.js';

/** The start page: one tile per module this person may use. */
export function PortalPage() {
  const { t } = useTranslation();
  const user = useUser();
  const errorText = useErrorText();
  const { tiles, error } = useTiles(user.id);
  usePageTitle(t('portal.title'));
  const first = user.displayName.split(/\s+/)[0] ?? user.displayName;
  return (
    <div className="page">
      <div className="page-header">
        <h1>{t('portal.greeting', { name: first })}</h1>
        <p className="lead">{t('portal.intro')}</p>
      </div>
      {error ? <Alert kind="error">{errorText(error)}</Alert> : null}
      {!tiles && !error ? <PageLoading /> : null}
      {tiles ? (
        tiles.length === 0 ? (
          <p>{t('portal.empty')}</p>
        ) : (
          <ul className="tiles" aria-label={t('portal.modules')}>
            {tiles.map((tile) => (
              <li key={tile.id}>
                <Link to={tile.path} className="tile">
                  <span className={`tile-icon tile-icon-${tile.id}`}>
                    <ModuleIcon id={tile.id} />
                  </span>
                  <span className="tile-text">
                    <span className="tile-title">{t(`modules.${tile.id}.title`, { defaultValue: tile.id })}</span>
                    <span className="tile-desc">{t(`modules.${tile.id}.description`, { defaultValue: '' })}</span>
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        )
      ) : null}
      <section aria-labelledby="portal-account" className="portal-account">
        <h2 id="portal-account">{t('portal.account')}</h2>
        <ul className="quicklinks">
          <li>
            <Link to="/settings">
              <IconUser /> {t('portal.profileLink')}
            </Link>
          </li>
          <li>
            <Link to="/settings/security">
              <IconShield /> {user.totpEnabled || user.webauthnCount > 0 ? t('portal.securityOn') : t('portal.securityOff')}
            </Link>
          </li>
          <li>
            <Link to="/settings/app-passwords">
              <IconKey /> {t('portal.appPasswordsLink')}
            </Link>
          </li>
        </ul>
      </section>
    </div>
  );
}
