import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../app/api.js';
import { useErrorText } from '../../app/errors.js';
import { useFormat } from '../../app/format.js';
import type { BackendStatus, JobView, SystemStatus } from '../../app/types.js';
import { Alert, Button, PageLoading, SelectField, Table } from '../../ui/index.js';

function Backend({ label, s }: { label: string; s: BackendStatus }) {
  const { t } = useTranslation();
  return (
    <div className="stat">
      <dt>{label}</dt>
      <dd>
        <span className={`badge ${s.ok ? 'badge-ok' : 'badge-danger'}`}>{s.ok ? t('status.ok') : t('status.failing')}</span> {s.kind ?? ''}
        {s.error ? <span className="stat-error">{s.error}</span> : null}
      </dd>
    </div>
  );
}

export function StatusTab() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const fmt = useFormat();
  const [status, setStatus] = useState<SystemStatus | null>(null);
  const [jobs, setJobs] = useState<JobView[] | null>(null);
  const [jobFilter, setJobFilter] = useState('failed');
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setStatus(await api.get<SystemStatus>('/api/admin/status'));
    } catch (e) {
      setError(errorText(e));
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const loadJobs = useCallback(async () => {
    try {
      setJobs((await api.get<{ jobs: JobView[] }>(`/api/admin/jobs${jobFilter ? `?status=${jobFilter}` : ''}`)).jobs);
    } catch (e) {
      setError(errorText(e));
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [jobFilter]);
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    void loadJobs();
  }, [loadJobs]);

  const retry = async (j: JobView) => {
    setNotice(null);
    try {
      await api.post(`/api/admin/jobs/${encodeURIComponent(j.id)}/retry`);
      setNotice(t('status.retried'));
      await Promise.all([load(), loadJobs()]);
    } catch (e) {
      setError(errorText(e));
    }
  };

  const disk = status?.disk as (SystemStatus['disk'] & { error?: string }) | undefined;
  const used = disk && disk.totalBytes ? (disk.totalBytes - disk.freeBytes) / disk.totalBytes : null;
  return (
    <div className="stack-lg">
      <section aria-labelledby="status-h" className="section">
        <div className="section-header">
          <h2 id="status-h">{t('status.title')}</h2>
          <Button onClick={() => void Promise.all([load(), loadJobs()])}>{t('common.refresh')}</Button>
        </div>
        {error ? <Alert kind="error">{error}</Alert> : null}
        {notice ? <Alert kind="success">{notice}</Alert> : null}
        {!status ? (
          <PageLoading />
        ) : (
          <>
            <dl className="stats">
              <div className="stat">
                <dt>{t('status.version')}</dt>
                <dd>{status.version}</dd>
              </div>
              <div className="stat">
                <dt>{t('status.uptime')}</dt>
                <dd>{fmt.duration(status.uptimeSeconds)}</dd>
              </div>
              <Backend label={t('status.database')} s={status.database} />
              <Backend label={t('status.storage')} s={status.blobs} />
              <Backend label={t('status.bus')} s={status.bus} />
              <div className="stat">
                <dt>{t('status.disk')}</dt>
                <dd>
                  {disk?.error ? (
                    <span className="stat-error">{disk.error}</span>
                  ) : disk ? (
                    <>
                      {t('status.diskFree', { free: fmt.bytes(disk.freeBytes), total: fmt.bytes(disk.totalBytes) })}
                      {used !== null ? <meter className="meter" min={0} max={1} low={0.8} high={0.9} optimum={0} value={used} aria-label={t('status.diskUsed')} /> : null}
                      <span className="muted small">{disk.path}</span>
                    </>
                  ) : null}
                </dd>
              </div>
            </dl>
            {status.services && Object.keys(status.services).length ? (
              <>
                <h3>{t('statusServices.title')}</h3>
                <dl className="stats">
                  {Object.entries(status.services).map(([name, s]) => (
                    <Backend
                      key={name}
                      label={t(`statusServices.names.${name.replace('.', '_')}`, { defaultValue: name })}
                      s={s.kind === 'off' ? { ...s, kind: t('statusServices.off') } : s}
                    />
                  ))}
                </dl>
              </>
            ) : null}
            <h3>{t('status.jobs')}</h3>
            <dl className="stats stats-4">
              {(['queued', 'running', 'done', 'failed'] as const).map((k) => (
                <div className="stat" key={k}>
                  <dt>{t(`status.job.${k}`)}</dt>
                  <dd className="stat-number">{fmt.number(status.jobs[k])}</dd>
                </div>
              ))}
            </dl>
            {status.tools ? (
              <>
                <h3>{t('status.tools')}</h3>
                <dl className="stats">
                  {Object.entries(status.tools).map(([tool, ok]) => (
                    <div className="stat" key={tool}>
                      <dt>{t(`status.tool.${tool}`, { defaultValue: tool })}</dt>
                      <dd>
                        <span className={`badge ${ok ? 'badge-ok' : 'badge-warning'}`}>{ok ? t('status.toolInstalled') : t('status.toolMissing')}</span>
                        {!ok && tool === 'libreoffice' ? <span className="stat-error">{t('status.libreofficeHint')}</span> : null}
                      </dd>
                    </div>
                  ))}
                </dl>
              </>
            ) : null}
            <h3>{t('status.modules')}</h3>
            <ul className="chips">
              {status.modules.map((m) => (
                <li key={m} className="badge">
                  {m}
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
      <section aria-labelledby="jobs-h" className="section">
        <h2 id="jobs-h">{t('status.jobList')}</h2>
        <SelectField label={t('status.jobFilter')} value={jobFilter} onChange={(e) => setJobFilter(e.target.value)}>
          <option value="">{t('status.job.all')}</option>
          {(['queued', 'running', 'done', 'failed'] as const).map((k) => (
            <option key={k} value={k}>
              {t(`status.job.${k}`)}
            </option>
          ))}
        </SelectField>
        {!jobs ? (
          <PageLoading />
        ) : (
          <Table
            caption={t('status.jobList')}
            captionHidden
            rows={jobs}
            rowKey={(j) => j.id}
            empty={t('status.noJobs')}
            columns={[
              { key: 'name', header: t('status.jobName'), render: (j) => <code>{String(j.name ?? j.type ?? j.id)}</code> },
              { key: 'status', header: t('people.status'), render: (j) => j.status },
              { key: 'attempts', header: t('status.attempts'), render: (j) => String(j.attempts ?? '—') },
              { key: 'error', header: t('status.lastError'), render: (j) => <span className="wrap-anywhere small">{String(j.lastError ?? j.error ?? '')}</span> },
              {
                key: 'actions',
                header: <span className="visually-hidden">{t('common.actions')}</span>,
                className: 'cell-actions',
                render: (j) =>
                  j.status === 'failed' ? (
                    <Button size="small" onClick={() => void retry(j)}>
                      {t('status.retry')}
                    </Button>
                  ) : null,
              },
            ]}
          />
        )}
      </section>
    </div>
  );
}
