import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../app/api.js';
import { useErrorText } from '../../app/errors.js';
import type { AdminUserView, GroupDetail, GroupView } from '../../app/types.js';
import { Alert, Button, Checkbox, ConfirmDialog, Dialog, PageLoading, SelectField, Table, TextArea, TextField } from '../../ui/index.js';
import { useLoad } from '../../app/useLoad.js';

export function GroupsTab() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const { data: groups, error, reload: load } = useLoad(async () => (await api.get<{ groups: GroupView[] }>('/api/admin/groups')).groups, [], errorText);
  const [notice, setNotice] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<string | null>(null);

  return (
    <section aria-labelledby="groups-h" className="section">
      <div className="section-header">
        <h2 id="groups-h">{t('groups.title')}</h2>
        <Button variant="primary" onClick={() => setCreating(true)}>
          {t('groups.add')}
        </Button>
      </div>
      <p>{t('groups.help')}</p>
      {error ? <Alert kind="error">{error}</Alert> : null}
      {notice ? <Alert kind="success">{notice}</Alert> : null}
      {!groups ? (
        <PageLoading />
      ) : (
        <Table
          caption={t('groups.caption')}
          captionHidden
          rows={groups}
          rowKey={(g) => g.id}
          empty={t('groups.none')}
          columns={[
            {
              key: 'name',
              header: t('groups.displayName'),
              render: (g) => (
                <span className="cell-person">
                  <strong>{g.displayName}</strong>
                  <span className="muted">{g.name}</span>
                </span>
              ),
            },
            { key: 'members', header: t('groups.members'), render: (g) => g.memberCount },
            { key: 'mfa', header: t('groups.require2fa'), render: (g) => (g.require2fa ? <span className="badge badge-primary">{t('common.yes')}</span> : t('common.no')) },
            {
              key: 'actions',
              header: <span className="visually-hidden">{t('common.actions')}</span>,
              className: 'cell-actions',
              render: (g) => (
                <Button size="small" onClick={() => setEditing(g.id)} aria-label={t('groups.manageNamed', { name: g.displayName })}>
                  {t('common.manage')}
                </Button>
              ),
            },
          ]}
        />
      )}
      <GroupForm
        open={creating}
        onClose={() => setCreating(false)}
        onSaved={(g) => {
          setCreating(false);
          setNotice(t('groups.createdNotice', { name: g.displayName }));
          void load();
          setEditing(g.id);
        }}
      />
      {editing ? (
        <GroupDialog
          id={editing}
          allGroups={groups ?? []}
          onClose={() => setEditing(null)}
          onChanged={() => void load()}
          onDeleted={(name) => {
            setEditing(null);
            setNotice(t('groups.deletedNotice', { name }));
            void load();
          }}
        />
      ) : null}
    </section>
  );
}

function GroupForm({ open, onClose, onSaved }: { open: boolean; onClose: () => void; onSaved: (g: GroupView) => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const empty = { name: '', displayName: '', description: '', require2fa: false };
  const [form, setForm] = useState(empty);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const close = () => {
    setForm(empty);
    setError(null);
    onClose();
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const g = await api.post<GroupView>('/api/admin/groups', { name: form.name.trim(), displayName: form.displayName.trim(), description: form.description.trim(), require2fa: form.require2fa });
      setForm(empty);
      onSaved(g);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={open} title={t('groups.addTitle')} onClose={close}>
      <form onSubmit={submit}>
        {error ? <Alert kind="error">{error}</Alert> : null}
        <TextField label={t('groups.displayName')} required value={form.displayName} onChange={(e) => setForm({ ...form, displayName: e.target.value })} autoFocus />
        <TextField label={t('groups.name')} hint={t('groups.nameHint')} required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} autoComplete="off" />
        <TextArea label={t('groups.description')} rows={2} value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} />
        <Checkbox label={t('groups.require2fa')} hint={t('groups.require2faHint')} checked={form.require2fa} onChange={(e) => setForm({ ...form, require2fa: e.target.checked })} />
        <div className="row row-end">
          <Button onClick={close}>{t('common.cancel')}</Button>
          <Button type="submit" variant="primary" busy={busy}>
            {t('groups.create')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function GroupDialog({ id, allGroups, onClose, onChanged, onDeleted }: { id: string; allGroups: GroupView[]; onClose: () => void; onChanged: () => void; onDeleted: (name: string) => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [group, setGroup] = useState<GroupDetail | null>(null);
  const [form, setForm] = useState({ displayName: '', description: '', require2fa: false });
  const [status, setStatus] = useState<{ kind: 'error' | 'success'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [memberType, setMemberType] = useState<'user' | 'group'>('user');
  const [userQuery, setUserQuery] = useState('');
  const [userResults, setUserResults] = useState<AdminUserView[] | null>(null);
  const [pick, setPick] = useState('');
  const [confirmDelete, setConfirmDelete] = useState(false);

  const load = useCallback(async () => {
    try {
      const g = await api.get<GroupDetail>(`/api/admin/groups/${encodeURIComponent(id)}`);
      setGroup(g);
      setForm({ displayName: g.displayName, description: g.description ?? '', require2fa: g.require2fa });
    } catch (e) {
      setStatus({ kind: 'error', text: errorText(e) });
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id]);
  useEffect(() => {
    void load();
  }, [load]);

  const run = async (fn: () => Promise<void>, success: string) => {
    setStatus(null);
    setBusy(true);
    try {
      await fn();
      setStatus({ kind: 'success', text: success });
      await load();
      onChanged();
    } catch (e) {
      setStatus({ kind: 'error', text: e instanceof ApiError && e.code === 'cycle' ? t('groups.cycle') : errorText(e) });
    } finally {
      setBusy(false);
    }
  };

  const save = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => void (await api.patch(`/api/admin/groups/${encodeURIComponent(id)}`, { displayName: form.displayName.trim(), description: form.description.trim(), require2fa: form.require2fa })), t('common.saved'));
  };

  const findUsers = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const r = await api.get<{ users: AdminUserView[] }>(`/api/admin/users?${new URLSearchParams({ q: userQuery.trim(), limit: '20' })}`);
      setUserResults(r.users);
      setPick(r.users[0]?.id ?? '');
    } catch (err) {
      setStatus({ kind: 'error', text: errorText(err) });
    }
  };

  const add = () => {
    if (!pick) return;
    void run(async () => {
      await api.post(`/api/admin/groups/${encodeURIComponent(id)}/members`, { type: memberType, id: pick });
      setPick('');
      setUserResults(null);
      setUserQuery('');
    }, t('groups.memberAdded'));
  };

  const memberIds = new Set(group?.members.map((m) => `${m.type}:${m.id}`));
  const groupChoices = allGroups.filter((g) => g.id !== id && !memberIds.has(`group:${g.id}`));
  return (
    <Dialog open title={group ? group.displayName : t('common.loading')} onClose={onClose} wide>
      {status ? <Alert kind={status.kind}>{status.text}</Alert> : null}
      {!group ? (
        <PageLoading />
      ) : (
        <div className="stack-lg">
          <form onSubmit={save}>
            <TextField label={t('groups.displayName')} required value={form.displayName} onChange={(e) => setForm({ ...form, displayName: e.target.value })} />
            <TextArea label={t('groups.description')} rows={2} value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} />
            <Checkbox label={t('groups.require2fa')} hint={t('groups.require2faHint')} checked={form.require2fa} onChange={(e) => setForm({ ...form, require2fa: e.target.checked })} />
            <Button type="submit" variant="primary" busy={busy}>
              {t('common.save')}
            </Button>
          </form>
          <div className="stack">
            <h3>{t('groups.members')}</h3>
            <Table
              caption={t('groups.membersOf', { name: group.displayName })}
              captionHidden
              rows={group.members}
              rowKey={(m) => `${m.type}:${m.id}`}
              empty={t('groups.noMembers')}
              columns={[
                { key: 'name', header: t('groups.memberName'), render: (m) => m.name },
                { key: 'type', header: t('groups.memberType'), render: (m) => (m.type === 'user' ? t('groups.typeUser') : t('groups.typeGroup')) },
                {
                  key: 'actions',
                  header: <span className="visually-hidden">{t('common.actions')}</span>,
                  className: 'cell-actions',
                  render: (m) => (
                    <Button size="small" variant="danger" aria-label={t('groups.removeNamed', { name: m.name })} onClick={() => void run(async () => void (await api.del(`/api/admin/groups/${encodeURIComponent(id)}/members/${m.type}/${encodeURIComponent(m.id)}`)), t('groups.memberRemoved'))}>
                      {t('common.remove')}
                    </Button>
                  ),
                },
              ]}
            />
            <fieldset className="fieldset">
              <legend>{t('groups.addMember')}</legend>
              <SelectField
                label={t('groups.memberType')}
                value={memberType}
                onChange={(e) => {
                  setMemberType(e.target.value === 'group' ? 'group' : 'user');
                  setPick('');
                  setUserResults(null);
                }}
              >
                <option value="user">{t('groups.typeUser')}</option>
                <option value="group">{t('groups.typeGroup')}</option>
              </SelectField>
              {memberType === 'user' ? (
                <form onSubmit={findUsers} className="inline-form">
                  <TextField label={t('groups.findPerson')} type="search" value={userQuery} onChange={(e) => setUserQuery(e.target.value)} />
                  <Button type="submit">{t('common.search')}</Button>
                </form>
              ) : null}
              {memberType === 'user' && userResults ? (
                userResults.length ? (
                  <SelectField label={t('groups.person')} value={pick} onChange={(e) => setPick(e.target.value)}>
                    {userResults.map((u) => (
                      <option key={u.id} value={u.id} disabled={memberIds.has(`user:${u.id}`)}>
                        {u.displayName} ({u.username})
                      </option>
                    ))}
                  </SelectField>
                ) : (
                  <p role="status">{t('groups.noMatch')}</p>
                )
              ) : null}
              {memberType === 'group' ? (
                <SelectField label={t('groups.group')} value={pick} onChange={(e) => setPick(e.target.value)}>
                  <option value="">{t('groups.chooseGroup')}</option>
                  {groupChoices.map((g) => (
                    <option key={g.id} value={g.id}>
                      {g.displayName}
                    </option>
                  ))}
                </SelectField>
              ) : null}
              <div>
                <Button variant="primary" disabled={!pick} busy={busy} onClick={add}>
                  {t('groups.addMemberButton')}
                </Button>
              </div>
            </fieldset>
          </div>
          <div>
            <Button variant="danger" onClick={() => setConfirmDelete(true)}>
              {t('groups.delete')}
            </Button>
          </div>
          <ConfirmDialog
            open={confirmDelete}
            danger
            title={t('groups.deleteTitle', { name: group.displayName })}
            confirmLabel={t('groups.delete')}
            onClose={() => setConfirmDelete(false)}
            onConfirm={async () => {
              await api.del(`/api/admin/groups/${encodeURIComponent(id)}`);
              setConfirmDelete(false);
              onDeleted(group.displayName);
            }}
          >
            <p>{t('groups.deleteBody')}</p>
          </ConfirmDialog>
        </div>
      )}
    </Dialog>
  );
}
