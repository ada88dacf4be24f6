import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../app/api.js';
import { useErrorText } from '../../app/errors.js';
import { useFormat } from '../../app/format.js';
import { Alert, Button, ConfirmDialog, Dialog, PageLoading, Table, TextField } from '../../ui/index.js';

interface GroupSpace {
  id: string;
  name: string;
  usedBytes: number;
  quotaBytes: number | null;
}

interface Quarantined {
  id: string;
  name: string;
  uploadedBy: { username: string | null };
  signature: string;
  size: number;
  createdAt: string;
}

const GB = 1024 ** 3;

/** Storage: group spaces' usage and quotas, and (when virus scanning quarantines) what was caught. */
export function StorageTab() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const fmt = useFormat();
  const [spaces, setSpaces] = useState<GroupSpace[] | null>(null);
  const [quarantine, setQuarantine] = useState<{ items: Quarantined[]; mode: string | null } | null>(null);
  const [status, setStatus] = useState<{ kind: 'error' | 'success'; text: string } | null>(null);
  const [editing, setEditing] = useState<GroupSpace | null>(null);
  const [quotaGb, setQuotaGb] = useState('');
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [deleting, setDeleting] = useState<Quarantined | null>(null);

  const load = useCallback(async () => {
    try {
      setSpaces((await api.get<{ spaces: GroupSpace[] }>('/api/admin/files/spaces')).spaces);
      setQuarantine(await api.get<{ items: Quarantined[]; mode: string | null }>('/api/admin/files/quarantine'));
    } catch (e) {
      setStatus({ kind: 'error', text: errorText(e) });
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const openEditor = (s: GroupSpace) => {
    setEditing(s);
    setQuotaGb(s.quotaBytes === null ? '' : String(s.quotaBytes / GB));
    setFieldError(undefined);
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!editing) return;
    const text = quotaGb.trim();
    const gb = Number(text);
    if (text && (!Number.isFinite(gb) || gb < 0)) {
      setFieldError(t('storage.quotaInvalid'));
      return;
    }
    setBusy(true);
    try {
      await api.patch(`/api/admin/files/spaces/${encodeURIComponent(editing.id)}`, { quotaBytes: text ? Math.round(gb * GB) : null });
      setStatus({ kind: 'success', text: t('storage.saved', { name: editing.name }) });
      setEditing(null);
      await load();
    } catch (err) {
      setFieldError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (!deleting) return;
    try {
      await api.del(`/api/admin/files/quarantine/${encodeURIComponent(deleting.id)}`);
      setStatus({ kind: 'success', text: t('storage.quarantineDeleted', { name: deleting.name }) });
      await load();
    } catch (e) {
      setStatus({ kind: 'error', text: errorText(e) });
    } finally {
      setDeleting(null);
    }
  };

  return (
    <div className="stack-lg">
      <section aria-labelledby="storage-h" className="section">
        <h2 id="storage-h">{t('storage.title')}</h2>
        <p>{t('storage.help')}</p>
        {status ? <Alert kind={status.kind}>{status.text}</Alert> : null}
        {!spaces ? (
          <PageLoading />
        ) : (
          <Table
            caption={t('storage.caption')}
            captionHidden
            rows={spaces}
            rowKey={(s) => s.id}
            empty={t('storage.none')}
            columns={[
              { key: 'name', header: t('storage.group'), render: (s) => s.name },
              { key: 'used', header: t('storage.used'), render: (s) => fmt.bytes(s.usedBytes) },
              { key: 'quota', header: t('storage.quota'), render: (s) => (s.quotaBytes === null ? t('storage.unlimited') : fmt.bytes(s.quotaBytes)) },
              {
                key: 'actions',
                header: <span className="visually-hidden">{t('common.actions')}</span>,
                className: 'cell-actions',
                render: (s) => (
                  <Button size="small" onClick={() => openEditor(s)} aria-label={t('storage.editNamed', { name: s.name })}>
                    {t('storage.edit')}
                  </Button>
                ),
              },
            ]}
          />
        )}
      </section>
      {quarantine && (quarantine.mode === 'quarantine' || quarantine.items.length > 0) ? (
        <section aria-labelledby="quarantine-h" className="section">
          <h2 id="quarantine-h">{t('storage.quarantineTitle')}</h2>
          <p>{t('storage.quarantineHelp')}</p>
          <Table
            caption={t('storage.quarantineTitle')}
            captionHidden
            rows={quarantine.items}
            rowKey={(q) => q.id}
            empty={t('storage.quarantineNone')}
            columns={[
              { key: 'name', header: t('storage.fileName'), render: (q) => q.name },
              { key: 'by', header: t('storage.uploadedBy'), render: (q) => q.uploadedBy.username ?? '—' },
              { key: 'signature', header: t('storage.signature'), render: (q) => q.signature },
              { key: 'size', header: t('storage.size'), render: (q) => fmt.bytes(q.size) },
              { key: 'at', header: t('storage.caught'), render: (q) => fmt.dateTime(q.createdAt) },
              {
                key: 'actions',
                header: <span className="visually-hidden">{t('common.actions')}</span>,
                className: 'cell-actions',
                render: (q) => (
                  <Button size="small" variant="danger" onClick={() => setDeleting(q)} aria-label={t('storage.deleteNamed', { name: q.name })}>
                    {t('common.delete')}
                  </Button>
                ),
              },
            ]}
          />
        </section>
      ) : null}
      <Dialog open={editing !== null} title={t('storage.editTitle', { name: editing?.name ?? '' })} onClose={() => setEditing(null)}>
        <form onSubmit={save} className="stack" noValidate>
          <TextField label={t('storage.quotaGb')} hint={t('storage.quotaHint', { used: fmt.bytes(editing?.usedBytes ?? 0) })} type="number" min={0} step="any" inputMode="decimal" value={quotaGb} error={fieldError} onChange={(e) => setQuotaGb(e.target.value)} />
          <div className="row">
            <Button type="submit" variant="primary" busy={busy}>
              {t('common.save')}
            </Button>
            <Button onClick={() => setEditing(null)}>{t('common.cancel')}</Button>
          </div>
        </form>
      </Dialog>
      <ConfirmDialog open={deleting !== null} title={t('storage.deleteTitle', { name: deleting?.name ?? '' })} confirmLabel={t('common.delete')} danger onClose={() => setDeleting(null)} onConfirm={remove}>
        <p>{t('storage.deleteBody')}</p>
      </ConfirmDialog>
    </div>
  );
}
