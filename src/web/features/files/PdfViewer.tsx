import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { PDFDocumentProxy, RenderTask, TextLayer } from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';
import { Alert, Button, Spinner } from '../../ui/index.js';

type PdfJs = typeof import('pdfjs-dist');

let loading: Promise<PdfJs> | null = null;
/** pdf.js is large: loaded the first time a PDF is opened, with its worker from this origin. */
function loadPdfJs(): Promise<PdfJs> {
  loading ??= import('pdfjs-dist').then((pdfjs) => {
    pdfjs.GlobalWorkerOptions.workerSrc = workerUrl;
    return pdfjs;
  });
  return loading;
}

const ZOOMS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3];

/**
 * A PDF, one page at a time: canvas plus a selectable text layer (screen readers and copy),
 * page and zoom controls; PageUp/PageDown, Home/End, + and − from the keyboard.
 */
export function PdfViewer({ url, title, onError }: { url: string; title: string; onError?: (message: string) => void }) {
  const { t } = useTranslation();
  const [doc, setDoc] = useState<PDFDocumentProxy | null>(null);
  const [page, setPage] = useState(1);
  const [zoom, setZoom] = useState(1);
  const [fitWidth, setFitWidth] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [rendering, setRendering] = useState(false);
  const [shownScale, setShownScale] = useState(1);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const textRef = useRef<HTMLDivElement>(null);
  const frameRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let cancelled = false;
    let loaded: PDFDocumentProxy | null = null;
    setDoc(null);
    setPage(1);
    setError(null);
    (async () => {
      const pdfjs = await loadPdfJs();
      // No eval (the CSP forbids it anyway), no scripting, nothing fetched but this URL.
      const task = pdfjs.getDocument({ url, isEvalSupported: false, enableXfa: false, disableFontFace: false, useSystemFonts: true });
      loaded = await task.promise;
      if (cancelled) void loaded.destroy();
      else setDoc(loaded);
    })().catch(() => {
      if (cancelled) return;
      const message = t('preview.pdfError');
      setError(message);
      onError?.(message);
    });
    return () => {
      cancelled = true;
      void loaded?.destroy();
    };
    // onError and t are stable enough; the document depends on the URL only.
  }, [url]);

  useEffect(() => {
    if (!doc) return;
    let task: RenderTask | null = null;
    let text: TextLayer | null = null;
    let cancelled = false;
    setRendering(true);
    (async () => {
      const pdfjs = await loadPdfJs();
      const p = await doc.getPage(page);
      if (cancelled) return;
      const base = p.getViewport({ scale: 1 });
      const available = (frameRef.current?.clientWidth ?? base.width) - 16;
      const scale = fitWidth ? Math.max(0.25, Math.min(4, available / base.width)) : zoom;
      const viewport = p.getViewport({ scale });
      setShownScale(scale);
      const ratio = window.devicePixelRatio || 1;
      const canvas = canvasRef.current!;
      canvas.width = Math.floor(viewport.width * ratio);
      canvas.height = Math.floor(viewport.height * ratio);
      // Set through the CSSOM, which the strict CSP allows (no style attributes in markup).
      canvas.style.width = `${Math.floor(viewport.width)}px`;
      canvas.style.height = `${Math.floor(viewport.height)}px`;
      task = p.render({ canvas, viewport: p.getViewport({ scale: scale * ratio }) });
      await task.promise;
      const layer = textRef.current!;
      layer.replaceChildren();
      layer.style.width = canvas.style.width;
      layer.style.height = canvas.style.height;
      layer.style.setProperty('--scale-factor', String(scale));
      layer.style.setProperty('--total-scale-factor', String(scale));
      text = new pdfjs.TextLayer({ textContentSource: p.streamTextContent(), container: layer, viewport });
      await text.render();
      if (!cancelled) canvas.dataset.rendered = String(page);
    })()
      .catch((e: unknown) => {
        if (!cancelled && (e as Error).name !== 'RenderingCancelledException') setError(t('preview.pdfError'));
      })
      .finally(() => {
        if (!cancelled) setRendering(false);
      });
    return () => {
      cancelled = true;
      task?.cancel();
      text?.cancel();
    };
  }, [doc, page, zoom, fitWidth]);

  const pages = doc?.numPages ?? 0;
  const go = (n: number) => setPage(Math.min(Math.max(1, n), pages || 1));
  const zoomBy = (dir: 1 | -1) => {
    setFitWidth(false);
    setZoom(() => {
      const z = shownScale;
      const i = dir > 0 ? ZOOMS.findIndex((v) => v > z + 0.01) : ZOOMS.findLastIndex((v) => v < z - 0.01);
      if (i < 0) return dir > 0 ? ZOOMS[ZOOMS.length - 1]! : ZOOMS[0]!;
      return ZOOMS[i]!;
    });
  };
  const onKeyDown = (e: KeyboardEvent) => {
    const keys: Record<string, () => void> = {
      PageDown: () => go(page + 1),
      PageUp: () => go(page - 1),
      Home: () => go(1),
      End: () => go(pages),
      '+': () => zoomBy(1),
      '=': () => zoomBy(1),
      '-': () => zoomBy(-1),
    };
    const action = keys[e.key];
    if (action && !(e.target instanceof HTMLInputElement)) {
      e.preventDefault();
      action();
    }
  };

  if (error) return <Alert kind="error">{error}</Alert>;
  return (
    <div className="pdf-viewer" onKeyDown={onKeyDown}>
      <div className="pdf-toolbar" role="toolbar" aria-label={t('preview.pdfToolbar')}>
        <Button size="small" onClick={() => go(page - 1)} disabled={page <= 1}>
          {t('preview.prevPage')}
        </Button>
        <label className="pdf-page">
          <span className="visually-hidden">{t('preview.pageNumber')}</span>
          <input type="number" min={1} max={pages || 1} value={page} onChange={(e) => go(Number(e.target.value) || 1)} className="input pdf-page-input" />
          <span aria-live="polite">{pages ? t('preview.pageOf', { page, pages }) : ''}</span>
        </label>
        <Button size="small" onClick={() => go(page + 1)} disabled={!pages || page >= pages}>
          {t('preview.nextPage')}
        </Button>
        <span className="pdf-zoom">
          <Button size="small" onClick={() => zoomBy(-1)} aria-label={t('preview.zoomOut')}>
            −
          </Button>
          <span className="pdf-zoom-value" aria-live="polite">{`${Math.round(shownScale * 100)} %`}</span>
          <Button size="small" onClick={() => zoomBy(1)} aria-label={t('preview.zoomIn')}>
            +
          </Button>
          <Button size="small" onClick={() => setFitWidth(true)} disabled={fitWidth}>
            {t('preview.fitWidth')}
          </Button>
        </span>
      </div>
      {/* Focusable so PageUp/PageDown and the arrows scroll and turn pages without a mouse. */}
      <div ref={frameRef} className="pdf-frame" tabIndex={0} role="region" aria-label={t('preview.pdfRegion', { name: title, page, pages })}>
        {!doc || rendering ? <Spinner /> : null}
        <div className="pdf-page-box">
          <canvas ref={canvasRef} className="pdf-canvas" aria-hidden="true" />
          <div ref={textRef} className="textLayer" />
        </div>
      </div>
    </div>
  );
}
