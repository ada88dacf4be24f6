import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../app/api.js';
import { useErrorText } from '../../app/errors.js';
import { useFormat } from '../../app/format.js';
import { useUser } from '../../app/session.js';
import type { AdminUserView, Language } from '../../app/types.js';
import { isLanguage, LANGUAGES, LANGUAGE_NAMES } from '../../i18n/index.js';
import { Alert, Button, Checkbox, ConfirmDialog, Dialog, PageLoading, SelectField, Table, TextField } from '../../ui/index.js';

const PAGE = 25;

function isLocked(u: AdminUserView): boolean {
  return !!u.lockedUntil && new Date(u.lockedUntil).getTime() > Date.now();
}

export function PeopleTab() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const fmt = useFormat();
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const [offset, setOffset] = useState(0);
  const [data, setData] = useState<{ users: AdminUserView[]; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => {
    setError(null);
    try {
      const params = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
      if (query) params.set('q', query);
      setData(await api.get<{ users: AdminUserView[]; total: number }>(`/api/admin/users?${params}`));
    } catch (e) {
      setError(errorText(e));
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [query, offset]);
  useEffect(() => {
    void load();
  }, [load]);

  const search = (e: FormEvent) => {
    e.preventDefault();
    setOffset(0);
    setQuery(q.trim());
  };

  return (
    <section aria-labelledby="people-h" className="section">
      <div className="section-header">
        <h2 id="people-h">{t('people.title')}</h2>
        <Button variant="primary" onClick={() => setCreating(true)}>
          {t('people.add')}
        </Button>
      </div>
      <form role="search" onSubmit={search} className="inline-form">
        <TextField label={t('people.search')} type="search" value={q} onChange={(e) => setQ(e.target.value)} />
        <Button type="submit">{t('common.search')}</Button>
      </form>
      {error ? <Alert kind="error">{error}</Alert> : null}
      {notice ? <Alert kind="success">{notice}</Alert> : null}
      {!data ? (
        <PageLoading />
      ) : (
        <>
          <Table
            caption={t('people.caption', { count: data.total })}
            rows={data.users}
            rowKey={(u) => u.id}
            empty={t('people.none')}
            columns={[
              {
                key: 'name',
                header: t('fields.displayName'),
                render: (u) => (
                  <span className="cell-person">
                    <strong>{u.displayName}</strong>
                    <span className="muted">{u.username}</span>
                  </span>
                ),
              },
              { key: 'email', header: t('fields.email'), render: (u) => u.email },
              {
                key: 'status',
                header: t('people.status'),
                render: (u) => (
                  <span className="badges">
                    {u.isAdmin ? <span className="badge badge-primary">{t('people.admin')}</span> : null}
                    {u.status === 'disabled' ? <span className="badge badge-danger">{t('people.disabled')}</span> : <span className="badge badge-ok">{t('people.active')}</span>}
                    {isLocked(u) ? <span className="badge badge-warning">{t('people.locked')}</span> : null}
                    {u.totpEnabled || u.webauthnCount > 0 ? <span className="badge">{t('people.twoFactor')}</span> : null}
                  </span>
                ),
              },
              { key: 'login', header: t('people.lastLogin'), render: (u) => fmt.dateTime(u.lastLoginAt ?? null) },
              {
                key: 'actions',
                header: <span className="visually-hidden">{t('common.actions')}</span>,
                className: 'cell-actions',
                render: (u) => (
                  <Button size="small" onClick={() => setEditing(u.id)} aria-label={t('people.manageNamed', { name: u.displayName })}>
                    {t('common.manage')}
                  </Button>
                ),
              },
            ]}
          />
          <Pager offset={offset} total={data.total} pageSize={PAGE} onChange={setOffset} />
        </>
      )}
      <CreateUserDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(name) => {
          setNotice(t('people.createdNotice', { name }));
          void load();
        }}
      />
      {editing ? (
        <UserDialog
          id={editing}
          onClose={() => setEditing(null)}
          onChanged={() => void load()}
          onDeleted={(name) => {
            setEditing(null);
            setNotice(t('people.deletedNotice', { name }));
            void load();
          }}
        />
      ) : null}
    </section>
  );
}

export function Pager({ offset, total, pageSize, onChange }: { offset: number; total: number; pageSize: number; onChange: (offset: number) => void }) {
  const { t } = useTranslation();
  if (total <= pageSize) return null;
  const from = offset + 1;
  const to = Math.min(offset + pageSize, total);
  return (
    <nav className="pager" aria-label={t('common.pagination')}>
      <Button size="small" disabled={offset === 0} onClick={() => onChange(Math.max(0, offset - pageSize))}>
        {t('common.previous')}
      </Button>
      <span>{t('common.range', { from, to, total })}</span>
      <Button size="small" disabled={to >= total} onClick={() => onChange(offset + pageSize)}>
        {t('common.next')}
      </Button>
    </nav>
  );
}

function CreateUserDialog({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (name: string) => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const empty = { displayName: '', username: '', email: '', password: '', isAdmin: false };
  const [form, setForm] = useState(empty);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ name: string; password?: string } | null>(null);

  const close = () => {
    setForm(empty);
    setError(null);
    setResult(null);
    onClose();
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const body: Record<string, unknown> = { displayName: form.displayName.trim(), username: form.username.trim(), email: form.email.trim(), isAdmin: form.isAdmin };
      if (form.password) body.password = form.password;
      const r = await api.post<{ user: AdminUserView; initialPassword?: string }>('/api/admin/users', body);
      onCreated(r.user.displayName);
      setResult({ name: r.user.displayName, password: r.initialPassword });
      if (!r.initialPassword) close();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={open} title={t('people.addTitle')} onClose={close}>
      {result?.password ? (
        <div className="stack">
          <Alert kind="success" title={t('people.createdNotice', { name: result.name })}>
            {t('people.initialPassword')}
          </Alert>
          <p>
            <code className="secret" data-testid="initial-password">
              {result.password}
            </code>
          </p>
          <div className="row row-end">
            <Button variant="primary" onClick={close}>
              {t('common.done')}
            </Button>
          </div>
        </div>
      ) : (
        <form onSubmit={submit}>
          {error ? <Alert kind="error">{error}</Alert> : null}
          <TextField label={t('fields.displayName')} required value={form.displayName} onChange={(e) => setForm({ ...form, displayName: e.target.value })} autoFocus />
          <TextField label={t('fields.username')} hint={t('fields.usernameHint')} required value={form.username} onChange={(e) => setForm({ ...form, username: e.target.value })} autoComplete="off" />
          <TextField label={t('fields.email')} type="email" required value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} autoComplete="off" />
          <TextField label={t('people.initialPasswordField')} hint={t('people.initialPasswordHint')} type="password" minLength={10} value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} autoComplete="new-password" />
          <Checkbox label={t('people.makeAdmin')} checked={form.isAdmin} onChange={(e) => setForm({ ...form, isAdmin: e.target.checked })} />
          <div className="row row-end">
            <Button onClick={close}>{t('common.cancel')}</Button>
            <Button type="submit" variant="primary" busy={busy}>
              {t('people.create')}
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

function UserDialog({ id, onClose, onChanged, onDeleted }: { id: string; onClose: () => void; onChanged: () => void; onDeleted: (name: string) => void }) {
  const { t } = useTranslation();
  const me = useUser();
  const errorText = useErrorText();
  const fmt = useFormat();
  const [user, setUser] = useState<AdminUserView | null>(null);
  const [form, setForm] = useState({ displayName: '', email: '', isAdmin: false, language: '', quotaGb: '' });
  const [status, setStatus] = useState<{ kind: 'error' | 'success'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [newPassword, setNewPassword] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);

  const adopt = (u: AdminUserView) => {
    setUser((prev) => ({ ...prev, ...u, groups: u.groups ?? prev?.groups }));
    setForm({ displayName: u.displayName, email: u.email, isAdmin: u.isAdmin, language: u.language ?? '', quotaGb: u.quotaBytes ? String(u.quotaBytes / 1024 ** 3) : '' });
  };
  useEffect(() => {
    api
      .get<AdminUserView>(`/api/admin/users/${encodeURIComponent(id)}`)
      .then(adopt)
      .catch((e: unknown) => setStatus({ kind: 'error', text: errorText(e) }));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id]);

  const act = async (fn: () => Promise<void>, success: string) => {
    setStatus(null);
    setBusy(true);
    try {
      await fn();
      setStatus({ kind: 'success', text: success });
      onChanged();
    } catch (e) {
      setStatus({ kind: 'error', text: errorText(e) });
    } finally {
      setBusy(false);
    }
  };

  const save = (e: FormEvent) => {
    e.preventDefault();
    const language: Language | null = isLanguage(form.language) ? form.language : null;
    const quota = form.quotaGb.trim() ? Math.round(Number(form.quotaGb) * 1024 ** 3) : null;
    void act(async () => {
      adopt(await api.patch<AdminUserView>(`/api/admin/users/${encodeURIComponent(id)}`, { displayName: form.displayName.trim(), email: form.email.trim(), isAdmin: form.isAdmin, language, quotaBytes: quota }));
    }, t('common.saved'));
  };

  const self = user?.id === me.id;
  return (
    <Dialog open title={user ? user.displayName : t('common.loading')} onClose={onClose} wide>
      {status ? <Alert kind={status.kind}>{status.text}</Alert> : null}
      {!user ? (
        <PageLoading />
      ) : (
        <div className="stack-lg">
          <dl className="facts">
            <div>
              <dt>{t('fields.username')}</dt>
              <dd>{user.username}</dd>
            </div>
            <div>
              <dt>{t('people.status')}</dt>
              <dd>{user.status === 'disabled' ? t('people.disabled') : t('people.active')}</dd>
            </div>
            <div>
              <dt>{t('people.twoFactor')}</dt>
              <dd>{user.totpEnabled || user.webauthnCount > 0 ? t('common.yes') : t('common.no')}</dd>
            </div>
            <div>
              <dt>{t('common.created')}</dt>
              <dd>{fmt.dateTime(user.createdAt)}</dd>
            </div>
            <div>
              <dt>{t('people.groups')}</dt>
              <dd>{user.groups?.length ? user.groups.map((g) => g.displayName ?? g.name).join(', ') : '—'}</dd>
            </div>
          </dl>
          <form onSubmit={save}>
            <TextField label={t('fields.displayName')} required value={form.displayName} onChange={(e) => setForm({ ...form, displayName: e.target.value })} />
            <TextField label={t('fields.email')} type="email" required value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />
            <SelectField label={t('profile.language')} value={form.language} onChange={(e) => setForm({ ...form, language: e.target.value })}>
              <option value="">{t('profile.languageAuto')}</option>
              {LANGUAGES.map((l) => (
                <option key={l} value={l} lang={l}>
                  {LANGUAGE_NAMES[l]}
                </option>
              ))}
            </SelectField>
            <TextField label={t('people.quota')} hint={t('people.quotaHint')} type="number" min={0} step="any" inputMode="decimal" value={form.quotaGb} onChange={(e) => setForm({ ...form, quotaGb: e.target.value })} />
            <Checkbox label={t('people.makeAdmin')} checked={form.isAdmin} disabled={self} onChange={(e) => setForm({ ...form, isAdmin: e.target.checked })} />
            <Button type="submit" variant="primary" busy={busy}>
              {t('common.save')}
            </Button>
          </form>
          <div className="stack">
            <h3>{t('people.actions')}</h3>
            {newPassword ? (
              <Alert kind="success" title={t('people.passwordReset')}>
                <code className="secret" data-testid="reset-password">
                  {newPassword}
                </code>
              </Alert>
            ) : null}
            <div className="row">
              {user.status === 'active' ? (
                <Button disabled={self || busy} onClick={() => void act(async () => adopt(await api.post<AdminUserView>(`/api/admin/users/${encodeURIComponent(id)}/disable`)), t('people.disabledNotice'))}>
                  {t('people.disable')}
                </Button>
              ) : (
                <Button disabled={busy} onClick={() => void act(async () => adopt(await api.post<AdminUserView>(`/api/admin/users/${encodeURIComponent(id)}/enable`)), t('people.enabledNotice'))}>
                  {t('people.enable')}
                </Button>
              )}
              <Button
                disabled={busy}
                onClick={() =>
                  void act(async () => {
                    const r = await api.post<{ password: string }>(`/api/admin/users/${encodeURIComponent(id)}/reset-password`, {});
                    setNewPassword(r.password);
                  }, t('people.passwordResetNotice'))
                }
              >
                {t('people.resetPassword')}
              </Button>
              {isLocked(user) ? (
                <Button disabled={busy} onClick={() => void act(async () => void (await api.post(`/api/admin/users/${encodeURIComponent(id)}/unlock`)), t('people.unlockedNotice'))}>
                  {t('people.unlock')}
                </Button>
              ) : null}
              <Button variant="danger" disabled={self || busy} onClick={() => setConfirmDelete(true)}>
                {t('people.delete')}
              </Button>
            </div>
          </div>
          <ConfirmDialog
            open={confirmDelete}
            danger
            title={t('people.deleteTitle', { name: user.displayName })}
            confirmLabel={t('people.deleteConfirm')}
            onClose={() => setConfirmDelete(false)}
            onConfirm={async () => {
              await api.del(`/api/admin/users/${encodeURIComponent(id)}`);
              setConfirmDelete(false);
              onDeleted(user.displayName);
            }}
          >
            <p>{t('people.deleteBody', { name: user.displayName })}</p>
            <ul>
              <li>{t('people.deleteSessions')}</li>
              <li>{t('people.deleteMemberships')}</li>
              <li>{t('people.deleteAudit')}</li>
              <li>{t('people.deleteData')}</li>
            </ul>
            <p>{t('people.deleteAlternative')}</p>
          </ConfirmDialog>
        </div>
      )}
    </Dialog>
  );
}
