import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../app/api.js';
import { Alert, Button, Dialog, SelectField, Spinner, TextField } from '../../ui/index.js';
import type { FileNode } from './api.js';
import { useFilesErrorText } from './errors.js';
import { useFilesFormat } from './format.js';

/** Who has access to an item, shares with people and groups, public links (docs/api.md, "Sharing"). */

interface Grantee {
  type: 'user' | 'group';
  id: string;
  name: string;
  displayName: string;
}

type Role = 'view' | 'edit';
type LinkRole = 'view' | 'edit' | 'upload';

interface ShareView {
  id: string;
  nodeId: string;
  grantee: Grantee;
  role: Role;
  inherited: boolean;
}

interface LinkView {
  id: string;
  role: LinkRole;
  hasPassword: boolean;
  expiresAt: string | null;
  revokedAt: string | null;
  createdAt: string;
}

interface Access {
  yourRole: 'space' | 'edit' | 'view';
  owner: { type: 'user'; user: Grantee } | { type: 'group'; group: Grantee & { memberCount: number } };
  shares: ShareView[];
  links: LinkView[];
}

const enc = encodeURIComponent;
const nodeBase = (id: string) => `/api/files/nodes/${enc(id)}`;

export function ShareDialog({ node, onClose }: { node: FileNode | null; onClose: () => void }) {
  const { t } = useTranslation();
  const fmt = useFilesFormat();
  const errorText = useFilesErrorText();
  const [access, setAccess] = useState<Access | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [created, setCreated] = useState<string | null>(null);

  const load = useCallback(
    (id: string) =>
      api
        .get<Access>(`${nodeBase(id)}/access`)
        .then((a) => {
          setAccess(a);
          setError(null);
        })
        .catch((e: unknown) => setError(errorText(e))),
    // errorText is rebuilt each render; loading depends only on the item.
    [],
  );

  useEffect(() => {
    setAccess(null);
    setError(null);
    setDone('');
    setCreated(null);
    if (node) void load(node.id);
  }, [node, load]);

  if (!node) return <Dialog open={false} title="" onClose={onClose}>{null}</Dialog>;
  const manage = access?.yourRole === 'space';
  const run = async (key: string, action: () => Promise<unknown>, message: string) => {
    setBusy(key);
    setError(null);
    setDone('');
    try {
      await action();
      setDone(message);
      await load(node.id);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(null);
    }
  };
  const roleLabel = (r: LinkRole) => t(`sharing.dialog.${r}`);

  return (
    <Dialog open title={t('sharing.dialog.title', { name: node.name })} onClose={onClose} wide>
      <p role="status" className={done ? 'files-done' : 'visually-hidden'}>
        {done}
      </p>
      {error ? <Alert kind="error">{error}</Alert> : null}
      {!access && !error ? <Spinner label={t('common.loading')} /> : null}
      {access ? (
        <>
          <h3>{t('sharing.dialog.access')}</h3>
          <ul className="share-list">
            <li>
              <span className="share-name">
                {access.owner.type === 'user'
                  ? access.owner.user.displayName
                  : t('sharing.dialog.ownerGroup', { name: access.owner.group.displayName, count: access.owner.group.memberCount })}
              </span>
              <span className="muted">{t('sharing.dialog.owner')}</span>
            </li>
            {access.shares.map((s) => (
              <li key={s.id}>
                <span className="share-name">{s.grantee.displayName}</span>
                {s.inherited || !manage ? (
                  <span className="muted">
                    {roleLabel(s.role)}
                    {s.inherited ? ` · ${t('sharing.dialog.inherited')}` : ''}
                  </span>
                ) : (
                  <span className="share-controls">
                    <select
                      aria-label={t('sharing.dialog.roleFor', { name: s.grantee.displayName })}
                      value={s.role}
                      disabled={busy !== null}
                      onChange={(e) => {
                        const role = e.target.value as Role;
                        void run(s.id, () => api.patch(`${nodeBase(node.id)}/shares/${enc(s.id)}`, { role }), t('sharing.dialog.updated', { name: s.grantee.displayName }));
                      }}
                    >
                      <option value="view">{t('sharing.dialog.view')}</option>
                      <option value="edit">{t('sharing.dialog.edit')}</option>
                    </select>
                    <Button size="small" variant="ghost" busy={busy === `rm-${s.id}`} aria-label={t('sharing.dialog.removeFor', { name: s.grantee.displayName })} onClick={() => void run(`rm-${s.id}`, () => api.del(`${nodeBase(node.id)}/shares/${enc(s.id)}`), t('sharing.dialog.removed', { name: s.grantee.displayName }))}>
                      {t('common.remove')}
                    </Button>
                  </span>
                )}
              </li>
            ))}
          </ul>
          {access.shares.length === 0 ? <p className="muted">{t('sharing.dialog.noShares')}</p> : null}
          {manage ? (
            <AddShare nodeId={node.id} busy={busy !== null} onAdded={(name) => void run('add', () => Promise.resolve(), t('sharing.dialog.added', { name }))} />
          ) : (
            <p className="muted">{t('sharing.dialog.notOwner')}</p>
          )}
          {manage ? (
            <>
              <h3>{t('sharing.dialog.linksTitle')}</h3>
              {created ? (
                <CreatedLink url={created} />
              ) : null}
              <ul className="share-list">
                {access.links
                  .filter((l) => !l.revokedAt)
                  .map((l) => (
                    <li key={l.id}>
                      <span className="share-name">
                        {t('sharing.dialog.linkSummary', { role: roleLabel(l.role), date: fmt.dateTime(l.createdAt) })}
                        {l.hasPassword ? ` · ${t('sharing.dialog.withPassword')}` : ''}
                        {l.expiresAt ? ` · ${t('sharing.dialog.until', { date: fmt.dateTime(l.expiresAt) })}` : ''}
                      </span>
                      <Button size="small" variant="danger" busy={busy === `rv-${l.id}`} aria-label={t('sharing.dialog.revokeFor', { date: fmt.dateTime(l.createdAt) })} onClick={() => {
                        setCreated(null);
                        void run(`rv-${l.id}`, () => api.del(`${nodeBase(node.id)}/links/${enc(l.id)}`), t('sharing.dialog.revoked'));
                      }}>
                        {t('sharing.dialog.revoke')}
                      </Button>
                    </li>
                  ))}
              </ul>
              {access.links.every((l) => l.revokedAt) ? <p className="muted">{t('sharing.dialog.noLinks')}</p> : null}
              <NewLink
                node={node}
                busy={busy !== null}
                onCreated={(token) => {
                  setCreated(`${window.location.origin}/s/${token}`);
                  void run('link', () => Promise.resolve(), t('sharing.dialog.linkCreated'));
                }}
              />
            </>
          ) : null}
        </>
      ) : null}
    </Dialog>
  );
}

function AddShare({ nodeId, busy, onAdded }: { nodeId: string; busy: boolean; onAdded: (name: string) => void }) {
  const { t } = useTranslation();
  const errorText = useFilesErrorText();
  const [type, setType] = useState<'user' | 'group'>('user');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('view');
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const wanted = name.trim();
    if (!wanted) return;
    setSending(true);
    setError(null);
    try {
      const grantee = type === 'user' ? { type, login: wanted } : { type, name: wanted };
      const s = await api.post<ShareView>(`${nodeBase(nodeId)}/shares`, { grantee, role });
      setName('');
      onAdded(s.grantee.displayName);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) setError(t('sharing.dialog.notFound'));
      else if (err instanceof ApiError && err.code === 'share_exists') setError(t('sharing.dialog.exists'));
      else if (err instanceof ApiError && err.status === 400) setError(t('sharing.dialog.self'));
      else setError(errorText(err));
    } finally {
      setSending(false);
    }
  };
  return (
    <form className="share-form" onSubmit={(e) => void submit(e)} noValidate>
      <h3>{t('sharing.dialog.addTitle')}</h3>
      <div className="share-fields">
        <SelectField label={t('sharing.dialog.granteeType')} value={type} onChange={(e) => setType(e.target.value === 'group' ? 'group' : 'user')}>
          <option value="user">{t('sharing.dialog.user')}</option>
          <option value="group">{t('sharing.dialog.group')}</option>
        </SelectField>
        <TextField label={type === 'user' ? t('sharing.dialog.login') : t('sharing.dialog.groupName')} value={name} onChange={(e) => setName(e.target.value)} error={error} autoComplete="off" />
        <SelectField label={t('sharing.dialog.role')} value={role} onChange={(e) => setRole(e.target.value === 'edit' ? 'edit' : 'view')}>
          <option value="view">{t('sharing.dialog.view')}</option>
          <option value="edit">{t('sharing.dialog.edit')}</option>
        </SelectField>
      </div>
      <Button type="submit" variant="primary" busy={sending} disabled={busy || !name.trim()}>
        {t('sharing.dialog.add')}
      </Button>
    </form>
  );
}

function NewLink({ node, busy, onCreated }: { node: FileNode; busy: boolean; onCreated: (token: string) => void }) {
  const { t } = useTranslation();
  const errorText = useFilesErrorText();
  const [role, setRole] = useState<LinkRole>('view');
  const [password, setPassword] = useState('');
  const [expiry, setExpiry] = useState('');
  const [error, setError] = useState<{ field: 'password' | 'expiry' | 'form'; text: string } | null>(null);
  const [sending, setSending] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (password && password.length < 8) return setError({ field: 'password', text: t('sharing.dialog.passwordShort') });
    let expiresAt: string | undefined;
    if (expiry) {
      const d = new Date(`${expiry}T23:59:59`);
      if (Number.isNaN(d.getTime()) || d.getTime() <= Date.now()) return setError({ field: 'expiry', text: t('sharing.dialog.expiryPast') });
      expiresAt = d.toISOString();
    }
    setSending(true);
    try {
      const body: { role: LinkRole; password?: string; expiresAt?: string } = { role };
      if (password) body.password = password;
      if (expiresAt) body.expiresAt = expiresAt;
      const l = await api.post<LinkView & { token: string }>(`${nodeBase(node.id)}/links`, body);
      setPassword('');
      setExpiry('');
      onCreated(l.token);
    } catch (err) {
      setError({ field: 'form', text: errorText(err) });
    } finally {
      setSending(false);
    }
  };
  return (
    <form className="share-form" onSubmit={(e) => void submit(e)} noValidate>
      {error?.field === 'form' ? <Alert kind="error">{error.text}</Alert> : null}
      <div className="share-fields">
        <SelectField label={t('sharing.dialog.linkRole')} value={role} onChange={(e) => setRole(e.target.value as LinkRole)}>
          <option value="view">{t('sharing.dialog.view')}</option>
          {node.kind === 'folder' ? <option value="edit">{t('sharing.dialog.edit')}</option> : null}
          {node.kind === 'folder' ? <option value="upload">{t('sharing.dialog.upload')}</option> : null}
        </SelectField>
        <TextField label={t('sharing.dialog.linkPassword')} hint={t('sharing.dialog.linkPasswordHint')} type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} error={error?.field === 'password' ? error.text : null} />
        <TextField label={t('sharing.dialog.linkExpiry')} type="date" value={expiry} onChange={(e) => setExpiry(e.target.value)} error={error?.field === 'expiry' ? error.text : null} />
      </div>
      <Button type="submit" busy={sending} disabled={busy}>
        {t('sharing.dialog.createLink')}
      </Button>
    </form>
  );
}

function CreatedLink({ url }: { url: string }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
    } catch {
      const input = document.getElementById('share-created-link') as HTMLInputElement | null;
      input?.select();
    }
  };
  return (
    <div className="share-created">
      <TextField id="share-created-link" label={t('sharing.dialog.linkUrl')} value={url} readOnly onFocus={(e) => e.currentTarget.select()} />
      <Button variant="primary" onClick={() => void copy()}>
        {t('sharing.dialog.copyLink')}
      </Button>
      <span role="status">{copied ? t('sharing.dialog.copied') : ''}</span>
    </div>
  );
}
