import { useTranslation } from 'react-i18next';
import { navigate, usePageTitle } from '../../app/router.js';
import { Tabs } from '../../ui/index.js';
import { PeopleTab } from './PeopleTab.js';
import { GroupsTab } from './GroupsTab.js';
import { OidcClientsTab } from './OidcClientsTab.js';
import { SessionsTab } from './SessionsTab.js';
import { AuditTab } from './AuditTab.js';
import { StatusTab } from './StatusTab.js';
import { InstanceSettingsTab } from './InstanceSettingsTab.js';
import { StorageTab } from './StorageTab.js';

const TABS = ['people', 'groups', 'apps', 'sessions', 'storage', 'audit', 'status', 'settings'] as const;
type Tab = (typeof TABS)[number];

/** The admin console: one tab per concern, each addressable at /admin/<tab>. */
export function AdminPage({ tab }: { tab?: string }) {
  const { t } = useTranslation();
  const current: Tab = (TABS as readonly string[]).includes(tab ?? '') ? (tab as Tab) : 'people';
  usePageTitle(t('admin.title'));
  return (
    <div className="page page-wide">
      <div className="page-header">
        <h1>{t('admin.title')}</h1>
        <p className="lead">{t('admin.intro')}</p>
      </div>
      <Tabs label={t('admin.title')} tabs={TABS.map((id) => ({ id, label: t(`admin.tabs.${id}`) }))} selected={current} onSelect={(id) => navigate(id === 'people' ? '/admin' : `/admin/${id}`, { replace: true })}>
        {current === 'people' ? <PeopleTab /> : null}
        {current === 'groups' ? <GroupsTab /> : null}
        {current === 'apps' ? <OidcClientsTab /> : null}
        {current === 'sessions' ? <SessionsTab /> : null}
        {current === 'storage' ? <StorageTab /> : null}
        {current === 'audit' ? <AuditTab /> : null}
        {current === 'status' ? <StatusTab /> : null}
        {current === 'settings' ? <InstanceSettingsTab /> : null}
      </Tabs>
    </div>
  );
}
