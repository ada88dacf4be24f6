import { useId } from 'react';
import { useLoad } from '../../app/useLoad.js';
import { useTranslation } from 'react-i18next';
import { Link } from '../../app/router.js';
import { Alert, Button, Spinner } from '../../ui/index.js';
import { IconDownload, IconFolder } from '../../ui/icons.js';
import { contentUrl, favoritesApi, type FileNode, type Space } from './api.js';
import { useFilesErrorText } from './errors.js';
import { folderPath } from './FolderView.js';
import { useFilesFormat } from './format.js';
import { IconFile } from './icons.js';
import { IconStar } from './quickIcons.js';
import { SHARED_PATH } from './SharedView.js';

export const FAVORITES_PATH = '/files/favorites';
export const RECENT_PATH = '/files/recent';

/** Where an item opens: its folder in one's own spaces, else the "Shared with me" pages. */
function folderLink(node: FileNode, spaces: Space[]): string | null {
  const own = spaces.some((s) => s.id === node.spaceId);
  if (node.kind === 'folder') return own ? folderPath(node.spaceId, node.id) : `${SHARED_PATH}/${encodeURIComponent(node.id)}`;
  return own && node.parentId ? folderPath(node.spaceId, node.parentId) : null;
}

function ItemRow({ node, spaces, starred, onUnstar }: { node: FileNode; spaces: Space[]; starred: boolean; onUnstar?: (n: FileNode) => void }) {
  const { t } = useTranslation();
  const fmt = useFilesFormat();
  const link = folderLink(node, spaces);
  return (
    <li>
      {node.kind === 'folder' ? <IconFolder className="file-icon file-icon-folder" /> : <IconFile className="file-icon" />}
      <span className="public-list-name">
        {node.kind === 'folder' && link ? <Link to={link}>{node.name}</Link> : <span className="wrap-anywhere">{node.name}</span>}
        <span className="muted small">
          {' · '}
          {node.kind === 'file' ? `${fmt.bytes(node.size)} · ` : ''}
          {fmt.dateTime(node.modifiedAt)}
        </span>
        {node.kind === 'file' && link ? (
          <>
            {' · '}
            <Link to={link} className="small">
              {t('favorites.openFolder')}
            </Link>
          </>
        ) : null}
      </span>
      {node.kind === 'file' ? (
        <a className="btn btn-small btn-ghost" href={contentUrl(node.id)} download aria-label={t('sharing.public.downloadNamed', { name: node.name })}>
          <IconDownload />
          {t('common.download')}
        </a>
      ) : null}
      {starred && onUnstar ? (
        <Button size="small" variant="ghost" aria-label={t('favorites.removeNamed', { name: node.name })} onClick={() => onUnstar(node)}>
          <IconStar filled />
          {t('favorites.remove')}
        </Button>
      ) : null}
    </li>
  );
}

/** /files/favorites: what the person starred and can still open, newest star first. */
export function FavoritesView({ spaces, announce }: { spaces: Space[]; announce: (message: string) => void }) {
  const { t } = useTranslation();
  const errorText = useFilesErrorText();
  const headingId = useId();
  const { data: items, error, setData: setItems, setError } = useLoad(async () => (await favoritesApi.list()).items, [], errorText);

  const unstar = async (n: FileNode) => {
    try {
      await favoritesApi.remove(n.id);
      announce(t('favorites.removed', { name: n.name }));
      setItems((list) => list?.filter((x) => x.id !== n.id) ?? null);
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>{t('favorites.title')}</h2>
      {error ? <Alert kind="error">{error}</Alert> : null}
      {!error && !items ? <Spinner label={t('common.loading')} /> : null}
      {items ? (
        items.length === 0 ? (
          <p>{t('favorites.empty')}</p>
        ) : (
          <ul className="public-list">
            {items.map((n) => (
              <ItemRow key={n.id} node={n} spaces={spaces} starred onUnstar={(x) => void unstar(x)} />
            ))}
          </ul>
        )
      ) : null}
    </section>
  );
}

/** /files/recent: files recently changed in one's spaces and shares, newest first. */
export function RecentView({ spaces }: { spaces: Space[] }) {
  const { t } = useTranslation();
  const errorText = useFilesErrorText();
  const headingId = useId();
  const { data: items, error } = useLoad(async () => (await favoritesApi.recent()).items, [], errorText);

  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>{t('recent.title')}</h2>
      <p className="muted">{t('recent.intro')}</p>
      {error ? <Alert kind="error">{error}</Alert> : null}
      {!error && !items ? <Spinner label={t('common.loading')} /> : null}
      {items ? (
        items.length === 0 ? (
          <p>{t('recent.empty')}</p>
        ) : (
          <ul className="public-list">
            {items.map((n) => (
              <ItemRow key={n.id} node={n} spaces={spaces} starred={false} />
            ))}
          </ul>
        )
      ) : null}
    </section>
  );
}
