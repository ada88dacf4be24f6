import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../app/api.js';
import { useErrorText } from '../../app/errors.js';
import { useFormat } from '../../app/format.js';
import { Alert, Button, PageLoading, Table } from '../../ui/index.js';
import { describeAgent } from '../settings/SessionsSection.js';

interface AdminSession {
  id: string;
  userId: string;
  username: string;
  createdAt: string;
  lastSeenAt: string;
  ip: string | null;
  userAgent: string | null;
}

interface Lockout {
  key: string;
  kind: 'account' | 'ip';
  failures: number;
  lockedUntil: string;
}

export function SessionsTab() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const fmt = useFormat();
  const [sessions, setSessions] = useState<AdminSession[] | null>(null);
  const [lockouts, setLockouts] = useState<Lockout[] | null>(null);
  const [status, setStatus] = useState<{ kind: 'error' | 'success'; text: string } | null>(null);

  const load = useCallback(async () => {
    try {
      setSessions((await api.get<{ sessions: AdminSession[] }>('/api/admin/sessions')).sessions);
    } catch (e) {
      setStatus({ kind: 'error', text: errorText(e) });
    }
    try {
      setLockouts((await api.get<{ lockouts: Lockout[] }>('/api/admin/lockouts')).lockouts);
    } catch {
      setLockouts([]);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const revoke = async (s: AdminSession) => {
    setStatus(null);
    try {
      await api.del(`/api/admin/sessions/${encodeURIComponent(s.id)}`);
      setStatus({ kind: 'success', text: t('adminSessions.revoked', { name: s.username }) });
      await load();
    } catch (e) {
      setStatus({ kind: 'error', text: errorText(e) });
    }
  };

  return (
    <div className="stack-lg">
      <section aria-labelledby="asess-h" className="section">
        <h2 id="asess-h">{t('adminSessions.title')}</h2>
        {status ? <Alert kind={status.kind}>{status.text}</Alert> : null}
        {!sessions ? (
          <PageLoading />
        ) : (
          <Table
            caption={t('adminSessions.caption')}
            captionHidden
            rows={sessions}
            rowKey={(s) => s.id}
            empty={t('sessions.none')}
            columns={[
              { key: 'user', header: t('fields.username'), render: (s) => s.username },
              { key: 'device', header: t('sessions.device'), render: (s) => describeAgent(s.userAgent) },
              { key: 'ip', header: t('sessions.ip'), render: (s) => s.ip ?? '—' },
              { key: 'created', header: t('sessions.started'), render: (s) => fmt.dateTime(s.createdAt) },
              { key: 'seen', header: t('sessions.lastSeen'), render: (s) => fmt.dateTime(s.lastSeenAt) },
              {
                key: 'actions',
                header: <span className="visually-hidden">{t('common.actions')}</span>,
                className: 'cell-actions',
                render: (s) => (
                  <Button size="small" variant="danger" onClick={() => void revoke(s)} aria-label={t('adminSessions.revokeNamed', { name: s.username })}>
                    {t('common.revoke')}
                  </Button>
                ),
              },
            ]}
          />
        )}
      </section>
      {lockouts && lockouts.length ? (
        <section aria-labelledby="locks-h" className="section">
          <h2 id="locks-h">{t('lockouts.title')}</h2>
          <p>{t('lockouts.help')}</p>
          <Table
            caption={t('lockouts.title')}
            captionHidden
            rows={lockouts}
            rowKey={(l) => `${l.kind}:${l.key}`}
            columns={[
              { key: 'key', header: t('lockouts.key'), render: (l) => l.key },
              { key: 'kind', header: t('lockouts.kind'), render: (l) => (l.kind === 'ip' ? t('lockouts.ip') : t('lockouts.account')) },
              { key: 'failures', header: t('lockouts.failures'), render: (l) => l.failures },
              { key: 'until', header: t('lockouts.until'), render: (l) => fmt.dateTime(l.lockedUntil) },
            ]}
          />
        </section>
      ) : null}
    </div>
  );
}
