import { useState, type ReactNode } from 'react';
import type { FileNode } from './api.js';
import { filesPreviews, mayHaveThumbnail } from './previewApi.js';

/**
 * A thumbnail loaded only when it scrolls into view (loading="lazy"); the file-type icon stays
 * when there is none (folders, unknown types, no LibreOffice on the server, a broken file).
 */
export function FileThumb({ node, icon }: { node: FileNode; icon: ReactNode }) {
  const [state, setState] = useState<'loading' | 'loaded' | 'failed'>('loading');
  const wanted = mayHaveThumbnail(node) && state !== 'failed';
  return (
    <span className={`file-thumb ${state === 'loaded' ? 'has-image' : ''}`}>
      {state === 'loaded' ? null : <span className="file-thumb-icon">{icon}</span>}
      {wanted ? (
        // The name is next to it: the image is decorative.
        <img
          key={node.etag}
          src={`${filesPreviews.thumbnailUrl(node.id, 256)}&v=${encodeURIComponent(node.etag.replace(/"/g, ''))}`}
          alt=""
          loading="lazy"
          decoding="async"
          className={`file-thumb-img ${state === 'loaded' ? '' : 'is-loading'}`}
          onLoad={() => setState('loaded')}
          onError={() => setState('failed')}
        />
      ) : null}
    </span>
  );
}
