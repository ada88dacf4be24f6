import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useErrorText } from '../../app/errors.js';
import { useFilesFormat as useFormat } from './format.js';
import { Link, matchPath, Redirect, useLocation, usePageTitle } from '../../app/router.js';
import { useSession } from '../../app/session.js';
import { Alert, PageLoading } from '../../ui/index.js';
import { IconUser, IconUsers } from '../../ui/icons.js';
import { filesApi, type Space } from './api.js';
import { FolderView, folderPath } from './FolderView.js';
import { IconTrash } from './icons.js';
import { spaceLabel } from './spaceLabel.js';
import { TrashView } from './TrashView.js';
import { SHARED_PATH, SharedView } from './SharedView.js';
import { IconShared } from './icons.js';
import { UploadPanel } from './UploadPanel.js';
import { FAVORITES_PATH, FavoritesView, RECENT_PATH, RecentView } from './QuickViews.js';
import { IconClock, IconStar } from './quickIcons.js';
import { FileSearchField, FileSearchResults } from './FileSearch.js';
import { useUploads } from './useUploads.js';
import './files.css';

/**
 * /files, /files/:space, /files/:space/:folder and /files/:space/trash: the spaces on the side,
 * the folder (or the trash) in the middle, uploads below. Uploads outlive folder changes.
 */
export function FilesPage() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const errorText = useErrorText();
  const { path } = useLocation();
  const { state } = useSession();
  const csrfToken = state.status === 'signedIn' ? state.session.csrfToken : '';
  const [spaces, setSpaces] = useState<Space[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [refreshKey, setRefreshKey] = useState(0);
  const [message, setMessage] = useState('');
  const [query, setQuery] = useState('');
  usePageTitle(t('files.title'));

  const loadSpaces = useCallback(() => {
    filesApi
      .spaces()
      .then((r) => setSpaces(r.spaces))
      .catch((e: unknown) => setError(e));
  }, []);
  useEffect(loadSpaces, [loadSpaces]);

  const onChanged = useCallback(() => loadSpaces(), [loadSpaces]);
  const uploads = useUploads(
    csrfToken,
    useCallback(() => {
      setRefreshKey((k) => k + 1);
      loadSpaces();
    }, [loadSpaces]),
  );

  const params = matchPath('/files/:space?/:folder?', path);
  // A new path clears the last result so it is not announced on the wrong page.
  useEffect(() => setMessage(''), [path]);
  // Opening a result's folder (or any other place) ends the search.
  useEffect(() => setQuery(''), [path]);

  if (error) {
    return (
      <div className="page">
        <h1>{t('files.title')}</h1>
        <Alert kind="error">{errorText(error)}</Alert>
      </div>
    );
  }
  if (!spaces) return <PageLoading />;
  const personal = spaces.find((s) => s.kind === 'personal') ?? spaces[0];
  if (!params?.space) {
    return personal ? <Redirect to={folderPath(personal.id)} /> : <p>{t('files.noSpaces')}</p>;
  }
  const inShared = params.space === 'shared';
  const quick = params.space === 'favorites' || params.space === 'recent' ? params.space : null;
  const space = inShared || quick ? undefined : spaces.find((s) => s.id === params.space);
  const inTrash = params.folder === 'trash';

  return (
    <div className="page page-wide files-page">
      <div className="page-header files-header">
        <h1>{t('files.title')}</h1>
        <FileSearchField value={query} onChange={setQuery} />
      </div>
      <div className="files-layout">
        <nav className="spaces" aria-label={t('files.spaces')}>
          <ul>
            {spaces.map((s) => (
              <li key={s.id}>
                <Link to={folderPath(s.id)} aria-current={s.id === space?.id && !inTrash ? 'page' : undefined}>
                  {s.kind === 'personal' ? <IconUser /> : <IconUsers />}
                  <span className="wrap-anywhere">{spaceLabel(s, t)}</span>
                </Link>
              </li>
            ))}
            <li>
              <Link to={SHARED_PATH} aria-current={inShared && !params.folder ? 'page' : undefined}>
                <IconShared />
                <span>{t('sharing.withMe.title')}</span>
              </Link>
            </li>
            <li>
              <Link to={FAVORITES_PATH} aria-current={quick === 'favorites' ? 'page' : undefined}>
                <IconStar />
                <span>{t('favorites.title')}</span>
              </Link>
            </li>
            <li>
              <Link to={RECENT_PATH} aria-current={quick === 'recent' ? 'page' : undefined}>
                <IconClock />
                <span>{t('recent.title')}</span>
              </Link>
            </li>
            {space ? (
              <li className="spaces-trash">
                <Link to={`${folderPath(space.id)}/trash`} aria-current={inTrash ? 'page' : undefined}>
                  <IconTrash />
                  <span>{t('files.trash.link')}</span>
                </Link>
              </li>
            ) : null}
          </ul>
          {space && space.quotaBytes !== null ? (
            <div className="quota">
              <span>{t('files.quota', { used: fmt.bytes(space.usedBytes), quota: fmt.bytes(space.quotaBytes) })}</span>
              <progress className="meter" max={space.quotaBytes} value={Math.min(space.usedBytes, space.quotaBytes)} aria-label={t('files.quotaLabel')} />
            </div>
          ) : space ? (
            <p className="quota muted small">{t('files.used', { used: fmt.bytes(space.usedBytes) })}</p>
          ) : null}
        </nav>
        <div className="files-main">
          <p role="status" className={message ? 'files-done' : 'visually-hidden'}>
            {message}
          </p>
          {query.trim() ? (
            <FileSearchResults query={query} spaces={spaces} />
          ) : quick === 'favorites' ? (
            <FavoritesView spaces={spaces} announce={setMessage} />
          ) : quick === 'recent' ? (
            <RecentView spaces={spaces} />
          ) : inShared ? (
            <SharedView key={params.folder ?? ''} folderId={params.folder} announce={setMessage} />
          ) : !space ? (
            <Alert kind="error">{t('files.errors.noSpace')}</Alert>
          ) : inTrash ? (
            <TrashView key={space.id} space={space} onChanged={onChanged} announce={setMessage} />
          ) : (
            <FolderView
              key={`${space.id}/${params.folder ?? ''}`}
              space={space}
              spaces={spaces}
              folderId={params.folder ?? space.rootId}
              refreshKey={refreshKey}
              onUpload={(targetId, files, mode) => {
                setMessage('');
                uploads.add(targetId, files, mode);
              }}
              onChanged={onChanged}
              announce={setMessage}
            />
          )}
          <UploadPanel jobs={uploads.jobs} onResolve={uploads.resolve} onClear={uploads.clearFinished} onCancel={uploads.cancel} />
        </div>
      </div>
    </div>
  );
}
