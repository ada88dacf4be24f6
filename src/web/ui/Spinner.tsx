import { useTranslation } from 'react-i18next';

/** An indeterminate progress indicator; decorative inside busy buttons. */
export function Spinner({ size, label, decorative }: { size?: 'small'; label?: string; decorative?: boolean }) {
  const { t } = useTranslation();
  if (decorative) return <span className={`spinner ${size === 'small' ? 'spinner-small' : ''}`} aria-hidden="true" />;
  return (
    <span className="spinner-wrap" role="status">
      <span className={`spinner ${size === 'small' ? 'spinner-small' : ''}`} aria-hidden="true" />
      <span className="visually-hidden">{label ?? t('common.loading')}</span>
    </span>
  );
}

/** Determinate progress with an accessible name and value. */
export function ProgressBar({ value, label }: { value: number; label: string }) {
  const pct = Math.round(Math.max(0, Math.min(1, value)) * 100);
  return (
    <div className="progress">
      <label className="progress-label">
        <span>{label}</span> <span>{pct}%</span>
        <progress max={100} value={pct} aria-valuetext={`${pct}%`}>
          {pct}%
        </progress>
      </label>
    </div>
  );
}

export function PageLoading() {
  return (
    <div className="page-loading">
      <Spinner />
    </div>
  );
}
