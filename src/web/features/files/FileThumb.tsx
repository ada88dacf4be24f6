import { useState, type ReactNode } from 'react';
import { IconFolder } from '../../ui/icons.js';
import { IconFile, IconImage } from './icons.js';
import { filesPreviews, mayHaveThumbnail, type PreviewFile, type PreviewSource } from './previewApi.js';

/** The file-type icon a thumbnail replaces once it has loaded. */
export function FileIcon({ node }: { node: Pick<PreviewFile, 'kind' | 'contentType'> }) {
  if (node.kind === 'folder') return <IconFolder className="file-icon file-icon-folder" />;
  if (node.contentType?.startsWith('image/')) return <IconImage className="file-icon" />;
  return <IconFile className="file-icon" />;
}

/**
 * A thumbnail loaded only when it scrolls into view (loading="lazy"); the file-type icon stays
 * when there is none (folders, unknown types, no LibreOffice on the server, a broken file).
 */
export function FileThumb({ node, icon, source = filesPreviews, size = 256 }: { node: PreviewFile; icon: ReactNode; source?: PreviewSource; size?: 64 | 128 | 256 | 512 }) {
  const [state, setState] = useState<'loading' | 'loaded' | 'failed'>('loading');
  const wanted = mayHaveThumbnail(node) && state !== 'failed';
  return (
    <span className={`file-thumb ${state === 'loaded' ? 'has-image' : ''}`}>
      {state === 'loaded' ? null : <span className="file-thumb-icon">{icon}</span>}
      {wanted ? (
        // The name is next to it: the image is decorative.
        <img
          key={node.etag}
          src={`${source.thumbnailUrl(node.id, size)}&v=${encodeURIComponent(node.etag.replace(/"/g, ''))}`}
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
