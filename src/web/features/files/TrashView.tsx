import { useId, useState } from 'react';
import { useLoad } from '../../app/useLoad.js';
import { useTranslation } from 'react-i18next';
import { useFilesFormat as useFormat } from './format.js';
import { Alert, Button, ConfirmDialog, Spinner } from '../../ui/index.js';
import { IconFolder } from '../../ui/icons.js';
import { filesApi, type Space, type TrashItem } from './api.js';
import { useFilesErrorText } from './errors.js';
import { IconFile, IconRestore, IconTrash } from './icons.js';
import { spaceLabel } from './spaceLabel.js';

/** A space's trash: restore an item, delete it for good, or empty the trash. */
export function TrashView({ space, onChanged, announce }: { space: Space; onChanged: () => void; announce: (message: string) => void }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const errorText = useFilesErrorText();
  const headingId = useId();
  const { data: items, error, setError, reload: load } = useLoad(async () => (await filesApi.trash(space.id)).items, [space.id], errorText);
  const [busy, setBusy] = useState<string | null>(null);
  const [purging, setPurging] = useState<TrashItem | null>(null);
  const [emptying, setEmptying] = useState(false);

  const restore = async (item: TrashItem) => {
    setBusy(item.id);
    setError(null);
    try {
      const node = await filesApi.restore(item.id);
      announce(node.name === item.name ? t('files.trash.restored', { name: item.name }) : t('files.trash.restoredAs', { name: item.name, as: node.name }));
      onChanged();
      await load();
    } catch (e) {
      setError(errorText(e, item.name));
    } finally {
      setBusy(null);
    }
  };

  const location = (item: TrashItem) => {
    const path = item.originalPath ?? '';
    const parent = path.split('/').filter(Boolean).slice(0, -1).join('/');
    return parent ? `${spaceLabel(space, t)}/${parent}` : spaceLabel(space, t);
  };

  return (
    <section aria-labelledby={headingId} className="folder">
      <div className="folder-header">
        <h2 id={headingId}>{t('files.trash.title', { space: spaceLabel(space, t) })}</h2>
        <div className="toolbar">
          <Button variant="danger" disabled={!items || items.length === 0} onClick={() => setEmptying(true)}>
            <IconTrash /> {t('files.trash.empty')}
          </Button>
        </div>
      </div>
      <p className="muted">{t('files.trash.intro')}</p>
      {error ? <Alert kind="error">{error}</Alert> : null}
      {items === null && !error ? <Spinner /> : null}
      {items ? (
        <div className="files-table-wrap">
          <table className="table files-table trash-table">
            <caption className="visually-hidden">{t('files.trash.caption')}</caption>
            <thead>
              <tr>
                <th scope="col" className="col-name">
                  {t('files.columns.name')}
                </th>
                <th scope="col" className="col-location">
                  {t('files.trash.location')}
                </th>
                <th scope="col" className="col-modified">
                  {t('files.trash.deleted')}
                </th>
                <th scope="col" className="col-size">
                  {t('files.columns.size')}
                </th>
                <th scope="col" className="cell-actions col-actions">
                  <span className="visually-hidden">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.length === 0 ? (
                <tr>
                  <td colSpan={5} className="table-empty">
                    {t('files.trash.none')}
                  </td>
                </tr>
              ) : (
                items.map((item) => (
                  <tr key={item.id}>
                    <td className="col-name">
                      <span className="file-name">
                        {item.kind === 'folder' ? <IconFolder className="file-icon file-icon-folder" /> : <IconFile className="file-icon" />}
                        <span className="wrap-anywhere">{item.name}</span>
                      </span>
                      <span className="file-meta">{t('files.trash.meta', { location: location(item), date: fmt.dateTime(item.deletedAt) })}</span>
                    </td>
                    <td className="col-location wrap-anywhere">{location(item)}</td>
                    <td className="col-modified">{fmt.dateTime(item.deletedAt)}</td>
                    <td className="col-size">{item.kind === 'folder' ? <span className="muted">—</span> : fmt.bytes(item.size)}</td>
                    <td className="cell-actions col-actions">
                      <div className="row trash-actions">
                        <Button size="small" busy={busy === item.id} disabled={busy !== null} onClick={() => void restore(item)} aria-label={t('files.trash.restoreLabel', { name: item.name })}>
                          <IconRestore /> {t('files.trash.restore')}
                        </Button>
                        <Button size="small" variant="danger" disabled={busy !== null} onClick={() => setPurging(item)} aria-label={t('files.trash.purgeLabel', { name: item.name })}>
                          {t('files.trash.purge')}
                        </Button>
                      </div>
                    </td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </div>
      ) : null}
      <ConfirmDialog
        open={purging !== null}
        title={t('files.trash.purgeTitle', { name: purging?.name ?? '' })}
        confirmLabel={t('files.trash.purge')}
        danger
        onClose={() => setPurging(null)}
        onConfirm={async () => {
          if (!purging) return;
          await filesApi.purge(purging.id);
          announce(t('files.trash.purged', { name: purging.name }));
          setPurging(null);
          await load();
        }}
      >
        <p>{t('files.trash.purgeBody')}</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={emptying}
        title={t('files.trash.emptyTitle')}
        confirmLabel={t('files.trash.empty')}
        danger
        onClose={() => setEmptying(false)}
        onConfirm={async () => {
          const r = await filesApi.emptyTrash(space.id);
          announce(t('files.trash.emptied', { count: r.purged }));
          setEmptying(false);
          await load();
        }}
      >
        <p>{t('files.trash.emptyBody', { count: items?.length ?? 0 })}</p>
      </ConfirmDialog>
    </section>
  );
}
