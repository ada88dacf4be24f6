import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useFilesFormat as useFormat } from './format.js';
import { Alert, Button, Dialog, Spinner } from '../../ui/index.js';
import { filesApi, type FileNode, type Version } from './api.js';
import { useFilesErrorText } from './errors.js';

/** Earlier versions of a file, newest first; restoring one keeps the current content as a version. */
export function VersionsDialog({ file, onClose, onRestored }: { file: FileNode | null; onClose: () => void; onRestored: (node: FileNode, version: Version) => void }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const errorText = useFilesErrorText();
  const [versions, setVersions] = useState<Version[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [current, setCurrent] = useState<FileNode | null>(file);
  const [done, setDone] = useState('');

  const load = useCallback(
    (id: string) => {
      setVersions(null);
      filesApi
        .versions(id)
        .then((r) => setVersions(r.versions))
        .catch((e: unknown) => setError(errorText(e)));
    },
    // errorText is rebuilt each render; loading depends only on the file.
    [],
  );

  useEffect(() => {
    setCurrent(file);
    setError(null);
    setDone('');
    if (file) load(file.id);
  }, [file, load]);

  const restore = async (v: Version) => {
    if (!current) return;
    setBusy(v.id);
    setError(null);
    try {
      const node = await filesApi.restoreVersion(current.id, v.id);
      setCurrent(node);
      onRestored(node, v);
      setDone(t('files.versions.restored', { date: fmt.dateTime(v.createdAt) }));
      load(node.id);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <Dialog open={file !== null} title={t('files.versions.title', { name: file?.name ?? '' })} onClose={onClose} wide>
      {error ? <Alert kind="error">{error}</Alert> : null}
      <p role="status" className={done ? 'files-done' : 'visually-hidden'}>
        {done}
      </p>
      {current ? (
        <p>
          {t('files.versions.current', { date: fmt.dateTime(current.modifiedAt), size: fmt.bytes(current.size) })}
        </p>
      ) : null}
      {versions === null && !error ? <Spinner /> : null}
      {versions && versions.length === 0 ? <p className="muted">{t('files.versions.none')}</p> : null}
      {versions && versions.length > 0 ? (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">{t('files.versions.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('files.versions.saved')}</th>
                <th scope="col">{t('files.columns.size')}</th>
                <th scope="col" className="cell-actions">
                  <span className="visually-hidden">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {versions.map((v) => (
                <tr key={v.id}>
                  <td>{fmt.dateTime(v.createdAt)}</td>
                  <td>{fmt.bytes(v.size)}</td>
                  <td className="cell-actions">
                    <Button size="small" busy={busy === v.id} disabled={busy !== null} onClick={() => void restore(v)} aria-label={t('files.versions.restoreLabel', { date: fmt.dateTime(v.createdAt) })}>
                      {t('files.versions.restore')}
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <p className="muted small">{t('files.versions.policy')}</p>
    </Dialog>
  );
}
