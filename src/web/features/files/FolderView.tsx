import { useEffect, useId, useMemo, useRef, useState, type ChangeEvent, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useFilesFormat as useFormat } from './format.js';
import { Link } from '../../app/router.js';
import { Alert, Button, ConfirmDialog, Spinner } from '../../ui/index.js';
import { IconCopy, IconDownload } from '../../ui/icons.js';
import { contentUrl, editorUrl, extensionOf, filesApi, type FileNode, type SortKey, type SortOrder, type Space, type Version } from './api.js';
import { DestinationDialog } from './DestinationDialog.js';
import { useFilesErrorText } from './errors.js';
import { IconEdit, IconFolderPlus, IconFolderUp, IconHistory, IconMove, IconSort, IconTrash, IconUpload } from './icons.js';
import { NameDialog } from './NameDialog.js';
import { RowMenu } from './RowMenu.js';
import { spaceLabel } from './spaceLabel.js';
import { pickedFromDrop, pickedFromInput, type PickedFile, type UploadMode } from './useUploads.js';
import { VersionsDialog } from './VersionsDialog.js';
import { ShareDialog } from './ShareDialog.js';
import { IconUsers } from '../../ui/icons.js';
import { FileIcon, FileThumb } from './FileThumb.js';
import { IconGrid, IconList } from './icons.js';
import { PreviewDialog } from './PreviewDialog.js';
import { useViewMode } from './useViewMode.js';
import type { MenuAction } from './RowMenu.js';
import { zipUrl } from './api.js';
import { IconStar, IconZip } from './quickIcons.js';
import { useFavorites } from './useFavorites.js';
import { useFolderPages } from './useFolderPages.js';
import { VirtualFileGrid } from './VirtualFileGrid.js';
import { VirtualFileTable } from './VirtualFileTable.js';

type Pending = { kind: 'newFolder' } | { kind: 'rename' | 'move' | 'copy' | 'delete' | 'versions' | 'share'; node: FileNode } | null;

export const folderPath = (spaceId: string, folderId?: string) => (folderId ? `/files/${encodeURIComponent(spaceId)}/${encodeURIComponent(folderId)}` : `/files/${encodeURIComponent(spaceId)}`);

/** One folder: breadcrumb, toolbar, the listing (sortable, virtualized, fetched as it scrolls), drag-and-drop uploads. */
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
  const [trail, setTrail] = useState<FileNode[]>([]);
  const [sort, setSort] = useState<{ key: SortKey; order: SortOrder }>({ key: 'name', order: 'asc' });
  const [error, setError] = useState<string | null>(null);
  const pages = useFolderPages(folderId, sort, refreshKey, errorText);
  const listing = pages.data;
  const [pending, setPending] = useState<Pending>(null);
  const [dragging, setDragging] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const versionInput = useRef<HTMLInputElement>(null);
  const versionTarget = useRef<FileNode | null>(null);
  const favorites = useFavorites(announce);
  const headingId = useId();
  const isRoot = folderId === space.rootId;
  const [view, setView] = useViewMode();
  const [previewIndex, setPreviewIndex] = useState<number | null>(null);
  const [editorExtensions, setEditorExtensions] = useState<Set<string>>(new Set());

  // "Open in editor" only when an office editor is configured and opens this type.
  useEffect(() => {
    const ctrl = new AbortController();
    filesApi
      .editor(ctrl.signal)
      .then((r) => setEditorExtensions(new Set(r.extensions)))
      .catch(() => setEditorExtensions(new Set()));
    return () => ctrl.abort();
  }, []);

  const load = () => void pages.reload();

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

  const done = (message: string) => {
    setPending(null);
    announce(message);
    onChanged();
    load();
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

  const total = listing?.total ?? 0;
  const shownError = error ?? pages.error;
  const pendingNode = pending && pending.kind !== 'newFolder' ? pending.node : null;
  // Previous/next in the preview walk the loaded files of this folder, in the listing's order.
  const fileItems = useMemo(() => pages.loadedItems().filter((n) => n.kind === 'file'), [pages.loadedItems]);
  const openPreview = (n: FileNode) => setPreviewIndex(fileItems.findIndex((f) => f.id === n.id));

  const uploadPicked = (e: ChangeEvent<HTMLInputElement>) => {
    onUpload(folderId, pickedFromInput(e.target.files));
    e.target.value = '';
  };

  const rowActions = (n: FileNode): MenuAction[] => [
    ...(n.kind === 'file' && editorExtensions.has(extensionOf(n.name))
      ? [{ id: 'openInEditor', label: t('files.editor.open'), icon: <IconEdit />, href: editorUrl(n.id), newTab: true }]
      : []),
    ...(n.kind === 'file'
      ? [
          { id: 'download', label: t('common.download'), icon: <IconDownload />, href: contentUrl(n.id) },
        ]
      : []),
    ...(n.kind === 'folder' ? [{ id: 'zip', label: t('files.actions.zip'), icon: <IconZip />, href: zipUrl(n.id) }] : []),
    { id: 'rename', label: t('files.actions.rename'), icon: <IconEdit />, onSelect: () => setPending({ kind: 'rename', node: n }) },
    { id: 'move', label: t('files.actions.move'), icon: <IconMove />, onSelect: () => setPending({ kind: 'move', node: n }) },
    { id: 'copy', label: t('files.actions.copy'), icon: <IconCopy />, onSelect: () => setPending({ kind: 'copy', node: n }) },
    { id: 'share', label: t('sharing.dialog.menu'), icon: <IconUsers />, onSelect: () => setPending({ kind: 'share', node: n }) },
    favorites.ids.has(n.id)
      ? { id: 'unstar', label: t('favorites.remove'), icon: <IconStar filled />, onSelect: () => void favorites.toggle(n) }
      : { id: 'star', label: t('favorites.add'), icon: <IconStar />, onSelect: () => void favorites.toggle(n) },
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
  ];

  // A file's name opens its preview; the link still downloads (new tab, "save link as").
  const nameLink = (n: FileNode) =>
    n.kind === 'folder' ? (
      <Link to={folderPath(space.id, n.id)} className="wrap-anywhere">
        {n.name}
      </Link>
    ) : (
      <a
        href={contentUrl(n.id)}
        download
        className="wrap-anywhere"
        onClick={(e) => {
          if (e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
          e.preventDefault();
          openPreview(n);
        }}
      >
        {n.name}
      </a>
    );

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
          <div className="view-toggle" role="group" aria-label={t('preview.view')}>
            <button type="button" className="btn btn-secondary view-toggle-btn" aria-pressed={view === 'list'} onClick={() => setView('list')}>
              <IconList /> <span className="visually-hidden">{t('preview.listView')}</span>
            </button>
            <button type="button" className="btn btn-secondary view-toggle-btn" aria-pressed={view === 'grid'} onClick={() => setView('grid')}>
              <IconGrid /> <span className="visually-hidden">{t('preview.gridView')}</span>
            </button>
          </div>
        </div>
      </div>
      {/* The inputs stay hidden: the toolbar buttons and the menu open them. */}
      <input
        ref={fileInput}
        type="file"
        multiple
        hidden
        aria-label={t('files.uploadFiles')}
        onChange={uploadPicked}
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
        onChange={uploadPicked}
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
      {shownError ? <Alert kind="error">{shownError}</Alert> : null}
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
        {listing === null && !shownError ? <Spinner /> : null}
        {listing && total === 0 ? (
          <p className="table-empty files-empty">{t('files.empty')}</p>
        ) : listing && view === 'grid' ? (
          <VirtualFileGrid
            label={t('files.caption', { name: folderName })}
            total={total}
            itemAt={pages.itemAt}
            ensure={pages.ensure}
            loadingLabel={t('common.loading')}
            card={(n) => (
              <>
                <FileThumb node={n} icon={<FileIcon node={n} />} />
                <span className="files-card-name">{nameLink(n)}</span>
                <span className="file-meta-grid muted small">{n.kind === 'file' ? fmt.bytes(n.size) : fmt.dateTime(n.modifiedAt)}</span>
                <span className="files-card-menu">
                  <RowMenu label={t('files.actions.menu', { name: n.name })} actions={rowActions(n)} />
                </span>
              </>
            )}
          />
        ) : listing ? (
          <VirtualFileTable
            caption={t('files.caption', { name: folderName })}
            columns={4}
            total={total}
            itemAt={pages.itemAt}
            ensure={pages.ensure}
            loadingLabel={t('common.loading')}
            header={
              <>
                {sortHeader('name', t('files.columns.name'), 'col-name')}
                {sortHeader('size', t('files.columns.size'), 'col-size')}
                {sortHeader('modifiedAt', t('files.columns.modified'), 'col-modified')}
                <th scope="col" className="cell-actions col-actions">
                  <span className="visually-hidden">{t('common.actions')}</span>
                </th>
              </>
            }
            cells={(n) => (
              <>
                <td className="col-name">
                  <span className="file-name">
                    <FileIcon node={n} />
                    {nameLink(n)}
                    {favorites.ids.has(n.id) ? (
                      <span className="favorite-mark" title={t('favorites.marked')}>
                        <IconStar filled />
                        <span className="visually-hidden">{t('favorites.marked')}</span>
                      </span>
                    ) : null}
                  </span>
                  <span className="file-meta">
                    {n.kind === 'file' ? `${fmt.bytes(n.size)} · ` : ''}
                    {fmt.dateTime(n.modifiedAt)}
                  </span>
                </td>
                <td className="col-size">{n.kind === 'folder' ? <span className="muted">—</span> : fmt.bytes(n.size)}</td>
                <td className="col-modified">{fmt.dateTime(n.modifiedAt)}</td>
                <td className="cell-actions col-actions">
                  <RowMenu label={t('files.actions.menu', { name: n.name })} actions={rowActions(n)} />
                </td>
              </>
            )}
          />
        ) : null}
        <div className="folder-foot">
          {listing && total > 0 ? <p className="muted small">{t('files.count', { count: total, number: fmt.number(total) })}</p> : <span />}
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
      <PreviewDialog files={fileItems} index={previewIndex !== null && previewIndex >= 0 ? previewIndex : null} onIndex={setPreviewIndex} onClose={() => setPreviewIndex(null)} />
      <VersionsDialog
        file={pending?.kind === 'versions' ? pending.node : null}
        onClose={() => setPending(null)}
        onRestored={(_node: FileNode, v: Version) => {
          announce(t('files.versions.restored', { date: fmt.dateTime(v.createdAt) }));
          onChanged();
          load();
        }}
      />
    </section>
  );
}
