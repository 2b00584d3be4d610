// Module worker: decode, judge and compress one photo per message, off the main thread so the page
// keeps scrolling while a 12-megapixel image is being crunched.
// In:  {id, blob, maxEdge, targetBytes}
// Out: {id, ok: true, blob, width, height, bytes, quality, assessment}  (quality = JPEG quality used)
//   or {id, ok: false, error}  with error 'unsupported' (no OffscreenCanvas here), 'decode' (not an
//   image this browser can read) or 'encode'.

import { assessQuality, compressImage } from './compress.js';

function canvasWorks() {
  if (typeof OffscreenCanvas === 'undefined' || typeof createImageBitmap === 'undefined') return false;
  try {
    // Some browsers shipped OffscreenCanvas without its 2D context (WebGL only).
    return new OffscreenCanvas(1, 1).getContext('2d') !== null;
  } catch {
    return false;
  }
}

async function handle({ id, blob, maxEdge, targetBytes }) {
  if (!canvasWorks()) return { id, ok: false, error: 'unsupported' };
  let bitmap;
  try {
    bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image' });
  } catch {
    return { id, ok: false, error: 'decode' };
  }
  try {
    const assessment = assessQuality(bitmap);
    const result = await compressImage(bitmap, { maxEdge, targetBytes });
    return { id, ok: true, ...result, assessment };
  } catch {
    return { id, ok: false, error: 'encode' };
  } finally {
    // A 12 MP bitmap holds ~48 MB until collected; give it back now.
    bitmap.close();
  }
}

self.addEventListener('message', async (event) => {
  self.postMessage(await handle(event.data));
});
