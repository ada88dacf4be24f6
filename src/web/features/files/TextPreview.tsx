import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import DOMPurify from 'dompurify';
import { marked } from 'marked';
import { Alert, Spinner } from '../../ui/index.js';

/**
 * Markdown becomes HTML through DOMPurify: no script, no inline style or event handler, no
 * form, and no image or frame (those would fetch from wherever the text points).
 */
function safeMarkdown(text: string): string {
  const html = marked.parse(text, { async: false, gfm: true });
  return DOMPurify.sanitize(html, {
    FORBID_TAGS: ['style', 'img', 'picture', 'source', 'video', 'audio', 'iframe', 'object', 'embed', 'form', 'input', 'button', 'link', 'meta', 'base', 'svg', 'math'],
    FORBID_ATTR: ['style', 'srcset'],
  });
}

/** A text file as text (never interpreted), or Markdown rendered safely. */
export function TextPreview({ url, markdown, truncated }: { url: string; markdown: boolean; truncated: boolean }) {
  const { t } = useTranslation();
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [showSource, setShowSource] = useState(false);

  useEffect(() => {
    const ctrl = new AbortController();
    fetch(url, { signal: ctrl.signal, credentials: 'same-origin' })
      .then(async (res) => {
        if (!res.ok) throw new Error(String(res.status));
        setText(await res.text());
      })
      .catch((e: unknown) => {
        if ((e as Error).name !== 'AbortError') setError(t('preview.failed'));
      });
    return () => ctrl.abort();
  }, [url]);

  if (error) return <Alert kind="error">{error}</Alert>;
  if (text === null) return <Spinner label={t('preview.loading')} />;
  return (
    <div className="preview-text">
      {truncated ? <Alert kind="info">{t('preview.truncated')}</Alert> : null}
      {markdown ? (
        <label className="preview-source-toggle small">
          <input type="checkbox" checked={showSource} onChange={(e) => setShowSource(e.target.checked)} /> {t('preview.showSource')}
        </label>
      ) : null}
      {markdown && !showSource ? (
        <div className="preview-text-body preview-markdown" tabIndex={0} dangerouslySetInnerHTML={{ __html: safeMarkdown(text) }} />
      ) : (
        <pre className="preview-text-body" tabIndex={0}>
          {text}
        </pre>
      )}
    </div>
  );
}
