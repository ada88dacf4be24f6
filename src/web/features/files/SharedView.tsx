import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../app/api.js';
import { useLoad } from '../../app/useLoad.js';
import { Link } from '../../app/router.js';
import { Alert, Button, Spinner } from '../../ui/index.js';
import { contentUrl, filesApi, type FileNode, type Listing } from './api.js';
import { useFilesErrorText } from './errors.js';
import { useFilesFormat } from './format.js';
import { IconDownload, IconFolder } from '../../ui/icons.js';
import { IconFile, IconTrash } from './icons.js';

/** "Shared with me" (/files/shared) and a shared folder (/files/shared/:folder): read-only for view shares. */

interface SharedItem {
  node: FileNode;
  role: 'view' | 'edit';
  sharedBy: { displayName: string };
  sharedAt: string;
}

export const SHARED_PATH = '/files/shared';
const sharedFolderPath = (id: string) => `${SHARED_PATH}/${encodeURIComponent(id)}`;

function Row({ node, canEdit, onDelete, extra }: { node: FileNode; canEdit: boolean; onDelete: (n: FileNode) => void; extra?: string }) {
  const { t } = useTranslation();
  const fmt = useFilesFormat();
  return (
    <li>
      {node.kind === 'folder' ? <IconFolder className="file-icon file-icon-folder" /> : <IconFile className="file-icon" />}
      <span className="public-list-name">
        {node.kind === 'folder' ? <Link to={sharedFolderPath(node.id)}>{node.name}</Link> : node.name}
        {extra ? <span className="muted small"> · {extra}</span> : null}
      </span>
      {node.kind === 'file' ? <span className="muted">{fmt.bytes(node.size)}</span> : null}
      {node.kind === 'file' ? (
        <a className="btn btn-small btn-ghost" href={contentUrl(node.id)} download aria-label={t('sharing.public.downloadNamed', { name: node.name })}>
          <IconDownload />
          {t('common.download')}
        </a>
      ) : null}
      {canEdit ? (
        <Button size="small" variant="ghost" aria-label={t('sharing.withMe.deleteNamed', { name: node.name })} onClick={() => onDelete(node)}>
          <IconTrash />
          {t('files.actions.delete')}
        </Button>
      ) : null}
    </li>
  );
}

export function SharedView({ folderId, announce }: { folderId?: string; announce: (message: string) => void }) {
  const { t } = useTranslation();
  const errorText = useFilesErrorText();
  const headingId = useId();
  // The top of /dav/shared (what was shared with me), or one shared folder with my role in it.
  const { data, error, setError, reload } = useLoad<{ items: SharedItem[] } | { listing: Listing; canEdit: boolean }>(
    async () => {
      if (!folderId) return { items: (await api.get<{ items: SharedItem[] }>('/api/files/shared-with-me')).items };
      const [listing, access] = await Promise.all([
        filesApi.children(folderId, { offset: 0, limit: 1000, sort: 'name', order: 'asc' }),
        api.get<{ yourRole: string }>(`/api/files/nodes/${encodeURIComponent(folderId)}/access`),
      ]);
      return { listing, canEdit: access.yourRole !== 'view' };
    },
    [folderId],
    errorText,
  );
  const items = data && 'items' in data ? data.items : null;
  const listing = data && 'listing' in data ? data.listing : null;
  const canEdit = !!data && 'canEdit' in data && data.canEdit;

  const remove = async (n: FileNode) => {
    try {
      await filesApi.remove(n.id);
      announce(t('files.done.deleted', { name: n.name }));
      await reload();
    } catch (e) {
      setError(errorText(e));
    }
  };

  const title = folderId ? (listing?.folder.name ?? '') : t('sharing.withMe.title');
  return (
    <section aria-labelledby={headingId}>
      {folderId ? (
        <nav aria-label={t('sharing.public.path')} className="public-trail">
          <Link to={SHARED_PATH}>{t('sharing.withMe.title')}</Link>
          <span aria-current="page">{title}</span>
        </nav>
      ) : null}
      <h2 id={headingId}>{title || t('sharing.withMe.title')}</h2>
      {folderId && listing && !canEdit ? <p className="muted">{t('sharing.withMe.readOnly')}</p> : null}
      {error ? <Alert kind="error">{error}</Alert> : null}
      {!error && !(folderId ? listing : items) ? <Spinner label={t('common.loading')} /> : null}
      {!folderId && items ? (
        items.length === 0 ? (
          <p>{t('sharing.withMe.empty')}</p>
        ) : (
          <ul className="public-list">
            {items.map((i) => (
              <Row
                key={i.node.id}
                node={i.node}
                canEdit={i.role === 'edit'}
                onDelete={(n) => void remove(n)}
                extra={[t('sharing.withMe.sharedBy', { name: i.sharedBy.displayName }), i.role === 'view' ? t('sharing.withMe.readOnly') : ''].filter(Boolean).join(' · ')}
              />
            ))}
          </ul>
        )
      ) : null}
      {folderId && listing ? (
        listing.items.length === 0 ? (
          <p>{t('sharing.public.empty')}</p>
        ) : (
          <ul className="public-list">
            {listing.items.map((n) => (
              <Row key={n.id} node={n} canEdit={canEdit} onDelete={(x) => void remove(x)} />
            ))}
          </ul>
        )
      ) : null}
    </section>
  );
}
