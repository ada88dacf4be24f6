import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from '../../app/router.js';
import { Alert, Button, Spinner } from '../../ui/index.js';
import { IconDownload, IconFolder } from '../../ui/icons.js';
import { contentUrl, searchFiles, SEARCH_PAGE_SIZE, type SearchHit, type Space } from './api.js';
import { useFilesErrorText } from './errors.js';
import { folderPath } from './FolderView.js';
import { IconFile } from './icons.js';
import { SHARED_PATH } from './SharedView.js';
import { spaceLabel } from './spaceLabel.js';

/** Fewer characters than this search nothing (the API's own minimum). */
export const MIN_QUERY = 2;
const DEBOUNCE_MS = 300;

/** The search field of the Files page: Escape clears it and brings the folder back. */
export function FileSearchField({ value, onChange }: { value: string; onChange: (q: string) => void }) {
  const { t } = useTranslation();
  const id = useId();
  return (
    <form role="search" className="files-search" onSubmit={(e) => e.preventDefault()}>
      <label htmlFor={id} className="visually-hidden">
        {t('filesSearch.label')}
      </label>
      <input
        id={id}
        type="search"
        value={value}
        maxLength={200}
        autoComplete="off"
        placeholder={t('filesSearch.placeholder')}
        aria-describedby={`${id}-hint`}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && value) {
            e.preventDefault();
            onChange('');
          }
        }}
      />
      <span id={`${id}-hint`} className="visually-hidden">
        {t('filesSearch.hint')}
      </span>
    </form>
  );
}

/** Results for `query` (debounced), with where each item is and a passage of its text. */
export function FileSearchResults({ query, spaces }: { query: string; spaces: Space[] }) {
  const { t } = useTranslation();
  const errorText = useFilesErrorText();
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  const [hasMore, setHasMore] = useState(false);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  const controller = useRef<AbortController | null>(null);
  const q = query.trim();

  useEffect(() => {
    setHits(null);
    setError(null);
    if (q.length < MIN_QUERY) return;
    const timer = setTimeout(() => {
      controller.current?.abort();
      const ac = new AbortController();
      controller.current = ac;
      setLoading(true);
      searchFiles(q, 0, ac.signal)
        .then((r) => {
          setHits(r.items);
          setHasMore(r.hasMore);
        })
        .catch((e: unknown) => {
          if (!ac.signal.aborted) setError(e);
        })
        .finally(() => {
          if (!ac.signal.aborted) setLoading(false);
        });
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.current?.abort();
    };
  }, [q, attempt]);

  const more = async () => {
    if (!hits) return;
    setLoading(true);
    try {
      const r = await searchFiles(q, hits.length);
      setHits([...hits, ...r.items]);
      setHasMore(r.hasMore);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  };

  const headingId = useId();
  return (
    <section className="files-search-results" aria-labelledby={headingId}>
      <h2 id={headingId}>{t('filesSearch.title', { query: q })}</h2>
      {q.length < MIN_QUERY ? <p className="muted">{t('filesSearch.tooShort', { count: MIN_QUERY })}</p> : null}
      {error ? (
        <Alert kind="error">
          {errorText(error)}{' '}
          <Button size="small" onClick={() => setAttempt((n) => n + 1)}>
            {t('filesSearch.retry')}
          </Button>
        </Alert>
      ) : null}
      {loading && !hits ? <Spinner label={t('filesSearch.searching')} /> : null}
      <p role="status" className="visually-hidden">
        {hits && !loading ? t('filesSearch.count', { count: hits.length, more: hasMore ? '+' : '' }) : ''}
      </p>
      {hits && hits.length === 0 ? <p className="files-search-empty">{t('filesSearch.empty', { query: q })}</p> : null}
      {hits && hits.length > 0 ? (
        <ul className="files-search-list">
          {hits.map((h) => (
            <ResultRow key={h.node.id} hit={h} spaces={spaces} />
          ))}
        </ul>
      ) : null}
      {hasMore ? (
        <Button onClick={() => void more()} busy={loading} disabled={loading}>
          {t('filesSearch.more', { count: SEARCH_PAGE_SIZE })}
        </Button>
      ) : null}
    </section>
  );
}

function ResultRow({ hit, spaces }: { hit: SearchHit; spaces: Space[] }) {
  const { t } = useTranslation();
  const own = spaces.find((s) => s.id === hit.space.id);
  const where = own ? spaceLabel(own, t) : t('filesSearch.sharedWithYou');
  const folder = hit.path.split('/').slice(0, -1).join('/') || '/';
  // Your spaces open in the folder view; items shared with you in "Shared with me".
  const folderLink = hit.node.kind === 'folder' ? (own ? folderPath(own.id, hit.node.id) : `${SHARED_PATH}/${encodeURIComponent(hit.node.id)}`) : hit.folderId ? (own ? folderPath(own.id, hit.folderId) : `${SHARED_PATH}/${encodeURIComponent(hit.folderId)}`) : null;
  return (
    <li className="files-search-item">
      {hit.node.kind === 'folder' ? <IconFolder className="file-icon file-icon-folder" /> : <IconFile className="file-icon" />}
      <div className="files-search-text">
        <span className="files-search-name wrap-anywhere">{hit.node.kind === 'folder' && folderLink ? <Link to={folderLink}>{hit.node.name}</Link> : hit.node.name}</span>
        <span className="muted small wrap-anywhere">
          {t('filesSearch.location', { space: where, folder })}
        </span>
        {hit.snippet ? <span className="files-search-snippet small">{hit.snippet}</span> : null}
      </div>
      <div className="files-search-actions">
        {hit.node.kind === 'file' && folderLink ? (
          <Link to={folderLink} className="btn btn-small btn-ghost" aria-label={t('filesSearch.openFolderOf', { name: hit.node.name })}>
            <IconFolder />
            {t('filesSearch.openFolder')}
          </Link>
        ) : null}
        {hit.node.kind === 'file' ? (
          <a className="btn btn-small btn-ghost" href={contentUrl(hit.node.id)} download aria-label={t('filesSearch.downloadNamed', { name: hit.node.name })}>
            <IconDownload />
            {t('common.download')}
          </a>
        ) : null}
      </div>
    </li>
  );
}
