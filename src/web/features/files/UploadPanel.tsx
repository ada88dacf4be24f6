import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../app/api.js';
import { Button, ProgressBar } from '../../ui/index.js';
import { useFilesErrorText } from './errors.js';
import type { UploadJob } from './useUploads.js';

/** Per-file and overall progress; errors and name conflicts with what to do next. */
export function UploadPanel({ jobs, onResolve, onClear, onCancel }: { jobs: UploadJob[]; onResolve: (id: number, choice: 'replace' | 'keepBoth' | 'skip') => void; onClear: () => void; onCancel: (id: number) => void }) {
  const { t } = useTranslation();
  const errorText = useFilesErrorText();
  const headingId = useId();
  if (jobs.length === 0) return null;
  const total = jobs.reduce((s, j) => s + j.file.size, 0);
  const loaded = jobs.reduce((s, j) => s + (j.status === 'done' ? j.file.size : Math.min(j.loaded, j.file.size)), 0);
  const done = jobs.filter((j) => j.status === 'done').length;
  const failed = jobs.filter((j) => j.status === 'error').length;
  const waiting = jobs.filter((j) => j.status === 'conflict').length;
  const busy = jobs.some((j) => j.status === 'queued' || j.status === 'uploading');
  const overall = total === 0 ? (busy ? 0 : 1) : loaded / total;
  const summary = busy
    ? t('files.upload.progress', { done, count: jobs.length })
    : [done || (!failed && !waiting) ? t('files.upload.finished', { count: done }) : '', failed ? t('files.upload.failed', { count: failed }) : '', waiting ? t('files.upload.waiting', { count: waiting }) : ''].filter(Boolean).join(' ');
  const path = (j: UploadJob) => [...j.dirs, j.storedAs ?? j.name].join('/');
  return (
    <section className="uploads" aria-labelledby={headingId}>
      <div className="uploads-header">
        <h2 id={headingId}>{t('files.upload.title')}</h2>
        {!busy ? (
          <Button size="small" variant="ghost" onClick={onClear}>
            {t('files.upload.clear')}
          </Button>
        ) : null}
      </div>
      <p role="status" className="uploads-summary">
        {summary}
      </p>
      <ProgressBar value={overall} label={t('files.upload.overall')} />
      <ul className="uploads-list">
        {jobs.map((j) => (
          <li key={j.id} className={`upload upload-${j.status}`}>
            {j.status === 'conflict' ? (
              <div className="upload-conflict">
                <p>
                  <strong className="wrap-anywhere">{path(j)}</strong> — {t('files.upload.exists')}
                </p>
                <div className="row">
                  <Button size="small" onClick={() => onResolve(j.id, 'replace')}>
                    {t('files.upload.replace')}
                  </Button>
                  <Button size="small" onClick={() => onResolve(j.id, 'keepBoth')}>
                    {t('files.upload.keepBoth')}
                  </Button>
                  <Button size="small" variant="ghost" onClick={() => onResolve(j.id, 'skip')}>
                    {t('files.upload.skip')}
                  </Button>
                </div>
              </div>
            ) : j.status === 'error' ? (
              <p className="upload-error">
                <strong className="wrap-anywhere">{path(j)}</strong> — {j.error instanceof ApiError && j.error.code === 'aborted' ? t('files.upload.cancelled') : errorText(j.error, j.name)}
              </p>
            ) : (
              <div className="upload-row">
                <ProgressBar value={j.status === 'done' ? 1 : j.file.size === 0 ? 0 : j.loaded / j.file.size} label={path(j)} />
                {j.status === 'queued' || j.status === 'uploading' ? (
                  <Button size="small" variant="ghost" onClick={() => onCancel(j.id)} aria-label={t('files.upload.cancelFile', { name: path(j) })}>
                    {t('common.cancel')}
                  </Button>
                ) : null}
              </div>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
