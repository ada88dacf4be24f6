import { lazy, Suspense, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Alert, Spinner } from '../../ui/index.js';
import { IconDownload } from '../../ui/icons.js';
import { useFilesErrorText } from './errors.js';
import type { PreviewFile, PreviewInfo, PreviewSource } from './previewApi.js';
import './preview.css';

// The viewers pull in pdf.js or marked + DOMPurify: loaded only when such a file is opened.
const PdfViewer = lazy(() => import('./PdfViewer.js').then((m) => ({ default: m.PdfViewer })));
const TextPreview = lazy(() => import('./TextPreview.js').then((m) => ({ default: m.TextPreview })));

/**
 * One file shown in the browser without downloading it: an image, a PDF (office documents
 * converted on the server), text or Markdown; otherwise why not, with a download. Used by
 * PreviewDialog and inline on a public link's page. `offerDownload: false` where a download
 * button already stands next to it.
 */
export function PreviewBody({ file, source, offerDownload = true }: { file: PreviewFile; source: PreviewSource; offerDownload?: boolean }) {
  const { t } = useTranslation();
  const errorText = useFilesErrorText();
  const [info, setInfo] = useState<PreviewInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [imageLoaded, setImageLoaded] = useState(false);

  useEffect(() => {
    const ctrl = new AbortController();
    setInfo(null);
    setError(null);
    setImageLoaded(false);
    source
      .info(file.id, ctrl.signal)
      .then(setInfo)
      .catch((e: unknown) => {
        if ((e as Error).name !== 'AbortError') setError(errorText(e));
      });
    return () => ctrl.abort();
    // errorText is rebuilt each render; the preview depends on the file, its content and where it is served.
  }, [file.id, file.etag, source]);

  const unavailable = (reason: PreviewInfo['reason']) => {
    const office = source.visitor ? t('preview.officeUnavailableVisitor') : t('preview.officeUnavailable');
    const text = reason === 'office_unavailable' ? office : reason === 'too_large' ? t('preview.tooLarge') : reason === 'failed' ? t('preview.failed') : t('preview.unsupported');
    return (
      <div className="preview-unavailable">
        <p>{text}</p>
        {offerDownload ? (
          <a className="btn btn-primary" href={source.contentUrl(file.id)} download>
            <IconDownload /> {t('preview.downloadName', { name: file.name })}
          </a>
        ) : null}
      </div>
    );
  };

  const body = () => {
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

  return <Suspense fallback={<Spinner label={t('preview.loading')} />}>{body()}</Suspense>;
}
