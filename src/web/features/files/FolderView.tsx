import { useCallback, useEffect, useId, useRef, useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useFilesFormat as useFormat } from './format.js';
import { Link } from '../../app/router.js';
import { Alert, Button, ConfirmDialog, Spinner } from '../../ui/index.js';
import { IconCopy, IconDownload, IconFolder } from '../../ui/icons.js';
import { contentUrl, filesApi, type FileNode, type Listing, type SortKey, type SortOrder, type Space, type Version } from './api.js';
import { DestinationDialog } from './DestinationDialog.js';
import { useFilesErrorText } from './errors.js';
import { IconEdit, IconFile, IconFolderPlus, IconFolderUp, IconHistory, IconImage, IconMove, IconSort, IconTrash, IconUpload } from './icons.js';
import { NameDialog } from './NameDialog.js';
import { RowMenu } from './RowMenu.js';
import { spaceLabel } from './spaceLabel.js';
import { pickedFromDrop, pickedFromInput, type PickedFile, type UploadMode } from './useUploads.js';
import { VersionsDialog } from './VersionsDialog.js';
import { ShareDialog } from './ShareDialog.js';
import { IconUsers } from '../../ui/icons.js';

type Pending = { kind: 'newFolder' } | { kind: 'rename' | 'move' | 'copy' | 'delete' | 'versions' | 'share'; node: FileNode } | null;

export const folderPath = (spaceId: string, folderId?: string) => (folderId ? `/files/${encodeURIComponent(spaceId)}/${encodeURIComponent(folderId)}` : `/files/${encodeURIComponent(spaceId)}`);

function FileIcon({ node }: { node: FileNode }) {
  if (node.kind === 'folder') return <IconFolder className="file-icon file-icon-folder" />;
  if (node.contentType?.startsWith('image/')) return <IconImage className="file-icon" />;
  return <IconFile className="file-icon" />;
}

/** One folder: breadcrumb, toolbar, the listing (sortable, paged), drag-and-drop uploads. */
export function FolderView({
  space,
  spaces,
  folderId,
  refreshKey,
  onUpload,
  onChanged,
  announce,
}: {
  space: Space;
  spaces: Space[];
  folderId: string;
  refreshKey: number;
  onUpload: (targetId: string, files: PickedFile[], mode?: UploadMode) => void;
  onChanged: () => void;
  announce: (message: string) => void;
}) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const errorText = useFilesErrorText();
  const [listing, setListing] = useState<Listing | null>(null);
  const [trail, setTrail] = useState<FileNode[]>([]);
  const [sort, setSort] = useState<{ key: SortKey; order: SortOrder }>({ key: 'name', order: 'asc' });
  const [error, setError] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [pending, setPending] = useState<Pending>(null);
  const [dragging, setDragging] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const versionInput = useRef<HTMLInputElement>(null);
  const versionTarget = useRef<FileNode | null>(null);
  const headingId = useId();
  const isRoot = folderId === space.rootId;

  const load = useCallback(
    (signal?: AbortSignal) =>
      filesApi
        .children(folderId, { offset: 0, sort: sort.key, order: sort.order }, signal)
        .then((r) => {
          setListing(r);
          setError(null);
        })
        .catch((e: unknown) => {
          if ((e as Error).name !== 'AbortError') setError(errorText(e));
        }),
    // errorText is rebuilt each render; the listing depends on the folder and the sort.
    [folderId, sort.key, sort.order],
  );

  useEffect(() => {
    const ctrl = new AbortController();
    void load(ctrl.signal);
    return () => ctrl.abort();
  }, [load, refreshKey]);

  // The breadcrumb: walk up from the folder to the space root.
  useEffect(() => {
    const ctrl = new AbortController();
    (async () => {
      const chain: FileNode[] = [];
      let id: string | null = folderId;
      while (id && id !== space.rootId && chain.length < 64) {
        const node: FileNode = await filesApi.node(id, ctrl.signal);
        chain.unshift(node);
        id = node.parentId;
      }
      setTrail(chain);
    })().catch((e: unknown) => {
      if ((e as Error).name !== 'AbortError') setError(errorText(e));
    });
    return () => ctrl.abort();
    // errorText is rebuilt each render.
  }, [folderId, space.rootId]);

  const current = trail[trail.length - 1];
  const folderName = isRoot ? spaceLabel(space, t) : (listing?.folder.name ?? current?.name ?? '');

  const loadMore = async () => {
    if (!listing) return;
    setLoadingMore(true);
    try {
      const r = await filesApi.children(folderId, { offset: listing.items.length, sort: sort.key, order: sort.order });
      setListing({ ...r, items: [...listing.items, ...r.items] });
    } catch (e) {
      setError(errorText(e));
    } finally {
      setLoadingMore(false);
    }
  };

  const done = (message: string) => {
    setPending(null);
    announce(message);
    onChanged();
    void load();
  };

  const toggleSort = (key: SortKey) => setSort((s) => (s.key === key ? { key, order: s.order === 'asc' ? 'desc' : 'asc' } : { key, order: key === 'modifiedAt' ? 'desc' : 'asc' }));

  const onDrop = async (e: DragEvent<HTMLElement>) => {
    e.preventDefault();
    setDragging(false);
    const picked = await pickedFromDrop(e.dataTransfer);
    onUpload(folderId, picked);
  };

  const sortHeader = (key: SortKey, label: string, className?: string) => {
    const active = sort.key === key;
    return (
      <th scope="col" className={className} aria-sort={active ? (sort.order === 'asc' ? 'ascending' : 'descending') : undefined}>
        <button type="button" className="sort-btn" onClick={() => toggleSort(key)}>
          {label}
          <IconSort dir={active ? sort.order : null} className="sort-icon" />
          <span className="visually-hidden">{active ? (sort.order === 'asc' ? t('files.sort.asc') : t('files.sort.desc')) : t('files.sort.none')}</span>
        </button>
      </th>
    );
  };

  const items = listing?.items ?? [];
  const pendingNode = pending && pending.kind !== 'newFolder' ? pending.node : null;

  return (
    <section aria-labelledby={headingId} className="folder">
      {isRoot ? null : (
        <nav aria-label={t('files.breadcrumb')} className="breadcrumb">
          <ol className="crumbs">
            <li>
              <Link to={folderPath(space.id)}>{spaceLabel(space, t)}</Link>
            </li>
            {trail.map((n, i) => (
              <li key={n.id}>{i === trail.length - 1 ? <span aria-current="page">{n.name}</span> : <Link to={folderPath(space.id, n.id)}>{n.name}</Link>}</li>
            ))}
          </ol>
        </nav>
      )}
      <div className="folder-header">
        <h2 id={headingId} className="folder-title wrap-anywhere">
          {folderName}
        </h2>
        <div className="toolbar" role="group" aria-label={t('files.toolbar')}>
          <Button onClick={() => setPending({ kind: 'newFolder' })}>
            <IconFolderPlus /> {t('files.newFolder')}
          </Button>
          <Button variant="primary" onClick={() => fileInput.current?.click()}>
            <IconUpload /> {t('files.uploadFiles')}
          </Button>
          <Button onClick={() => folderInput.current?.click()}>
            <IconFolderUp /> {t('files.uploadFolder')}
          </Button>
        </div>
      </div>
      {/* The inputs stay hidden: the toolbar buttons and the menu open them. */}
      <input
        ref={fileInput}
        type="file"
        multiple
        hidden
        aria-label={t('files.uploadFiles')}
        onChange={(e) => {
          onUpload(folderId, pickedFromInput(e.target.files));
          e.target.value = '';
        }}
      />
      <input
        ref={(el) => {
          folderInput.current = el;
          // React does not know the attribute; set it on the element.
          el?.setAttribute('webkitdirectory', '');
        }}
        type="file"
        multiple
        hidden
        aria-label={t('files.uploadFolder')}
        onChange={(e) => {
          onUpload(folderId, pickedFromInput(e.target.files));
          e.target.value = '';
        }}
      />
      <input
        ref={versionInput}
        type="file"
        hidden
        aria-label={t('files.actions.newVersion')}
        onChange={(e) => {
          const target = versionTarget.current;
          const file = e.target.files?.[0];
          e.target.value = '';
          if (!target || !file) return;
          // The chosen file becomes the new content of this item, whatever its own name.
          const renamed = new File([file], target.name, { type: file.type || target.contentType || 'application/octet-stream' });
          onUpload(folderId, [{ file: renamed, dirs: [] }], 'replace');
        }}
      />
      {error ? <Alert kind="error">{error}</Alert> : null}
      <div
        className={`dropzone ${dragging ? 'is-dragging' : ''}`}
        onDragOver={(e) => {
          if (!Array.from(e.dataTransfer.types).includes('Files')) return;
          e.preventDefault();
          e.dataTransfer.dropEffect = 'copy';
          setDragging(true);
        }}
        onDragLeave={(e) => {
          if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
        }}
        onDrop={(e) => void onDrop(e)}
      >
        {listing === null && !error ? <Spinner /> : null}
        {listing ? (
          <div className="files-table-wrap">
            <table className="table files-table">
              <caption className="visually-hidden">{t('files.caption', { name: folderName })}</caption>
              <thead>
                <tr>
                  {sortHeader('name', t('files.columns.name'), 'col-name')}
                  {sortHeader('size', t('files.columns.size'), 'col-size')}
                  {sortHeader('modifiedAt', t('files.columns.modified'), 'col-modified')}
                  <th scope="col" className="cell-actions col-actions">
                    <span className="visually-hidden">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.length === 0 ? (
                  <tr>
                    <td colSpan={4} className="table-empty">
                      {t('files.empty')}
                    </td>
                  </tr>
                ) : (
                  items.map((n) => (
                    <tr key={n.id}>
                      <td className="col-name">
                        <span className="file-name">
                          <FileIcon node={n} />
                          {n.kind === 'folder' ? (
                            <Link to={folderPath(space.id, n.id)} className="wrap-anywhere">
                              {n.name}
                            </Link>
                          ) : (
                            <a href={contentUrl(n.id)} download className="wrap-anywhere">
                              {n.name}
                            </a>
                          )}
                        </span>
                        <span className="file-meta">
                          {n.kind === 'file' ? `${fmt.bytes(n.size)} · ` : ''}
                          {fmt.dateTime(n.modifiedAt)}
                        </span>
                      </td>
                      <td className="col-size">{n.kind === 'folder' ? <span className="muted">—</span> : fmt.bytes(n.size)}</td>
                      <td className="col-modified">{fmt.dateTime(n.modifiedAt)}</td>
                      <td className="cell-actions col-actions">
                        <RowMenu
                          label={t('files.actions.menu', { name: n.name })}
                          actions={[
                            ...(n.kind === 'file' ? [{ id: 'download', label: t('common.download'), icon: <IconDownload />, href: contentUrl(n.id) }] : []),
                            { id: 'rename', label: t('files.actions.rename'), icon: <IconEdit />, onSelect: () => setPending({ kind: 'rename', node: n }) },
                            { id: 'move', label: t('files.actions.move'), icon: <IconMove />, onSelect: () => setPending({ kind: 'move', node: n }) },
                            { id: 'copy', label: t('files.actions.copy'), icon: <IconCopy />, onSelect: () => setPending({ kind: 'copy', node: n }) },
                            { id: 'share', label: t('sharing.dialog.menu'), icon: <IconUsers />, onSelect: () => setPending({ kind: 'share', node: n }) },
                            ...(n.kind === 'file'
                              ? [
                                  {
                                    id: 'newVersion',
                                    label: t('files.actions.newVersion'),
                                    icon: <IconUpload />,
                                    onSelect: () => {
                                      versionTarget.current = n;
                                      versionInput.current?.click();
                                    },
                                  },
                                  { id: 'versions', label: t('files.actions.versions'), icon: <IconHistory />, onSelect: () => setPending({ kind: 'versions', node: n }) },
                                ]
                              : []),
                            { id: 'delete', label: t('files.actions.delete'), icon: <IconTrash />, danger: true, onSelect: () => setPending({ kind: 'delete', node: n }) },
                          ]}
                        />
                      </td>
                    </tr>
                  ))
                )}
              </tbody>
            </table>
          </div>
        ) : null}
        <div className="folder-foot">
          {listing && listing.total > items.length ? (
            <div className="load-more">
              <span className="muted">{t('files.showing', { shown: fmt.number(items.length), total: fmt.number(listing.total) })}</span>
              <Button busy={loadingMore} onClick={() => void loadMore()}>
                {t('files.loadMore')}
              </Button>
            </div>
          ) : listing && listing.total > 0 ? (
            <p className="muted small">{t('files.count', { count: listing.total })}</p>
          ) : (
            <span />
          )}
          <p className="dropzone-hint muted small">{t('files.dropHint')}</p>
        </div>
      </div>

      <NameDialog
        open={pending?.kind === 'newFolder'}
        title={t('files.newFolder')}
        label={t('files.folderName')}
        initial=""
        submitLabel={t('files.create')}
        onClose={() => setPending(null)}
        onSubmit={async (name) => {
          await filesApi.createFolder(folderId, name);
          done(t('files.done.created', { name }));
        }}
      />
      <NameDialog
        open={pending?.kind === 'rename'}
        title={t('files.renameTitle', { name: pendingNode?.name ?? '' })}
        label={t('files.newName')}
        initial={pendingNode?.name ?? ''}
        submitLabel={t('files.actions.rename')}
        onClose={() => setPending(null)}
        onSubmit={async (name) => {
          if (!pendingNode) return;
          if (name === pendingNode.name) {
            setPending(null);
            return;
          }
          await filesApi.rename(pendingNode.id, name);
          done(t('files.done.renamed', { from: pendingNode.name, to: name }));
        }}
      />
      <DestinationDialog
        open={pending?.kind === 'move' || pending?.kind === 'copy'}
        mode={pending?.kind === 'copy' ? 'copy' : 'move'}
        item={pendingNode}
        spaces={spaces}
        startSpace={space}
        onClose={() => setPending(null)}
        onConfirm={async (targetId, targetName) => {
          if (!pendingNode) return;
          if (pending?.kind === 'copy') {
            await filesApi.copy(pendingNode.id, targetId);
            done(t('files.done.copied', { name: pendingNode.name, folder: targetName }));
          } else {
            await filesApi.move(pendingNode.id, targetId);
            done(t('files.done.moved', { name: pendingNode.name, folder: targetName }));
          }
        }}
      />
      <ConfirmDialog
        open={pending?.kind === 'delete'}
        title={t('files.deleteTitle', { name: pendingNode?.name ?? '' })}
        confirmLabel={t('files.actions.delete')}
        danger
        onClose={() => setPending(null)}
        onConfirm={async () => {
          if (!pendingNode) return;
          await filesApi.remove(pendingNode.id);
          done(t('files.done.deleted', { name: pendingNode.name }));
        }}
      >
        <p>{pendingNode?.kind === 'folder' ? t('files.deleteFolderBody') : t('files.deleteBody')}</p>
      </ConfirmDialog>
      <ShareDialog node={pending?.kind === 'share' ? pending.node : null} onClose={() => setPending(null)} />
      <VersionsDialog
        file={pending?.kind === 'versions' ? pending.node : null}
        onClose={() => setPending(null)}
        onRestored={(_node: FileNode, v: Version) => {
          announce(t('files.versions.restored', { date: fmt.dateTime(v.createdAt) }));
          onChanged();
          void load();
        }}
      />
    </section>
  );
}
