import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../app/api.js';
import { useErrorText } from '../../app/errors.js';
import { useFormat } from '../../app/format.js';
import { Alert, Button, PageLoading, Table, TextField } from '../../ui/index.js';
import { IconCopy } from '../../ui/icons.js';

interface AppPassword {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/** Passwords for mail, calendar and file clients; each shown once when created. */
export function AppPasswordsSection() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const fmt = useFormat();
  const [list, setList] = useState<AppPassword[] | null>(null);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<{ name: string; password: string } | null>(null);
  const [status, setStatus] = useState<{ kind: 'error' | 'success'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setList((await api.get<{ appPasswords: AppPassword[] }>('/api/me/app-passwords')).appPasswords);
    } catch (e) {
      setStatus({ kind: 'error', text: errorText(e) });
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setStatus(null);
    setBusy(true);
    try {
      const r = await api.post<{ id: string; name: string; password: string }>('/api/me/app-passwords', { name: name.trim() });
      setCreated({ name: r.name, password: r.password });
      setName('');
      await load();
    } catch (err) {
      setStatus({ kind: 'error', text: errorText(err) });
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (p: AppPassword) => {
    setStatus(null);
    try {
      await api.del(`/api/me/app-passwords/${encodeURIComponent(p.id)}`);
      setStatus({ kind: 'success', text: t('appPasswords.revoked', { name: p.name }) });
      await load();
    } catch (err) {
      setStatus({ kind: 'error', text: errorText(err) });
    }
  };

  return (
    <section aria-labelledby="apppw-h" className="section">
      <h2 id="apppw-h">{t('appPasswords.title')}</h2>
      <p>{t('appPasswords.help')}</p>
      {status ? <Alert kind={status.kind}>{status.text}</Alert> : null}
      {created ? (
        <div className="oneshot">
          <Alert kind="success" title={t('appPasswords.created', { name: created.name })}>
            {t('appPasswords.showOnce')}
          </Alert>
          <p className="secret-line">
            <code className="secret" data-testid="app-password">
              {created.password}
            </code>
            <Button size="small" onClick={() => void navigator.clipboard?.writeText(created.password)}>
              <IconCopy /> {t('common.copy')}
            </Button>
          </p>
          <Button variant="ghost" onClick={() => setCreated(null)}>
            {t('common.done')}
          </Button>
        </div>
      ) : null}
      <form onSubmit={create} className="inline-form">
        <TextField label={t('appPasswords.name')} hint={t('appPasswords.nameHint')} required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        <Button type="submit" variant="primary" busy={busy}>
          {t('appPasswords.create')}
        </Button>
      </form>
      {list === null ? (
        <PageLoading />
      ) : (
        <Table
          caption={t('appPasswords.caption')}
          rows={list}
          rowKey={(p) => p.id}
          empty={t('appPasswords.none')}
          columns={[
            { key: 'name', header: t('appPasswords.name'), render: (p) => p.name },
            { key: 'created', header: t('common.created'), render: (p) => fmt.dateTime(p.createdAt) },
            { key: 'used', header: t('common.lastUsed'), render: (p) => fmt.dateTime(p.lastUsedAt) },
            {
              key: 'actions',
              header: <span className="visually-hidden">{t('common.actions')}</span>,
              className: 'cell-actions',
              render: (p) => (
                <Button size="small" variant="danger" onClick={() => void revoke(p)} aria-label={t('appPasswords.revokeNamed', { name: p.name })}>
                  {t('common.revoke')}
                </Button>
              ),
            },
          ]}
        />
      )}
    </section>
  );
}
