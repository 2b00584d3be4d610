// The outbox: finished drafts waiting to be sent. A queued draft is sent (its missing pages uploaded, then
// the application posted with the draft's own Idempotency-Key, so a retry can never make a second
// application) at app start, when the connection returns, every 30 s or more (backing off) while the app is
// open, and when the service worker's Background Sync wakes up and asks an open page to do it.
// Nothing lives only in memory: an app closed half way starts again from IndexedDB.

import { ApiError, csrfToken, sendJson } from './api.js';
import { getDraft, markSent, noteAttempt, outboxEntries, queueDraft, returnToDraft, updatePage } from './db.js';
import { isFinalUploadError, uploadPage } from './draft-uploads.js';
import { currentUserId } from './session.js';

const APPLICATIONS_PATH = '/api/submit/applications';
export const SYNC_TAG = 'motcua-outbox';
const RETRY_MS = 30_000;
const MAX_RETRY_MS = 10 * 60_000;
// Documents the server lost or never verified: upload those pages again, once per attempt.
const REUPLOAD_CODES = new Set(['document_not_found', 'document_not_verified']);
// A refusal that a later try can get past without the user changing anything.
const TRANSIENT_CODES = new Set(['network', 'timeout', 'upload_incomplete', 'upload_failed', 'csrf_failed', 'unauthorized']);

const listeners = new Set();
let flushing = null;
let rerun = null;
let started = false;
let timer = null;
let failures = 0;

/** Follow the outbox: `listener({draftId, status: 'sending' | 'waiting' | 'sent' | 'rejected', ...})`; returns an unsubscribe. */
export function onOutboxChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Queue draft `draftId` with its frozen submission `outgoing`, ask for a Background Sync, and try to send it now. */
export async function submitDraft(draftId, outgoing) {
  await queueDraft(draftId, outgoing);
  requestBackgroundSync();
  return flushOutbox();
}

/**
 * Send every queued draft of the signed-in user, one at a time (and one tab at a time); resolves to
 * `{sent, waiting, rejected}` counts. A call during a run gets one more run right after it.
 */
export function flushOutbox() {
  if (flushing) {
    // A run already under way may have read the outbox before the latest draft joined it: go again after.
    if (!rerun) {
      const again = () => {
        rerun = null;
        return flushOutbox();
      };
      rerun = flushing.then(again, again);
    }
    return rerun;
  }
  flushing = withLock(runFlush)
    .then((result) => {
      schedule(result.waiting > 0);
      return result;
    })
    .finally(() => {
      flushing = null;
    });
  return flushing;
}

/**
 * Start the outbox once per page: flush now, on `online`, when the app comes back to the front, and on the
 * worker's request. Called again (e.g. after signing in), it just flushes: drafts may have waited for the session.
 */
export function startOutbox() {
  if (started) {
    flushOutbox();
    return;
  }
  started = true;
  window.addEventListener('online', () => {
    failures = 0;
    flushOutbox();
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') flushOutbox();
  });
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.addEventListener('message', answerWorker);
    navigator.serviceWorker.startMessages();
  }
  flushOutbox();
}

/** Ask the service worker to wake the app for the outbox when the connection returns (where Background Sync exists). */
export function requestBackgroundSync() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.ready
    .then((registration) => registration.sync?.register(SYNC_TAG))
    .catch(() => {}); // No Background Sync: the timer and the online event still flush.
}

// The worker's sync event asks an open page to flush, and waits for the answer so a failure is retried.
function answerWorker(event) {
  if (event.data?.type !== 'FLUSH_OUTBOX' || !event.ports?.[0]) return;
  const port = event.ports[0];
  flushOutbox()
    .then((result) => port.postMessage({ ok: result.waiting === 0 }))
    .catch(() => port.postMessage({ ok: false }));
}

function schedule(stillWaiting) {
  clearTimeout(timer);
  timer = null;
  if (!stillWaiting) {
    failures = 0;
    return;
  }
  failures += 1;
  requestBackgroundSync();
  const delay = Math.min(MAX_RETRY_MS, RETRY_MS * 2 ** (failures - 1));
  timer = setTimeout(flushOutbox, delay);
}

// Another tab flushing the same outbox would upload the same pages twice: take turns.
function withLock(work) {
  if (!navigator.locks) return work();
  return navigator.locks.request(SYNC_TAG, work);
}

async function runFlush() {
  const result = { sent: 0, waiting: 0, rejected: 0 };
  const userId = currentUserId();
  for (const entry of await outboxEntries()) {
    const draft = await getDraft(entry.draftId);
    if (!draft || draft.state !== 'queued') continue;
    // Someone else's application on a shared phone waits until they sign in again; so does everything signed out.
    if (!userId || draft.userId !== userId || !csrfToken()) {
      result.waiting += 1;
      continue;
    }
    result[await sendDraft(draft)] += 1;
  }
  return result;
}

async function sendDraft(draft) {
  emit({ draftId: draft.id, status: 'sending' });
  try {
    const application = await postWithUploads(draft);
    await markSent(draft.id, application);
    emit({ draftId: draft.id, status: 'sent', application });
    return 'sent';
  } catch (error) {
    if (isTransient(error)) {
      await noteAttempt(draft.id, error.code || 'unknown');
      emit({ draftId: draft.id, status: 'waiting', code: error.code || 'unknown' });
      return 'waiting';
    }
    const lastError = { code: error.code || 'unknown', fields: error.details?.fields || {}, at: new Date().toISOString() };
    await returnToDraft(draft.id, lastError);
    emit({ draftId: draft.id, status: 'rejected', error: lastError });
    return 'rejected';
  }
}

async function postWithUploads(draft) {
  for (let attempt = 0; ; attempt += 1) {
    await uploadMissingPages(draft);
    try {
      const { data } = await sendJson('POST', APPLICATIONS_PATH, submissionBody(draft), {
        'Idempotency-Key': draft.idempotencyKey,
      });
      return data.application;
    } catch (error) {
      const lost = lostDocumentSlots(error);
      if (attempt > 0 || !lost.length) throw error;
      await forgetDocuments(draft, lost);
    }
  }
}

async function uploadMissingPages(draft) {
  for (const slotId of draft.outgoing.slots) {
    for (const page of draft.pages[slotId] || []) {
      try {
        // The promise may be one the documents step started with its own copy of the page: take its answer.
        page.documentId = await uploadPage(draft, slotId, page);
      } catch (error) {
        // A refused page needs a new photo: send the draft back to the user with the slot marked.
        if (isFinalUploadError(error) || error?.code === 'page_missing') {
          throw new ApiError('validation_failed', 422, { fields: { [`documents.${slotId}`]: 'page_failed' } });
        }
        throw error;
      }
    }
  }
}

/** The JSON body for a queued draft: the frozen submission plus the document ids, slot by slot in page order. */
export function submissionBody(draft) {
  const { slots, ...outgoing } = draft.outgoing;
  const documents = {};
  for (const slotId of slots) {
    const ids = (draft.pages[slotId] || []).map((page) => page.documentId).filter(Boolean);
    if (ids.length) documents[slotId] = ids;
  }
  return { ...outgoing, documents };
}

function lostDocumentSlots(error) {
  if (!(error instanceof ApiError) || error.code !== 'validation_failed') return [];
  const fields = Object.entries(error.details?.fields || {});
  if (!fields.length || !fields.every(([path, code]) => path.startsWith('documents.') && REUPLOAD_CODES.has(code))) return [];
  return fields.map(([path]) => path.split('.')[1]);
}

async function forgetDocuments(draft, slotIds) {
  for (const slotId of slotIds) {
    for (const page of draft.pages[slotId] || []) {
      page.documentId = null;
      await updatePage(draft.id, page.pageId, { documentId: null });
    }
  }
}

function isTransient(error) {
  if (!(error instanceof ApiError)) return false;
  if (TRANSIENT_CODES.has(error.code)) return true;
  return error.status >= 500 || error.status === 429 || error.status === 401;
}

function emit(event) {
  for (const listener of listeners) listener(event);
}
