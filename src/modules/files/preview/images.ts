import { IMAGE_FORMATS } from './kinds.js';

/** Larger images are refused before decoding (a "pixel bomb" would take gigabytes of memory). */
export const MAX_INPUT_PIXELS = 80_000_000;

export class UnsupportedImageError extends Error {}

const options = { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' } as const;

/**
 * A WebP no larger than `box`×`box`, turned upright by its EXIF orientation and stripped of every
 * metadata field (sharp writes none unless asked): location and camera data never leave the file.
 * Only the first frame of an animation is used. sharp runs on libuv's thread pool, off the event loop.
 */
export async function renderImage(input: Buffer, box: number, quality = 80): Promise<Buffer> {
  // Loaded on first preview: ~12 MB a server that never shows an image preview does not need.
  const { default: sharp } = await import('sharp');
  let format: string | undefined;
  try {
    format = (await sharp(input, options).metadata()).format;
  } catch (e) {
    throw new UnsupportedImageError(`this image cannot be read: ${(e as Error).message}`);
  }
  // Checked before decoding: SVG and other document-like formats are never rendered.
  if (!format || !IMAGE_FORMATS.has(format)) throw new UnsupportedImageError(`images of type ${format ?? 'unknown'} are not previewed`);
  try {
    return await sharp(input, options).rotate().resize(box, box, { fit: 'inside', withoutEnlargement: true }).webp({ quality }).toBuffer();
  } catch (e) {
    throw new UnsupportedImageError(`this image cannot be read: ${(e as Error).message}`);
  }
}
