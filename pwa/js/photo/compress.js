// Shrink a decoded photo to an upload-sized JPEG and judge whether it is readable.
// Pure apart from the canvas it makes, so the same code runs in the worker and on the main thread.
// Re-encoding through a canvas also drops EXIF (GPS, device, time): the client-side metadata strip.

export const DEFAULT_MAX_EDGE = 2000;
export const DEFAULT_TARGET_BYTES = 300000;

// Quality search range. For legibility, resolution matters far more than JPEG quality (bench/photo.py,
// A4 at 2000 px: Tesseract still reads 99.7 % at quality 0.2), so quality gives way first; the floor
// is set by what an officer can look at without blocking artifacts. Above 0.9 bytes grow for nothing.
const QUALITY_HIGH = 0.9;
const QUALITY_LOW = 0.4;
const SEARCH_STEPS = 4;
// Only when even the lowest quality is too big does the edge shrink, and not below this: at 1200 px an
// A4 page already loses 1-5 % of its characters to OCR, at 1000 px about 15 %. Past it we send the best
// we have over the target rather than an unreadable page.
const MIN_EDGE = 1400;
const MAX_SHRINK = 0.9;

// The readability check runs on a small copy: fast, and it averages sensor noise away.
const ANALYSIS_EDGE = 512;
// Sharpness is judged per tile on a TILES x TILES grid, at this rank among the tiles (0.97: the 8th
// sharpest of 256), so that a few stray sharp pixels cannot vouch for a blurred page.
const TILES = 16;
const SHARP_TILE_RANK = 0.97;
// Mean luminance (0-255) under which a photo is too dark to use. Calibrated in Chromium on
// bench/photo.py pages: normal shots measure 125-170, the same shot at a third of the light about 50.
export const DARK_BELOW = 60;
// Sharpness under which a photo is too blurred to read. Calibrated in Chromium on bench/photo.py pages
// (12 MP, A4): sharp pages measure 5000-7500 and a page with only three lines of text about 1000; a
// Gaussian blur of 5 px, where Tesseract reads under 20 % of the text, measures about 400.
export const BLURRY_BELOW = 650;

/** A canvas of the given size: OffscreenCanvas where there is one (workers), else a DOM canvas. */
export function createCanvas(width, height) {
  if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(width, height);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  return canvas;
}

/** `{width, height}` of an image source (ImageBitmap, canvas, <img>, <video>). */
export function sourceSize(source) {
  return {
    width: source.naturalWidth || source.videoWidth || source.width,
    height: source.naturalHeight || source.videoHeight || source.height,
  };
}

/** The size with the long edge at most `maxEdge`, aspect ratio kept, never enlarged. */
export function fitSize(width, height, maxEdge) {
  const scale = Math.min(1, maxEdge / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Draw `source` scaled to fit `maxEdge` onto a new canvas, with the browser's best resampling. */
export function drawScaled(source, maxEdge, contextOptions = { alpha: false }) {
  const natural = sourceSize(source);
  const { width, height } = fitSize(natural.width, natural.height, maxEdge);
  const canvas = createCanvas(width, height);
  const context = canvas.getContext('2d', contextOptions);
  // Transparent PNGs would turn black in JPEG; paper is white.
  context.fillStyle = '#fff';
  context.fillRect(0, 0, width, height);
  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = 'high';
  context.drawImage(source, 0, 0, width, height);
  return canvas;
}

/** Encode a canvas as JPEG at `quality` (0-1); resolves to a Blob. */
export function encodeJpeg(canvas, quality) {
  if (typeof canvas.convertToBlob === 'function') return canvas.convertToBlob({ type: 'image/jpeg', quality });
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('encode_failed'))), 'image/jpeg', quality);
  });
}

/** The highest quality in range whose JPEG fits `targetBytes`; `fits: false` with the lowest when none does. */
export async function bestQuality(canvas, targetBytes) {
  const high = await encodeJpeg(canvas, QUALITY_HIGH);
  if (high.size <= targetBytes) return { blob: high, quality: QUALITY_HIGH, fits: true };
  let best = { blob: await encodeJpeg(canvas, QUALITY_LOW), quality: QUALITY_LOW, fits: false };
  if (best.blob.size > targetBytes) return best;
  best.fits = true;
  let fitting = QUALITY_LOW;
  let tooBig = QUALITY_HIGH;
  for (let step = 0; step < SEARCH_STEPS; step += 1) {
    const quality = Math.round(((fitting + tooBig) / 2) * 100) / 100;
    const blob = await encodeJpeg(canvas, quality);
    if (blob.size <= targetBytes) {
      best = { blob, quality, fits: true };
      fitting = quality;
    } else {
      tooBig = quality;
    }
  }
  return best;
}

/**
 * Scale `source` to at most `maxEdge` and encode it as JPEG at or under `targetBytes`, shrinking the
 * edge when even the lowest quality is too big. Resolves to `{blob, width, height, bytes, quality}`.
 */
export async function compressImage(source, { maxEdge = DEFAULT_MAX_EDGE, targetBytes = DEFAULT_TARGET_BYTES } = {}) {
  const natural = sourceSize(source);
  let edge = Math.min(maxEdge, Math.max(natural.width, natural.height));
  for (;;) {
    const canvas = drawScaled(source, edge);
    const result = await bestQuality(canvas, targetBytes);
    if (result.fits || edge <= MIN_EDGE) {
      const { blob, quality } = result;
      return { blob, width: canvas.width, height: canvas.height, bytes: blob.size, quality };
    }
    // Bytes scale roughly with the pixel count, so the square root of the excess predicts the edge.
    const predicted = Math.sqrt(targetBytes / result.blob.size) * 0.97;
    edge = Math.max(MIN_EDGE, Math.floor(edge * Math.min(MAX_SHRINK, predicted)));
  }
}

/**
 * Mean luminance (0-255) and sharpness of RGBA pixels `data` (`width` x `height`): the variance of the
 * 4-neighbour Laplacian in the sharpest tiles (see SHARP_TILE_RANK).
 */
export function measure(data, width, height) {
  const luma = new Float32Array(width * height);
  let sum = 0;
  for (let i = 0, p = 0; i < luma.length; i += 1, p += 4) {
    const value = 0.299 * data[p] + 0.587 * data[p + 1] + 0.114 * data[p + 2];
    luma[i] = value;
    sum += value;
  }
  return { brightness: sum / Math.max(1, luma.length), sharpness: sharpTiles(luma, width, height) };
}

// A page with little on it has few edges: averaged over the whole frame it would look blurred. The
// sharpest tiles judge the focus where there is something to focus on.
function sharpTiles(luma, width, height) {
  const tileWidth = Math.max(1, Math.ceil(width / TILES));
  const tileHeight = Math.max(1, Math.ceil(height / TILES));
  const sums = new Float64Array(TILES * TILES);
  const squares = new Float64Array(TILES * TILES);
  const counts = new Uint32Array(TILES * TILES);
  for (let y = 1; y < height - 1; y += 1) {
    const row = Math.floor(y / tileHeight) * TILES;
    for (let x = 1; x < width - 1; x += 1) {
      const i = y * width + x;
      const laplacian = 4 * luma[i] - luma[i - 1] - luma[i + 1] - luma[i - width] - luma[i + width];
      const tile = row + Math.floor(x / tileWidth);
      sums[tile] += laplacian;
      squares[tile] += laplacian * laplacian;
      counts[tile] += 1;
    }
  }
  const variances = [];
  for (let tile = 0; tile < counts.length; tile += 1) {
    const n = counts[tile];
    if (n > 1) variances.push((squares[tile] - (sums[tile] * sums[tile]) / n) / (n - 1));
  }
  if (!variances.length) return 0;
  variances.sort((a, b) => a - b);
  return variances[Math.min(variances.length - 1, Math.floor(SHARP_TILE_RANK * variances.length))];
}

/** Judge a decoded photo: `{brightness, sharpness, dark, blurry}` from a small copy (see DARK_BELOW, BLURRY_BELOW). */
export function assessQuality(source) {
  // Read back on the CPU anyway: ask for a CPU-backed context up front.
  const canvas = drawScaled(source, ANALYSIS_EDGE, { alpha: false, willReadFrequently: true });
  const context = canvas.getContext('2d');
  const { data, width, height } = context.getImageData(0, 0, canvas.width, canvas.height);
  const { brightness, sharpness } = measure(data, width, height);
  return {
    brightness: Math.round(brightness * 10) / 10,
    sharpness: Math.round(sharpness * 10) / 10,
    dark: brightness < DARK_BELOW,
    blurry: sharpness < BLURRY_BELOW,
  };
}
