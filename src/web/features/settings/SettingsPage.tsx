import { useTranslation } from 'react-i18next';
import { navigate, usePageTitle } from '../../app/router.js';
import { Tabs } from '../../ui/index.js';
import { ProfileSection } from './ProfileSection.js';
import { PasswordSection } from './PasswordSection.js';
import { SecuritySection } from './SecuritySection.js';
import { AppPasswordsSection } from './AppPasswordsSection.js';
import { SessionsSection } from './SessionsSection.js';

const TABS = ['profile', 'password', 'security', 'app-passwords', 'sessions'] as const;
type Tab = (typeof TABS)[number];

export function SettingsPage({ tab }: { tab?: string }) {
  const { t } = useTranslation();
  const current: Tab = (TABS as readonly string[]).includes(tab ?? '') ? (tab as Tab) : 'profile';
  usePageTitle(t('settings.title'));
  const labels: Record<Tab, string> = {
    profile: t('settings.tabs.profile'),
    password: t('settings.tabs.password'),
    security: t('settings.tabs.security'),
    'app-passwords': t('settings.tabs.appPasswords'),
    sessions: t('settings.tabs.sessions'),
  };
  return (
    <div className="page">
      <div className="page-header">
        <h1>{t('settings.title')}</h1>
        <p className="lead">{t('settings.intro')}</p>
      </div>
      <Tabs
        vertical
        label={t('settings.title')}
        tabs={TABS.map((id) => ({ id, label: labels[id] }))}
        selected={current}
        onSelect={(id) => navigate(id === 'profile' ? '/settings' : `/settings/${id}`, { replace: true })}
      >
        {current === 'profile' ? <ProfileSection /> : null}
        {current === 'password' ? <PasswordSection /> : null}
        {current === 'security' ? <SecuritySection /> : null}
        {current === 'app-passwords' ? <AppPasswordsSection /> : null}
        {current === 'sessions' ? <SessionsSection /> : null}
      </Tabs>
    </div>
  );
}
