// The uploads of drafts' pages, shared by the documents step and the outbox: one page is never sent twice
// at once, its progress can be followed from any screen, and the document id it earns is saved at once.

import { ApiError } from './api.js';
import { updatePage } from './db.js';
import { uploadDocument } from './upload.js';

// Answers after which the same bytes will never be accepted: the page must be photographed again.
const FINAL_CODES = new Set(['upload_too_large', 'upload_type_not_allowed', 'upload_corrupt', 'validation_failed', 'not_found']);

const running = new Map();
const listeners = new Set();

/** Follow every page upload: `listener({pageId, draftId, state, loaded, total, documentId, error})`; returns an unsubscribe. */
export function onPageUpload(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The state of a page's upload in progress (`{state: 'uploading' | 'waiting', loaded, total}`), or null. */
export function uploadState(pageId) {
  return running.get(pageId)?.status || null;
}

/**
 * Upload `page` (with its blob) of `draft` for `slotId` unless it has a document id already; resolves to
 * the document id. A page already on its way is not sent again: the same promise is returned.
 * Rejects with the final ApiError (the page is then marked with `error` when its bytes are refused).
 */
export function uploadPage(draft, slotId, page) {
  if (page.documentId) return Promise.resolve(page.documentId);
  const current = running.get(page.pageId);
  if (current) return current.promise;
  const controller = new AbortController();
  const entry = { draftId: draft.id, controller, status: { state: 'uploading', loaded: 0, total: page.bytes || 0 } };
  running.set(page.pageId, entry);
  const report = (status) => {
    entry.status = status;
    emit({ pageId: page.pageId, draftId: draft.id, ...status });
  };
  entry.promise = send(draft, slotId, page, controller.signal, report).finally(() => running.delete(page.pageId));
  return entry.promise;
}

/** Start (or join) the uploads of every page of `slotIds` in `draft` that has no document id or error yet. */
export function resumeUploads(draft, slotIds) {
  for (const slotId of slotIds) {
    for (const page of draft.pages[slotId] || []) {
      if (!page.documentId && !page.error && page.blob) uploadPage(draft, slotId, page).catch(() => {});
    }
  }
}

/** Stop the uploads of one draft (it was deleted); they reject with an AbortError. */
export function stopUploads(draftId) {
  for (const entry of running.values()) {
    if (entry.draftId === draftId) entry.controller.abort();
  }
}

/** True when an ApiError means these bytes will never be accepted. */
export function isFinalUploadError(error) {
  return error instanceof ApiError && FINAL_CODES.has(error.code);
}

async function send(draft, slotId, page, signal, report) {
  if (!page.blob) {
    // The photo is gone from this device (storage was cleared): only a new photo can replace it.
    await markFailed(draft, page, 'page_missing', report);
    throw new ApiError('page_missing');
  }
  try {
    const done = await uploadDocument({
      procedureId: draft.procedureId,
      slotId,
      blob: page.blob,
      contentType: page.contentType,
      signal,
      onProgress: ({ loaded, total }) => report({ state: 'uploading', loaded, total }),
      onRetry: ({ offline, error }) => report({ state: 'waiting', offline, loaded: 0, total: page.bytes, code: error?.code }),
    });
    page.documentId = done.document_id;
    page.error = null;
    await updatePage(draft.id, page.pageId, { documentId: done.document_id, error: null });
    report({ state: 'done', documentId: done.document_id, loaded: page.bytes, total: page.bytes });
    return done.document_id;
  } catch (error) {
    if (isFinalUploadError(error)) await markFailed(draft, page, error.code, report);
    else if (error?.name !== 'AbortError') report({ state: 'stopped', code: error?.code || 'unknown' });
    throw error;
  }
}

async function markFailed(draft, page, code, report) {
  page.error = code;
  await updatePage(draft.id, page.pageId, { error: code });
  report({ state: 'failed', error: code });
}

function emit(event) {
  for (const listener of listeners) listener(event);
}
