import { useCallback, useEffect, useId, useMemo, useRef, useState, type FormEvent, type MouseEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, uploadWithProgress } from '../../app/api.js';
import { AuthFrame } from '../../app/Shell.js';
import { usePageTitle } from '../../app/router.js';
import { Alert, Button, ProgressBar, Spinner, TextField } from '../../ui/index.js';
import { useFilesFormat } from './format.js';
import { FileIcon, FileThumb } from './FileThumb.js';
import { PreviewBody } from './PreviewBody.js';
import { PreviewDialog } from './PreviewDialog.js';
import { linkPreviews, type PreviewSource } from './previewApi.js';
import './files.css';

/** The page behind a public link (`/s/:token`): works signed out (docs/api.md, "Public links"). */

interface PublicNode {
  id: string;
  name: string;
  kind: 'folder' | 'file';
  size: number;
  contentType: string | null;
  etag: string;
  modifiedAt: string;
}

interface LinkInfo {
  role: 'view' | 'edit' | 'upload';
  passwordRequired: boolean;
  unlocked: boolean;
  expiresAt: string | null;
  item: PublicNode | null;
}

type Problem = 'gone' | 'locked' | 'other';

const enc = encodeURIComponent;

function problemOf(e: unknown): Problem {
  if (e instanceof ApiError && e.status === 404) return 'gone';
  if (e instanceof ApiError && e.status === 429) return 'locked';
  return 'other';
}

export function PublicLinkPage({ token }: { token: string }) {
  const { t } = useTranslation();
  usePageTitle(t('sharing.public.title'));
  const base = `/api/public/links/${enc(token)}`;
  const [info, setInfo] = useState<LinkInfo | null>(null);
  const [problem, setProblem] = useState<{ kind: Problem; minutes: number | null } | null>(null);
  // The password unlock lasts an hour; past it the page asks again instead of showing errors.
  const [expired, setExpired] = useState(false);

  const load = useCallback(async () => {
    try {
      setInfo(await api.get<LinkInfo>(base));
      setProblem(null);
    } catch (e) {
      setProblem({ kind: problemOf(e), minutes: null });
    }
  }, [base]);
  const accessExpired = useCallback(() => {
    setExpired(true);
    void load();
  }, [load]);
  const previews = useMemo(() => linkPreviews(token, accessExpired), [token, accessExpired]);

  useEffect(() => {
    void load();
  }, [load]);

  let body;
  if (problem) body = <ProblemView kind={problem.kind} minutes={problem.minutes} />;
  else if (!info) body = <Spinner label={t('common.loading')} />;
  else if (!info.unlocked || !info.item) {
    body = (
      <PasswordForm
        base={base}
        expired={expired}
        onUnlocked={() => {
          setExpired(false);
          void load();
        }}
        onLocked={(minutes) => setProblem({ kind: 'locked', minutes })}
        onGone={() => setProblem({ kind: 'gone', minutes: null })}
      />
    );
  } else if (info.role === 'upload') body = <UploadArea base={base} folderId={info.item.id} onGone={() => setProblem({ kind: 'gone', minutes: null })} />;
  else if (info.item.kind === 'file') body = <FileCard base={base} node={info.item} previews={previews} onExpired={accessExpired} />;
  else body = <FolderList base={base} root={info.item} previews={previews} onGone={() => setProblem({ kind: 'gone', minutes: null })} onExpired={accessExpired} />;
  // A file shown inline wants more room than a form.
  const showsFile = !problem && info?.unlocked && info.role !== 'upload' && info.item?.kind === 'file';

  return (
    <AuthFrame wide>
      <div className={`auth-card auth-card-wide public-link ${showsFile ? 'public-link-file' : ''}`}>
        <h1>{t('sharing.public.title')}</h1>
        {info && !problem && info.expiresAt ? <p className="muted">{t('sharing.public.expires', { date: new Date(info.expiresAt).toLocaleString() })}</p> : null}
        {body}
      </div>
    </AuthFrame>
  );
}

function ProblemView({ kind, minutes }: { kind: Problem; minutes: number | null }) {
  const { t } = useTranslation();
  if (kind === 'gone') return <Alert kind="error" title={t('sharing.public.goneTitle')}>{t('sharing.public.goneBody')}</Alert>;
  if (kind === 'locked')
    return (
      <Alert kind="error" title={t('sharing.public.lockedTitle')}>
        {minutes ? t('sharing.public.lockedBodyMinutes', { count: minutes }) : t('sharing.public.lockedBody')}
      </Alert>
    );
  return <Alert kind="error" title={t('sharing.public.errorTitle')}>{t('sharing.public.errorBody')}</Alert>;
}

function PasswordForm({ base, expired, onUnlocked, onLocked, onGone }: { base: string; expired: boolean; onUnlocked: () => void; onLocked: (minutes: number | null) => void; onGone: () => void }) {
  const { t } = useTranslation();
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.post(`${base}/unlock`, { password });
      onUnlocked();
    } catch (err) {
      const p = problemOf(err);
      if (p === 'gone') onGone();
      else if (p === 'locked') onLocked(err instanceof ApiError && err.retryAfterSeconds ? Math.ceil(err.retryAfterSeconds / 60) : null);
      else if (err instanceof ApiError && (err.status === 401 || err.status === 400)) setError(t('sharing.public.wrongPassword'));
      else setError(t('sharing.public.errorBody'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} noValidate>
      {expired ? <Alert kind="info">{t('sharing.public.accessExpired')}</Alert> : <p>{t('sharing.public.passwordIntro')}</p>}
      <TextField label={t('sharing.public.password')} type="password" autoComplete="off" value={password} onChange={(e) => setPassword(e.target.value)} error={error} required />
      <Button type="submit" variant="primary" busy={busy}>
        {t('sharing.public.open')}
      </Button>
    </form>
  );
}

/**
 * A download link that first asks whether this browser may still open the link. A plain link would
 * land, once a password unlock has run out, on an error the browser saves as the "file"; this one
 * shows the password form instead (onExpired) and downloads only with access.
 */
function GuardedDownload({ base, href, name, onExpired, className, ariaLabel, children }: { base: string; href: string; name?: string; onExpired: () => void; className?: string; ariaLabel?: string; children: ReactNode }) {
  const onClick = async (e: MouseEvent<HTMLAnchorElement>) => {
    e.preventDefault();
    try {
      if (!(await api.get<LinkInfo>(base)).unlocked) {
        onExpired();
        return;
      }
    } catch {
      // Gone or unreachable: the page shows why.
      onExpired();
      return;
    }
    const a = document.createElement('a');
    a.href = href;
    a.download = name ?? '';
    document.body.append(a);
    a.click();
    a.remove();
  };
  return (
    <a className={className} href={href} download={name ?? true} aria-label={ariaLabel} onClick={(e) => void onClick(e)}>
      {children}
    </a>
  );
}

/** A single shared file: its name and download, then its preview (or why there is none). */
function FileCard({ base, node, previews, onExpired }: { base: string; node: PublicNode; previews: PreviewSource; onExpired: () => void }) {
  const { t } = useTranslation();
  const fmt = useFilesFormat();
  return (
    <>
      <div className="public-file">
        <p className="public-file-name">{node.name}</p>
        <p className="muted">{fmt.bytes(node.size)}</p>
        <GuardedDownload base={base} href={`${base}/nodes/${enc(node.id)}/content`} name={node.name} onExpired={onExpired} className="btn btn-primary">
          {t('sharing.public.downloadNamed', { name: node.name })}
        </GuardedDownload>
      </div>
      <section className="public-preview" aria-label={t('sharing.public.previewOf', { name: node.name })}>
        <PreviewBody file={node} source={previews} offerDownload={false} />
      </section>
    </>
  );
}

interface PublicListing {
  folder: PublicNode;
  items: PublicNode[];
  total: number;
}

function FolderList({ base, root, previews, onGone, onExpired }: { base: string; root: PublicNode; previews: PreviewSource; onGone: () => void; onExpired: () => void }) {
  const { t } = useTranslation();
  const fmt = useFilesFormat();
  const [trail, setTrail] = useState<PublicNode[]>([root]);
  const [listing, setListing] = useState<PublicListing | null>(null);
  const [failed, setFailed] = useState(false);
  const [previewIndex, setPreviewIndex] = useState<number | null>(null);
  const current = trail[trail.length - 1]!;
  const headingId = useId();
  const files = useMemo(() => listing?.items.filter((n) => n.kind === 'file') ?? [], [listing]);
  useEffect(() => {
    const ctl = new AbortController();
    setListing(null);
    setPreviewIndex(null);
    setFailed(false);
    api
      .get<PublicListing>(`${base}/nodes/${enc(current.id)}/children?limit=1000&offset=0&sort=name&order=asc`, ctl.signal)
      .then(setListing)
      .catch((e: unknown) => {
        if (ctl.signal.aborted) return;
        if (problemOf(e) === 'gone') onGone();
        else if (e instanceof ApiError && e.status === 401) onExpired();
        else setFailed(true);
      });
    return () => ctl.abort();
  }, [base, current.id, onGone, onExpired]);
  return (
    <section aria-labelledby={headingId}>
      <nav aria-label={t('sharing.public.path')} className="public-trail">
        {trail.map((n, i) =>
          i === trail.length - 1 ? (
            <span key={n.id} aria-current="page">
              {n.name}
            </span>
          ) : (
            <button key={n.id} type="button" className="link-btn" onClick={() => setTrail(trail.slice(0, i + 1))}>
              {n.name}
            </button>
          ),
        )}
      </nav>
      <h2 id={headingId}>{current.name}</h2>
      {listing && listing.items.length > 0 ? (
        <p>
          <GuardedDownload base={base} href={`${base}/nodes/${enc(current.id)}/zip`} onExpired={onExpired} className="btn">
            {t('sharing.public.downloadZip', { name: current.name })}
          </GuardedDownload>
        </p>
      ) : null}
      {failed ? <Alert kind="error">{t('sharing.public.errorBody')}</Alert> : null}
      {!listing && !failed ? <Spinner label={t('common.loading')} /> : null}
      {listing && listing.items.length === 0 ? <p>{t('sharing.public.empty')}</p> : null}
      {listing && listing.items.length > 0 ? (
        <ul className="public-list">
          {listing.items.map((n) => (
            <li key={n.id}>
              <span className="public-list-thumb">
                <FileThumb node={n} icon={<FileIcon node={n} />} source={previews} size={128} />
              </span>
              {n.kind === 'folder' ? (
                <button type="button" className="link-btn" onClick={() => setTrail([...trail, n])}>
                  {n.name}
                </button>
              ) : (
                <>
                  <span className="public-list-name">
                    <button type="button" className="link-btn" aria-haspopup="dialog" onClick={() => setPreviewIndex(files.indexOf(n))}>
                      {n.name}
                    </button>
                  </span>
                  <span className="muted">{fmt.bytes(n.size)}</span>
                  <GuardedDownload base={base} href={`${base}/nodes/${enc(n.id)}/content`} name={n.name} onExpired={onExpired} ariaLabel={t('sharing.public.downloadNamed', { name: n.name })}>
                    {t('sharing.public.download')}
                  </GuardedDownload>
                </>
              )}
            </li>
          ))}
        </ul>
      ) : null}
      <PreviewDialog files={files} index={previewIndex} onIndex={setPreviewIndex} onClose={() => setPreviewIndex(null)} source={previews} />
    </section>
  );
}

interface Sent {
  name: string;
  fraction: number;
  status: 'uploading' | 'done' | 'error';
}

function UploadArea({ base, folderId, onGone }: { base: string; folderId: string; onGone: () => void }) {
  const { t } = useTranslation();
  const input = useRef<HTMLInputElement>(null);
  const [sent, setSent] = useState<Sent[]>([]);
  const update = (i: number, patch: Partial<Sent>) => setSent((s) => s.map((x, j) => (j === i ? { ...x, ...patch } : x)));
  const pick = async (files: FileList | null) => {
    if (!files) return;
    const list = Array.from(files);
    const start = sent.length;
    setSent((s) => [...s, ...list.map((f) => ({ name: f.name, fraction: 0, status: 'uploading' as const }))]);
    for (const [k, f] of list.entries()) {
      try {
        await uploadWithProgress(`${base}/nodes/${enc(folderId)}/upload?name=${enc(f.name)}`, f, f.type || 'application/octet-stream', (fraction) => update(start + k, { fraction }));
        update(start + k, { status: 'done', fraction: 1 });
      } catch (e) {
        if (problemOf(e) === 'gone') return onGone();
        update(start + k, { status: 'error' });
      }
    }
  };
  return (
    <div className="public-upload">
      <p>{t('sharing.public.uploadIntro')}</p>
      <Button variant="primary" onClick={() => input.current?.click()}>
        {t('sharing.public.choose')}
      </Button>
      <input ref={input} type="file" multiple hidden tabIndex={-1} aria-hidden="true" onChange={(e) => void pick(e.target.files)} />
      {sent.length > 0 ? (
        <ul className="public-list">
          {sent.map((s, i) => (
            <li key={i}>
              <ProgressBar value={s.fraction} label={s.name} />
              <span role="status">{s.status === 'done' ? t('sharing.public.sent') : s.status === 'error' ? t('sharing.public.notSent') : ''}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
