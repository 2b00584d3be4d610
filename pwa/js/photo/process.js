// The page's one call for a picked or captured photo: decode it upright, judge it, and shrink it to an
// upload-sized JPEG without EXIF. The work runs in a module worker where the browser can; otherwise the
// same code runs here. Anything the browser cannot decode (HEIC on Chrome, PDF) goes up untouched and
// the server converts it.

import { DEFAULT_MAX_EDGE, DEFAULT_TARGET_BYTES, assessQuality, compressImage } from './compress.js';

// A phone under memory pressure can stall a worker; past this the page stops waiting and moves on.
const WORKER_TIMEOUT_MS = 30000;
const MAIN_TIMEOUT_MS = 30000;

let worker = null;
// Set once the worker proved unusable (no module workers, no OffscreenCanvas), so later photos skip it.
let workerBroken = false;
let nextId = 1;
const pending = new Map();
// What the server's accept lists call the formats it converts. Chrome labels .heic files image/heif,
// and some Android pickers give no type at all, so the name has to do.
const PASSTHROUGH_TYPES = {
  'image/heif': 'image/heic',
  'image/heic-sequence': 'image/heic',
  'image/heif-sequence': 'image/heic',
};
const TYPES_BY_EXTENSION = { heic: 'image/heic', heif: 'image/heic', pdf: 'application/pdf' };

/**
 * Decode, judge and compress `file` -> `{blob, contentType, width, height, originalBytes, bytes, jpegQuality,
 * quality: {dark, blurry, brightness, sharpness}, passthrough: false, via: 'worker' | 'main'}`, or the file
 * itself with `passthrough: true, quality: null` when it cannot be decoded here. Never rejects.
 */
export async function processPhoto(file, { maxEdge = DEFAULT_MAX_EDGE, targetBytes = DEFAULT_TARGET_BYTES } = {}) {
  // Not an image at all: no point decoding.
  if (file.type && !file.type.startsWith('image/')) return passthrough(file);
  const options = { maxEdge, targetBytes };
  const answer = await inWorker(file, options);
  if (answer?.ok) return finished(file, answer, 'worker');
  try {
    const local = await withTimeout(onMainThread(file, options), MAIN_TIMEOUT_MS);
    return finished(file, local, 'main');
  } catch {
    return passthrough(file);
  }
}

/** True when photos are processed off the main thread (for diagnostics and tests). */
export function workerAvailable() {
  return !workerBroken && typeof Worker !== 'undefined' && typeof OffscreenCanvas !== 'undefined';
}

function finished(file, result, via) {
  return {
    blob: result.blob,
    contentType: 'image/jpeg',
    width: result.width,
    height: result.height,
    originalBytes: file.size,
    bytes: result.bytes,
    jpegQuality: result.quality,
    quality: result.assessment,
    passthrough: false,
    via,
  };
}

function passthrough(file) {
  return {
    blob: file,
    contentType: passthroughType(file),
    originalBytes: file.size,
    bytes: file.size,
    quality: null,
    passthrough: true,
  };
}

function passthroughType(file) {
  if (file.type) return PASSTHROUGH_TYPES[file.type] || file.type;
  const extension = /\.([a-z0-9]+)$/i.exec(file.name || '')?.[1].toLowerCase();
  return TYPES_BY_EXTENSION[extension] || 'application/octet-stream';
}

function startWorker() {
  if (!workerAvailable()) return null;
  if (worker) return worker;
  try {
    worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  } catch {
    workerBroken = true;
    return null;
  }
  worker.addEventListener('message', (event) => settle(event.data.id, event.data));
  // A browser without module workers fails to parse the import and lands here: use the main thread.
  worker.addEventListener('error', (event) => {
    event.preventDefault();
    workerBroken = true;
    stopWorker();
  });
  return worker;
}

function stopWorker() {
  if (worker) worker.terminate();
  worker = null;
  for (const id of [...pending.keys()]) settle(id, null);
}

function settle(id, answer) {
  const entry = pending.get(id);
  if (!entry) return;
  pending.delete(id);
  clearTimeout(entry.timer);
  entry.resolve(answer);
}

// Resolves to the worker's answer, or null when the worker is missing, broke or took too long.
function inWorker(file, { maxEdge, targetBytes }) {
  const target = startWorker();
  if (!target) return Promise.resolve(null);
  const id = nextId;
  nextId += 1;
  return new Promise((resolve) => {
    // A stuck worker may be holding a huge bitmap: kill it; the next photo gets a fresh one.
    const timer = setTimeout(stopWorker, WORKER_TIMEOUT_MS);
    pending.set(id, { resolve, timer });
    target.postMessage({ id, blob: file, maxEdge, targetBytes });
  });
}

async function onMainThread(file, options) {
  const image = await decode(file);
  try {
    const assessment = assessQuality(image.source);
    const result = await compressImage(image.source, options);
    return { ...result, assessment };
  } finally {
    image.release();
  }
}

// createImageBitmap where it works; else an <img>, which some browsers decode more formats with.
async function decode(file) {
  if (typeof createImageBitmap === 'function') {
    try {
      const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
      return { source: bitmap, release: () => bitmap.close() };
    } catch {
      // Fall through to <img>.
    }
  }
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    return { source: img, release: () => URL.revokeObjectURL(url) };
  } catch (error) {
    URL.revokeObjectURL(url);
    throw error;
  }
}

function withTimeout(promise, ms) {
  let timer;
  const timeout = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
