import { useId, useRef, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useModalDialog } from '../../ui/index.js';
import { IconClose, IconDownload } from '../../ui/icons.js';
import { useFilesFormat } from './format.js';
import { PreviewBody } from './PreviewBody.js';
import { filesPreviews, type PreviewFile, type PreviewSource } from './previewApi.js';
import './preview.css';

/**
 * A file shown in the browser without downloading it: images, PDFs (office documents converted
 * on the server), text and Markdown. Previous/next walk the folder's files (also ←/→); Escape closes.
 */
export function PreviewDialog({
  files,
  index,
  onIndex,
  onClose,
  source = filesPreviews,
}: {
  files: PreviewFile[];
  index: number | null;
  onIndex: (i: number) => void;
  onClose: () => void;
  /** Where the previews come from: the signed-in person's files unless told (a public link). */
  source?: PreviewSource;
}) {
  const { t } = useTranslation();
  const fmt = useFilesFormat();
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const file = index === null ? null : (files[index] ?? null);
  const open = file !== null;

  useModalDialog(ref, open);

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
              <a className="btn btn-secondary btn-small" href={source.contentUrl(file.id)} download aria-label={t('preview.downloadName', { name: file.name })}>
                <IconDownload /> <span className="preview-nav-label">{t('common.download')}</span>
              </a>
              <button type="button" className="icon-btn" onClick={onClose} aria-label={t('common.close')}>
                <IconClose />
              </button>
            </div>
          </div>
          <div className="preview-body">
            <PreviewBody file={file} source={source} />
          </div>
        </div>
      ) : null}
    </dialog>
  );
}
