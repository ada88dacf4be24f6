import { lazy, Suspense, useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Alert, Spinner, useModalDialog } from '../../ui/index.js';
import { IconClose, IconDownload } from '../../ui/icons.js';
import { contentUrl, type FileNode } from './api.js';
import { useFilesErrorText } from './errors.js';
import { useFilesFormat } from './format.js';
import { previewApi, type PreviewInfo } from './previewApi.js';
import './preview.css';

// The viewers pull in pdf.js or marked + DOMPurify: loaded only when such a file is opened.
const PdfViewer = lazy(() => import('./PdfViewer.js').then((m) => ({ default: m.PdfViewer })));
const TextPreview = lazy(() => import('./TextPreview.js').then((m) => ({ default: m.TextPreview })));

/**
 * A file shown in the browser without downloading it: images, PDFs (office documents converted
 * on the server), text and Markdown. Previous/next walk the folder's files (also ←/→); Escape closes.
 */
export function PreviewDialog({ files, index, onIndex, onClose }: { files: FileNode[]; index: number | null; onIndex: (i: number) => void; onClose: () => void }) {
  const { t } = useTranslation();
  const fmt = useFilesFormat();
  const errorText = useFilesErrorText();
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [info, setInfo] = useState<PreviewInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [imageLoaded, setImageLoaded] = useState(false);
  const file = index === null ? null : (files[index] ?? null);
  const open = file !== null;

  useModalDialog(ref, open);

  useEffect(() => {
    if (!file) return;
    const ctrl = new AbortController();
    setInfo(null);
    setError(null);
    setImageLoaded(false);
    previewApi
      .info(file.id, ctrl.signal)
      .then(setInfo)
      .catch((e: unknown) => {
        if ((e as Error).name !== 'AbortError') setError(errorText(e));
      });
    return () => ctrl.abort();
    // errorText is rebuilt each render; the preview depends on the file and its content.
  }, [file?.id, file?.etag]);

  const count = files.length;
  const go = (dir: 1 | -1) => {
    if (index === null || count < 2) return;
    onIndex((index + dir + count) % count);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDialogElement>) => {
    const target = e.target as HTMLElement;
    // Arrows inside the PDF page field or a text selection stay theirs.
    if (target instanceof HTMLInputElement || target.closest('.pdf-frame, .preview-text-body')) return;
    if (e.key === 'ArrowRight') {
      e.preventDefault();
      go(1);
    } else if (e.key === 'ArrowLeft') {
      e.preventDefault();
      go(-1);
    }
  };

  const unavailable = (reason: PreviewInfo['reason']) => {
    const text = reason === 'office_unavailable' ? t('preview.officeUnavailable') : reason === 'too_large' ? t('preview.tooLarge') : reason === 'failed' ? t('preview.failed') : t('preview.unsupported');
    return (
      <div className="preview-unavailable">
        <p>{text}</p>
        {file ? (
          <a className="btn btn-primary" href={contentUrl(file.id)} download>
            <IconDownload /> {t('preview.downloadName', { name: file.name })}
          </a>
        ) : null}
      </div>
    );
  };

  const body = () => {
    if (!file) return null;
    if (error) return <Alert kind="error">{error}</Alert>;
    if (!info) return <Spinner label={t('preview.loading')} />;
    if (!info.available || !info.url) return unavailable(info.reason);
    switch (info.kind) {
      case 'image':
        return (
          <div className="preview-image-wrap">
            {imageLoaded ? null : <Spinner label={t('preview.loading')} />}
            <img className={`preview-image ${imageLoaded ? '' : 'is-loading'}`} src={info.url} alt={file.name} onLoad={() => setImageLoaded(true)} onError={() => setError(t('preview.failed'))} />
          </div>
        );
      case 'pdf':
      case 'office':
        return (
          <>
            {info.kind === 'office' ? <p className="muted small">{t('preview.converted')}</p> : null}
            <PdfViewer key={info.url} url={info.url} title={file.name} />
          </>
        );
      case 'text':
      case 'markdown':
        return <TextPreview key={info.url} url={info.url} markdown={info.kind === 'markdown'} truncated={info.truncated} />;
      default:
        return unavailable('unsupported');
    }
  };

  return (
    <dialog
      ref={ref}
      className="dialog preview-dialog"
      aria-labelledby={titleId}
      onKeyDown={onKeyDown}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      {file ? (
        <div className="preview-inner">
          <div className="preview-header">
            <div className="preview-title">
              <h2 id={titleId} className="wrap-anywhere">
                {file.name}
              </h2>
              <p className="muted small">
                {fmt.bytes(file.size)} · {fmt.dateTime(file.modifiedAt)}
                {count > 1 && index !== null ? ` · ${t('preview.position', { n: index + 1, count })}` : ''}
              </p>
            </div>
            <div className="preview-actions">
              {count > 1 ? (
                <>
                  <button type="button" className="btn btn-secondary btn-small" onClick={() => go(-1)} aria-label={t('preview.previous')}>
                    ‹ <span className="preview-nav-label">{t('preview.previousShort')}</span>
                  </button>
                  <button type="button" className="btn btn-secondary btn-small" onClick={() => go(1)} aria-label={t('preview.next')}>
                    <span className="preview-nav-label">{t('preview.nextShort')}</span> ›
                  </button>
                </>
              ) : null}
              <a className="btn btn-secondary btn-small" href={contentUrl(file.id)} download aria-label={t('preview.downloadName', { name: file.name })}>
                <IconDownload /> <span className="preview-nav-label">{t('common.download')}</span>
              </a>
              <button type="button" className="icon-btn" onClick={onClose} aria-label={t('common.close')}>
                <IconClose />
              </button>
            </div>
          </div>
          <div className="preview-body">
            <Suspense fallback={<Spinner label={t('preview.loading')} />}>{body()}</Suspense>
          </div>
        </div>
      ) : null}
    </dialog>
  );
}
