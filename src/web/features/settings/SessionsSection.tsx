import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../app/api.js';
import { useErrorText } from '../../app/errors.js';
import { useFormat } from '../../app/format.js';
import { navigate } from '../../app/router.js';
import { useSession } from '../../app/session.js';
import { Alert, Button, Dialog, PageLoading, Table } from '../../ui/index.js';

interface MySession {
  id: string;
  current: boolean;
  createdAt: string;
  lastSeenAt: string;
  ip: string | null;
  userAgent: string | null;
}

/** A short, readable name for a browser from its user agent. */
export function describeAgent(ua: string | null | undefined): string {
  if (!ua) return '—';
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrom(e|ium)\//.test(ua) ? 'Chromium' : /Safari\//.test(ua) ? 'Safari' : ua.split(' ')[0] ?? ua;
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Windows/.test(ua) ? 'Windows' : /Mac OS X/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : '';
  return os ? `${browser} · ${os}` : browser;
}

export function SessionsSection() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const fmt = useFormat();
  const { signOut } = useSession();
  const [list, setList] = useState<MySession[] | null>(null);
  const [status, setStatus] = useState<{ kind: 'error' | 'success'; text: string } | null>(null);
  const [confirm, setConfirm] = useState(false);

  const load = useCallback(async () => {
    try {
      setList((await api.get<{ sessions: MySession[] }>('/api/me/sessions')).sessions);
    } catch (e) {
      setStatus({ kind: 'error', text: errorText(e) });
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const revoke = async (s: MySession) => {
    setStatus(null);
    try {
      await api.del(`/api/me/sessions/${encodeURIComponent(s.id)}`);
      setStatus({ kind: 'success', text: t('sessions.revoked') });
      await load();
    } catch (err) {
      setStatus({ kind: 'error', text: errorText(err) });
    }
  };

  const everywhere = async () => {
    try {
      await api.post('/api/auth/logout-everywhere');
    } catch (err) {
      setStatus({ kind: 'error', text: errorText(err) });
      setConfirm(false);
      return;
    }
    await signOut();
    navigate('/login');
  };

  return (
    <section aria-labelledby="sessions-h" className="section">
      <h2 id="sessions-h">{t('sessions.title')}</h2>
      <p>{t('sessions.help')}</p>
      {status ? <Alert kind={status.kind}>{status.text}</Alert> : null}
      {list === null ? (
        <PageLoading />
      ) : (
        <Table
          caption={t('sessions.caption')}
          rows={list}
          rowKey={(s) => s.id}
          empty={t('sessions.none')}
          columns={[
            {
              key: 'device',
              header: t('sessions.device'),
              render: (s) => (
                <span>
                  {describeAgent(s.userAgent)} {s.current ? <span className="badge badge-primary">{t('sessions.current')}</span> : null}
                </span>
              ),
            },
            { key: 'ip', header: t('sessions.ip'), render: (s) => s.ip ?? '—' },
            { key: 'created', header: t('sessions.started'), render: (s) => fmt.dateTime(s.createdAt) },
            { key: 'seen', header: t('sessions.lastSeen'), render: (s) => fmt.dateTime(s.lastSeenAt) },
            {
              key: 'actions',
              header: <span className="visually-hidden">{t('common.actions')}</span>,
              className: 'cell-actions',
              render: (s) =>
                s.current ? null : (
                  <Button size="small" variant="danger" onClick={() => void revoke(s)}>
                    {t('common.revoke')}
                  </Button>
                ),
            },
          ]}
        />
      )}
      <div>
        <Button variant="danger" onClick={() => setConfirm(true)}>
          {t('sessions.everywhere')}
        </Button>
      </div>
      <Dialog
        open={confirm}
        title={t('sessions.everywhereTitle')}
        onClose={() => setConfirm(false)}
        footer={
          <>
            <Button onClick={() => setConfirm(false)}>{t('common.cancel')}</Button>
            <Button variant="danger" onClick={() => void everywhere()}>
              {t('sessions.everywhere')}
            </Button>
          </>
        }
      >
        <p>{t('sessions.everywhereBody')}</p>
      </Dialog>
    </section>
  );
}
