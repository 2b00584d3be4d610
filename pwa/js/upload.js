// One page's upload: ask the API for a presigned POST, send the file straight to the bucket with a real
// progress bar, then ask the API to verify it. Phones lose the network mid-upload all the time, so every
// step retries with backoff, and an upload waits for the network to come back instead of failing.

import { ApiError, sendJson } from './api.js';

const BASE_DELAY_MS = 1000;
const MAX_DELAY_MS = 30000;
// Server errors and timeouts while online: give up after this many tries (a minute or two).
// Failures while the device is offline do not count: they end when the network returns.
const MAX_FAILURES = 8;
// A bucket upload with no progress for this long is dead (a 2G link still moves a few KB a second).
const STALL_MS = 45000;
// An API call that has not answered in this long is treated as lost.
const API_TIMEOUT_MS = 30000;
// A presigned POST close to its expiry may expire in flight: fetch a new one this early.
const EXPIRY_MARGIN_MS = 60000;
// "Not there yet" after a successful POST means the object went missing: re-send a few times, no more.
const MAX_REUPLOADS = 3;
const EXTENSIONS = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/heic': 'heic', 'application/pdf': 'pdf' };

/**
 * Upload one page for `slotId` of `procedureId` and have the server verify it; resolves to the complete
 * answer `{document_id, state, content_type, size, width, height}`. `onProgress({loaded, total})` follows
 * the bytes sent (back to 0 when an attempt restarts); `onRetry({attempt, delayMs, offline, error})` tells
 * that it is waiting. Rejects with the final ApiError, or the signal's AbortError when aborted.
 */
export async function uploadDocument({
  procedureId, slotId, blob, contentType, onProgress = () => {}, onRetry = () => {}, signal,
}) {
  const retry = (step) => withRetry(step, { signal, onRetry });
  let ticket = null;
  for (let reuploads = 0; ; reuploads += 1) {
    await retry(async () => {
      if (!ticket || expired(ticket)) {
        ticket = (await apiCall('/api/submit/uploads', {
          procedure_id: procedureId, slot_id: slotId, content_type: contentType, size: blob.size,
        })).data;
      }
      try {
        await postToBucket(ticket, blob, contentType, onProgress, signal);
      } catch (error) {
        // The bucket refused the signature (most likely expired on a skewed clock): get a new one.
        if (error.status === 403) ticket = null;
        throw error;
      }
    });
    try {
      const id = encodeURIComponent(ticket.document_id);
      return (await retry(() => apiCall(`/api/submit/uploads/${id}/complete`, {}))).data;
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 'upload_incomplete') || reuploads >= MAX_REUPLOADS) throw error;
    }
  }
}

/** Milliseconds before retry number `attempt` (0-based): 1 s, 2 s, 4 s ... capped at 30 s, jittered to 50-100 %. */
export function backoffDelay(attempt, random = Math.random) {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, attempt));
  // Jitter spreads the retries of many phones that lost the same cell tower at once.
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** True for failures worth retrying: network loss, timeouts, 5xx, 429 and an expired bucket signature. */
export function isRetryable(error) {
  if (!(error instanceof ApiError)) return false;
  if (error.code === 'network' || error.code === 'timeout') return true;
  // A missing bucket or table does not come back within a minute: stop and say so (the outbox tries later).
  if (error.code === 'dependency_unavailable') return false;
  return error.status >= 500 || error.status === 429 || (error.code === 'upload_failed' && error.status === 403);
}

async function withRetry(step, { signal, onRetry }) {
  let failures = 0;
  for (let attempt = 0; ; attempt += 1) {
    signal?.throwIfAborted();
    try {
      return await step();
    } catch (error) {
      if (isAbort(error, signal) || !isRetryable(error)) throw error;
      const offline = navigator.onLine === false;
      if (!offline) failures += 1;
      if (failures >= MAX_FAILURES) throw error;
      const delayMs = backoffDelay(attempt);
      onRetry({ attempt: attempt + 1, delayMs, offline, error });
      const network = offline || error.code === 'network';
      await pause(delayMs, { signal, untilOnline: network });
    }
  }
}

function isAbort(error, signal) {
  return Boolean(signal?.aborted) || error?.name === 'AbortError';
}

// Sleep `ms`, cut short by the window's `online` event when `untilOnline`; rejects when aborted.
function pause(ms, { signal, untilOnline }) {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      if (untilOnline) window.removeEventListener('online', done);
      signal?.removeEventListener('abort', aborted);
    };
    const done = () => {
      cleanup();
      resolve();
    };
    const aborted = () => {
      cleanup();
      reject(signal.reason);
    };
    const timer = setTimeout(done, ms);
    if (untilOnline) window.addEventListener('online', done);
    signal?.addEventListener('abort', aborted);
  });
}

function expired(ticket) {
  const expiresAt = Date.parse(ticket.expires_at);
  return Number.isFinite(expiresAt) && expiresAt - EXPIRY_MARGIN_MS <= Date.now();
}

// sendJson has no timeout of its own; a lost answer must not hold the upload forever.
function apiCall(path, body) {
  let timer;
  const timeout = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new ApiError('timeout')), API_TIMEOUT_MS);
  });
  return Promise.race([sendJson('POST', path, body), timeout]).finally(() => clearTimeout(timer));
}

// The presigned POST: policy fields first, the file last (S3 ignores fields after `file`).
function postToBucket(ticket, blob, contentType, onProgress, signal) {
  const form = new FormData();
  for (const [name, value] of Object.entries(ticket.upload.fields || {})) form.append(name, value);
  form.append('file', blob, `page.${EXTENSIONS[contentType] || 'bin'}`);

  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    let stallTimer = null;
    const cleanup = () => {
      clearTimeout(stallTimer);
      signal?.removeEventListener('abort', abort);
    };
    const fail = (error) => {
      cleanup();
      reject(error);
    };
    // A timeout that only counts silence: slow links are fine as long as bytes keep moving.
    const watch = () => {
      clearTimeout(stallTimer);
      stallTimer = setTimeout(() => {
        xhr.abort();
        fail(new ApiError('timeout'));
      }, STALL_MS);
    };
    const abort = () => {
      xhr.abort();
      fail(signal.reason);
    };

    xhr.open('POST', ticket.upload.url);
    // Another origin: never send our cookies there.
    xhr.withCredentials = false;
    xhr.upload.onprogress = (event) => {
      watch();
      onProgress({ loaded: event.loaded, total: event.lengthComputable ? event.total : blob.size });
    };
    xhr.upload.onload = watch;
    xhr.onload = () => {
      cleanup();
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress({ loaded: blob.size, total: blob.size });
        resolve();
      } else {
        reject(new ApiError('upload_failed', xhr.status));
      }
    };
    xhr.onerror = () => fail(new ApiError('network'));
    xhr.ontimeout = () => fail(new ApiError('timeout'));
    signal?.addEventListener('abort', abort);
    onProgress({ loaded: 0, total: blob.size });
    watch();
    xhr.send(form);
  });
}
