import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../app/api.js';
import { useErrorText } from '../../app/errors.js';
import { useFormat } from '../../app/format.js';
import type { OidcClient } from '../../app/types.js';
import { Alert, Button, Checkbox, ConfirmDialog, Dialog, PageLoading, Table, TextArea, TextField } from '../../ui/index.js';
import { useLoad } from '../../app/useLoad.js';

const lines = (s: string) =>
  s
    .split(/\s*\n\s*/)
    .map((l) => l.trim())
    .filter(Boolean);

/** Third-party applications that sign people in with Tessera (OpenID Connect). */
export function OidcClientsTab() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const fmt = useFormat();
  const { data: clients, error, reload: load } = useLoad(
    async () => {
      const r = await api.get<{ clients: OidcClient[] } | OidcClient[]>('/api/admin/oidc/clients');
      return Array.isArray(r) ? r : r.clients;
    },
    [],
    errorText,
  );
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState<OidcClient | 'new' | null>(null);
  const [secret, setSecret] = useState<{ client: OidcClient; secret?: string } | null>(null);
  const [deleting, setDeleting] = useState<OidcClient | null>(null);
  const [rotating, setRotating] = useState<OidcClient | null>(null);

  return (
    <section aria-labelledby="apps-h" className="section">
      <div className="section-header">
        <h2 id="apps-h">{t('apps.title')}</h2>
        <Button variant="primary" onClick={() => setEditing('new')}>
          {t('apps.add')}
        </Button>
      </div>
      <p>{t('apps.help')}</p>
      {error ? <Alert kind="error">{error}</Alert> : null}
      {notice ? <Alert kind="success">{notice}</Alert> : null}
      {secret ? (
        <div className="oneshot">
          <Alert kind="success" title={t('apps.registered', { name: secret.client.name })}>
            {secret.secret ? t('apps.secretOnce') : t('apps.publicNoSecret')}
          </Alert>
          <dl className="facts">
            <div>
              <dt>{t('apps.clientId')}</dt>
              <dd>
                <code className="secret" data-testid="client-id">
                  {secret.client.id}
                </code>
              </dd>
            </div>
            {secret.secret ? (
              <div>
                <dt>{t('apps.clientSecret')}</dt>
                <dd>
                  <code className="secret" data-testid="client-secret">
                    {secret.secret}
                  </code>
                </dd>
              </div>
            ) : null}
          </dl>
          <Button variant="ghost" onClick={() => setSecret(null)}>
            {t('common.done')}
          </Button>
        </div>
      ) : null}
      {!clients ? (
        <PageLoading />
      ) : (
        <Table
          caption={t('apps.caption')}
          captionHidden
          rows={clients}
          rowKey={(c) => c.id}
          empty={t('apps.none')}
          columns={[
            {
              key: 'name',
              header: t('apps.name'),
              render: (c) => (
                <span className="cell-person">
                  <strong>{c.name}</strong>
                  <code className="muted">{c.id}</code>
                </span>
              ),
            },
            { key: 'kind', header: t('apps.kind'), render: (c) => (c.public ? t('apps.public') : t('apps.confidential')) },
            { key: 'uris', header: t('apps.redirectUris'), render: (c) => <span className="wrap-anywhere">{c.redirectUris.join(', ')}</span> },
            { key: 'created', header: t('common.created'), render: (c) => fmt.dateTime(c.createdAt) },
            {
              key: 'actions',
              header: <span className="visually-hidden">{t('common.actions')}</span>,
              className: 'cell-actions',
              render: (c) => (
                <span className="row">
                  <Button size="small" onClick={() => setEditing(c)} aria-label={t('apps.editNamed', { name: c.name })}>
                    {t('common.edit')}
                  </Button>
                  {!c.public ? (
                    <Button size="small" onClick={() => setRotating(c)} aria-label={t('apps.newSecretNamed', { name: c.name })}>
                      {t('apps.newSecret')}
                    </Button>
                  ) : null}
                  <Button size="small" variant="danger" onClick={() => setDeleting(c)} aria-label={t('apps.deleteNamed', { name: c.name })}>
                    {t('common.delete')}
                  </Button>
                </span>
              ),
            },
          ]}
        />
      )}
      {editing ? (
        <ClientForm
          client={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(client, clientSecret) => {
            setEditing(null);
            if (editing === 'new') setSecret({ client, secret: clientSecret });
            else setNotice(t('common.saved'));
            void load();
          }}
        />
      ) : null}
      <ConfirmDialog
        open={!!rotating}
        title={t('apps.newSecretTitle', { name: rotating?.name ?? '' })}
        confirmLabel={t('apps.newSecret')}
        onClose={() => setRotating(null)}
        onConfirm={async () => {
          if (!rotating) return;
          const r = await api.post<{ client: OidcClient; clientSecret: string }>(`/api/admin/oidc/clients/${encodeURIComponent(rotating.id)}/secret`);
          setRotating(null);
          setSecret({ client: r.client, secret: r.clientSecret });
        }}
      >
        <p>{t('apps.newSecretBody')}</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={!!deleting}
        danger
        title={t('apps.deleteTitle', { name: deleting?.name ?? '' })}
        confirmLabel={t('common.delete')}
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          if (!deleting) return;
          await api.del(`/api/admin/oidc/clients/${encodeURIComponent(deleting.id)}`);
          setNotice(t('apps.deleted', { name: deleting.name }));
          setDeleting(null);
          await load();
        }}
      >
        <p>{t('apps.deleteBody')}</p>
      </ConfirmDialog>
    </section>
  );
}

function ClientForm({ client, onClose, onSaved }: { client: OidcClient | null; onClose: () => void; onSaved: (c: OidcClient, secret?: string) => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [form, setForm] = useState({
    name: client?.name ?? '',
    redirectUris: client?.redirectUris.join('\n') ?? '',
    postLogoutRedirectUris: client?.postLogoutRedirectUris?.join('\n') ?? '',
    isPublic: client?.public ?? false,
    skipConsent: client?.skipConsent ?? false,
  });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    const body: Record<string, unknown> = { name: form.name.trim(), redirectUris: lines(form.redirectUris), postLogoutRedirectUris: lines(form.postLogoutRedirectUris), skipConsent: form.skipConsent };
    try {
      if (client) {
        const c = await api.patch<OidcClient | { client: OidcClient }>(`/api/admin/oidc/clients/${encodeURIComponent(client.id)}`, body);
        onSaved('client' in c ? c.client : c);
      } else {
        const r = await api.post<{ client: OidcClient; clientSecret?: string }>('/api/admin/oidc/clients', { ...body, public: form.isPublic });
        onSaved(r.client, r.clientSecret);
      }
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open title={client ? t('apps.editTitle', { name: client.name }) : t('apps.addTitle')} onClose={onClose}>
      <form onSubmit={submit}>
        {error ? <Alert kind="error">{error}</Alert> : null}
        <TextField label={t('apps.name')} required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} autoFocus />
        <TextArea label={t('apps.redirectUris')} hint={t('apps.urisHint')} required rows={3} value={form.redirectUris} onChange={(e) => setForm({ ...form, redirectUris: e.target.value })} />
        <TextArea label={t('apps.postLogoutUris')} hint={t('apps.urisHint')} rows={2} value={form.postLogoutRedirectUris} onChange={(e) => setForm({ ...form, postLogoutRedirectUris: e.target.value })} />
        {!client ? <Checkbox label={t('apps.publicLabel')} hint={t('apps.publicHint')} checked={form.isPublic} onChange={(e) => setForm({ ...form, isPublic: e.target.checked })} /> : null}
        <Checkbox label={t('apps.skipConsent')} hint={t('apps.skipConsentHint')} checked={form.skipConsent} onChange={(e) => setForm({ ...form, skipConsent: e.target.checked })} />
        <div className="row row-end">
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="submit" variant="primary" busy={busy}>
            {client ? t('common.save') : t('apps.register')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
