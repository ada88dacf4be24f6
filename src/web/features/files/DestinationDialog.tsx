import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Alert, Button, Dialog, SelectField, Spinner } from '../../ui/index.js';
import { IconFolder } from '../../ui/icons.js';
import { filesApi, type FileNode, type Space } from './api.js';
import { useFilesErrorText } from './errors.js';
import { spaceLabel } from './spaceLabel.js';

interface Crumb {
  id: string;
  name: string;
}

/**
 * Picks a destination folder for a move or a copy: browse down from a space's root, go back up
 * by the breadcrumb. A copy may go to another space; a move stays in its space (the API refuses
 * moves across spaces).
 */
export function DestinationDialog({ open, mode, item, spaces, startSpace, onClose, onConfirm }: { open: boolean; mode: 'move' | 'copy'; item: FileNode | null; spaces: Space[]; startSpace: Space; onClose: () => void; onConfirm: (folderId: string, folderName: string) => Promise<void> }) {
  const { t } = useTranslation();
  const errorText = useFilesErrorText();
  const [spaceId, setSpaceId] = useState(startSpace.id);
  const space = spaces.find((s) => s.id === spaceId) ?? startSpace;
  const [trail, setTrail] = useState<Crumb[]>([]);
  const [folders, setFolders] = useState<FileNode[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const here = trail[trail.length - 1] ?? { id: space.rootId, name: spaceLabel(space, t) };

  useEffect(() => {
    if (!open) return;
    setSpaceId(startSpace.id);
    setTrail([]);
    setError(null);
  }, [open, startSpace.id]);

  useEffect(() => {
    if (!open) return;
    const ctrl = new AbortController();
    setFolders(null);
    filesApi
      .children(here.id, { offset: 0, limit: 1000, sort: 'name', order: 'asc' }, ctrl.signal)
      .then((r) => setFolders(r.items.filter((n) => n.kind === 'folder' && n.id !== item?.id)))
      .catch((e: unknown) => {
        if ((e as Error).name !== 'AbortError') setError(errorText(e));
      });
    return () => ctrl.abort();
    // errorText is rebuilt each render; the folder is what matters.
  }, [open, here.id, item?.id]);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm(here.id, here.name);
    } catch (e) {
      setError(errorText(e, item?.name));
    } finally {
      setBusy(false);
    }
  };

  const sameFolder = mode === 'move' && item?.parentId === here.id;
  const title = mode === 'move' ? t('files.dest.moveTitle', { name: item?.name ?? '' }) : t('files.dest.copyTitle', { name: item?.name ?? '' });
  return (
    <Dialog
      open={open}
      title={title}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button variant="primary" busy={busy} disabled={sameFolder} onClick={() => void confirm()}>
            {mode === 'move' ? t('files.dest.moveHere') : t('files.dest.copyHere')}
          </Button>
        </>
      }
    >
      {error ? <Alert kind="error">{error}</Alert> : null}
      {mode === 'copy' && spaces.length > 1 ? (
        <SelectField
          label={t('files.dest.space')}
          value={spaceId}
          onChange={(e) => {
            setSpaceId(e.target.value);
            setTrail([]);
          }}
        >
          {spaces.map((s) => (
            <option key={s.id} value={s.id}>
              {spaceLabel(s, t)}
            </option>
          ))}
        </SelectField>
      ) : null}
      <nav aria-label={t('files.dest.path')} className="dest-path">
        <ol className="crumbs">
          <li>
            <button type="button" className="linkbutton" onClick={() => setTrail([])} aria-current={trail.length === 0 ? 'location' : undefined}>
              {spaceLabel(space, t)}
            </button>
          </li>
          {trail.map((c, i) => (
            <li key={c.id}>
              <button type="button" className="linkbutton" onClick={() => setTrail(trail.slice(0, i + 1))} aria-current={i === trail.length - 1 ? 'location' : undefined}>
                {c.name}
              </button>
            </li>
          ))}
        </ol>
      </nav>
      <p className="muted small">{t('files.dest.hint', { name: here.name })}</p>
      {folders === null && !error ? <Spinner /> : null}
      {folders && folders.length === 0 ? <p className="muted">{t('files.dest.noFolders')}</p> : null}
      {folders && folders.length > 0 ? (
        <ul className="dest-list" aria-label={t('files.dest.folders', { name: here.name })}>
          {folders.map((f) => (
            <li key={f.id}>
              <button type="button" onClick={() => setTrail([...trail, { id: f.id, name: f.name }])}>
                <IconFolder className="file-icon file-icon-folder" />
                <span className="wrap-anywhere">{f.name}</span>
                <span className="visually-hidden">{t('files.dest.open')}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {sameFolder ? <p className="muted small">{t('files.dest.sameFolder')}</p> : null}
    </Dialog>
  );
}
