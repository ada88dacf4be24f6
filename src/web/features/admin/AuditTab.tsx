import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../app/api.js';
import { useErrorText } from '../../app/errors.js';
import { useFormat } from '../../app/format.js';
import type { AuditEntry } from '../../app/types.js';
import { Alert, Button, PageLoading, Table, TextField } from '../../ui/index.js';

const LIMIT = 50;

interface Filters {
  actor: string;
  action: string;
  from: string;
  to: string;
  text: string;
}

const EMPTY: Filters = { actor: '', action: '', from: '', to: '', text: '' };

/** datetime-local values are local time; the API wants ISO 8601. */
function toIso(local: string): string | null {
  if (!local) return null;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

function summary(details: unknown): string {
  if (details === null || details === undefined) return '';
  if (typeof details !== 'object') return String(details);
  const s = JSON.stringify(details);
  return s === '{}' ? '' : s.length > 160 ? `${s.slice(0, 157)}…` : s;
}

export function AuditTab() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const fmt = useFormat();
  const [form, setForm] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  // Cursor stack: the `before` of each page seen, so "newer" can step back.
  const [cursors, setCursors] = useState<(number | null)[]>([null]);
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [verify, setVerify] = useState<{ kind: 'error' | 'success'; text: string } | null>(null);
  const before = cursors[cursors.length - 1] ?? null;

  const load = useCallback(async () => {
    setError(null);
    const p = new URLSearchParams({ limit: String(LIMIT) });
    if (filters.actor.trim()) p.set('actor', filters.actor.trim());
    if (filters.action.trim()) p.set('action', filters.action.trim());
    if (filters.text.trim()) p.set('text', filters.text.trim());
    const from = toIso(filters.from);
    const to = toIso(filters.to);
    if (from) p.set('from', from);
    if (to) p.set('to', to);
    if (before) p.set('before', String(before));
    try {
      setEntries((await api.get<{ entries: AuditEntry[] }>(`/api/admin/audit?${p}`)).entries);
    } catch (e) {
      setError(errorText(e));
      setEntries([]);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [filters, before]);
  useEffect(() => {
    void load();
  }, [load]);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setCursors([null]);
    setFilters(form);
  };
  const last = entries && entries.length === LIMIT ? entries[entries.length - 1] : undefined;

  const runVerify = async () => {
    setVerify(null);
    try {
      const r = await api.get<{ ok: boolean; checked: number; problems: unknown[] }>('/api/admin/audit/verify');
      setVerify(r.ok ? { kind: 'success', text: t('audit.verifyOk', { count: r.checked }) } : { kind: 'error', text: t('audit.verifyBad', { count: r.problems.length }) });
    } catch (e) {
      setVerify({ kind: 'error', text: errorText(e) });
    }
  };

  return (
    <section aria-labelledby="audit-h" className="section">
      <div className="section-header">
        <h2 id="audit-h">{t('audit.title')}</h2>
        <Button onClick={() => void runVerify()}>{t('audit.verify')}</Button>
      </div>
      <p>{t('audit.help')}</p>
      {verify ? <Alert kind={verify.kind}>{verify.text}</Alert> : null}
      <form onSubmit={apply} className="filters" aria-label={t('audit.filters')}>
        <TextField label={t('audit.actor')} value={form.actor} onChange={(e) => setForm({ ...form, actor: e.target.value })} />
        <TextField label={t('audit.action')} hint={t('audit.actionHint')} value={form.action} onChange={(e) => setForm({ ...form, action: e.target.value })} />
        <TextField label={t('audit.from')} type="datetime-local" value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} />
        <TextField label={t('audit.to')} type="datetime-local" value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} />
        <TextField label={t('audit.text')} type="search" value={form.text} onChange={(e) => setForm({ ...form, text: e.target.value })} />
        <div className="filters-actions">
          <Button type="submit" variant="primary">
            {t('audit.apply')}
          </Button>
          <Button
            onClick={() => {
              setForm(EMPTY);
              setFilters(EMPTY);
              setCursors([null]);
            }}
          >
            {t('audit.reset')}
          </Button>
        </div>
      </form>
      {error ? <Alert kind="error">{error}</Alert> : null}
      {!entries ? (
        <PageLoading />
      ) : (
        <>
          <Table
            caption={t('audit.caption')}
            captionHidden
            rows={entries}
            rowKey={(e) => String(e.seq)}
            empty={t('audit.none')}
            columns={[
              { key: 'at', header: t('audit.when'), render: (e) => <time dateTime={e.at}>{fmt.dateTime(e.at)}</time> },
              { key: 'actor', header: t('audit.actor'), render: (e) => e.actorName ?? t('audit.system') },
              { key: 'action', header: t('audit.action'), render: (e) => <code>{e.action}</code> },
              { key: 'target', header: t('audit.target'), render: (e) => (e.targetType ? `${e.targetType}${e.targetId ? ` ${e.targetId}` : ''}` : '—') },
              {
                key: 'outcome',
                header: t('audit.outcome'),
                render: (e) => <span className={`badge ${e.outcome === 'success' || e.outcome === 'ok' ? 'badge-ok' : 'badge-danger'}`}>{e.outcome}</span>,
              },
              { key: 'ip', header: t('sessions.ip'), render: (e) => e.ip ?? '—' },
              { key: 'details', header: t('audit.details'), render: (e) => <span className="wrap-anywhere small">{summary(e.details)}</span> },
            ]}
          />
          <nav className="pager" aria-label={t('common.pagination')}>
            <Button size="small" disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
              {t('audit.newer')}
            </Button>
            <Button size="small" disabled={!last} onClick={() => last && setCursors((c) => [...c, last.seq])}>
              {t('audit.older')}
            </Button>
          </nav>
        </>
      )}
    </section>
  );
}
