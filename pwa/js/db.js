// IndexedDB, reached through this module only (DESIGN §3.10): drafts, the pages photographed for them,
// and the outbox of finished drafts waiting to be sent. It is what keeps an application through a reload,
// the phone killing the app, and days without a connection.
//
// A draft record holds its pages' metadata; each page's blob sits in a store of its own, written once,
// so the frequent saves of answers never copy megabytes of photos again.

const DB_NAME = 'motcua';
const DB_VERSION = 1;
const DRAFTS = 'drafts';
const BLOBS = 'blobs';
const OUTBOX = 'outbox';
// The fields a screen may change with saveDraft(); state, pages and the key change only through the calls below.
const EDITABLE = ['answers', 'communeCode', 'delivery', 'step'];

let opening = null;
let database = null;

/** A new, unsaved draft for `procedure` (from the catalog) owned by `userId`; its idempotency key is made here, once. */
export function newDraft(userId, procedure) {
  const now = new Date().toISOString();
  return {
    id: crypto.randomUUID(),
    userId,
    procedureId: procedure.id,
    procedureName: procedure.name || {},
    // Kept for the draft's whole life: every retry of its submission must carry the same key.
    idempotencyKey: crypto.randomUUID(),
    answers: {},
    communeCode: null,
    delivery: null,
    pages: {},
    step: 1,
    createdAt: now,
    updatedAt: now,
    state: 'draft',
    application: null,
    lastError: null,
  };
}

/**
 * Save the editable fields of `draft` (answers, commune, delivery, step), creating the record on first save.
 * Resolves to false when the stored draft is no longer editable (queued or sent).
 */
export async function saveDraft(draft) {
  const saved = await transact([DRAFTS], 'readwrite', async ({ drafts }) => {
    const stored = await req(drafts.get(draft.id));
    if (stored && stored.state !== 'draft') return false;
    const record = stored || { ...withoutBlobs(draft), pages: {} };
    for (const name of EDITABLE) record[name] = clone(draft[name]);
    record.updatedAt = new Date().toISOString();
    drafts.put(record);
    return true;
  });
  if (saved) askForPersistentStorage();
  return saved;
}

/** The draft with `id`, each page carrying its `blob`; null when there is none. */
export async function getDraft(id) {
  return transact([DRAFTS, BLOBS], 'readonly', async ({ drafts, blobs }) => {
    const draft = await req(drafts.get(id));
    if (!draft) return null;
    for (const pages of Object.values(draft.pages)) {
      for (const page of pages) page.blob = (await req(blobs.get(page.pageId)))?.blob || null;
    }
    return draft;
  });
}

/** `userId`'s drafts without their blobs, most recently changed first. */
export async function listDrafts(userId) {
  const found = await transact([DRAFTS], 'readonly', ({ drafts }) => req(drafts.index('userId').getAll(userId)));
  return found.sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1));
}

/** Delete a draft, its pages and its outbox entry. */
export async function deleteDraft(id) {
  await transact([DRAFTS, BLOBS, OUTBOX], 'readwrite', async ({ drafts, blobs, outbox }) => {
    drafts.delete(id);
    outbox.delete(id);
    for (const key of await req(blobs.index('draftId').getAllKeys(id))) blobs.delete(key);
  });
}

/** Delete every draft and page photo of `userId` from this phone (on sign-out: papers are identity papers). */
export async function deleteUserData(userId) {
  for (const draft of await listDrafts(userId)) await deleteDraft(draft.id);
}

/**
 * Add a processed page (`{pageId, blob, contentType, ...}`) to slot `slotId` of a saved draft, in place of
 * page `replace` when given (a retake keeps its position); resolves to the new page's metadata.
 */
export async function addPage(draftId, slotId, page, replace = null) {
  return changeDraft(draftId, ({ draft, blobs }) => {
    const { blob, ...meta } = page;
    const record = { documentId: null, error: null, ...meta, addedAt: new Date().toISOString() };
    const pages = [...(draft.pages[slotId] || [])];
    const at = replace ? pages.findIndex((old) => old.pageId === replace) : -1;
    if (at >= 0) {
      pages.splice(at, 1, record);
      blobs.delete(replace);
    } else {
      pages.push(record);
    }
    draft.pages[slotId] = pages;
    blobs.put({ pageId: page.pageId, draftId, blob });
    return record;
  });
}

/** Merge `changes` (e.g. `{documentId}` or `{error}`) into one page's metadata; resolves to it, or null. */
export async function updatePage(draftId, pageId, changes) {
  return changeDraft(draftId, ({ draft }) => {
    const page = findPage(draft, pageId);
    if (page) Object.assign(page, changes);
    return page;
  });
}

/** Remove one page and its blob. */
export async function removePage(draftId, pageId) {
  await changeDraft(draftId, ({ draft, blobs }) => {
    for (const [slotId, pages] of Object.entries(draft.pages)) {
      draft.pages[slotId] = pages.filter((page) => page.pageId !== pageId);
    }
    blobs.delete(pageId);
  });
}

/**
 * Put a draft in the outbox with `outgoing`, the submission frozen as it is now (so every retry sends the
 * same body): it becomes 'queued' (read-only) until it is sent or sent back for changes.
 */
export async function queueDraft(draftId, outgoing) {
  await changeDraft(draftId, ({ draft, outbox }) => {
    draft.state = 'queued';
    draft.outgoing = clone(outgoing);
    draft.lastError = null;
    outbox.put({ draftId, queuedAt: new Date().toISOString(), attempts: 0, lastError: null });
  });
}

/** Every outbox entry: `{draftId, queuedAt, attempts, lastError}`. */
export async function outboxEntries() {
  return transact([OUTBOX], 'readonly', ({ outbox }) => req(outbox.getAll()));
}

/** Count a failed attempt to send a queued draft (it stays queued). */
export async function noteAttempt(draftId, errorCode) {
  await transact([OUTBOX], 'readwrite', async ({ outbox }) => {
    const entry = await req(outbox.get(draftId));
    if (entry) outbox.put({ ...entry, attempts: entry.attempts + 1, lastError: errorCode, lastAttemptAt: new Date().toISOString() });
  });
}

/** The server accepted the draft: keep `application` for the receipt, drop the photos and the outbox entry. */
export async function markSent(draftId, application) {
  await changeDraft(draftId, ({ draft, blobs, outbox }) => {
    draft.state = 'sent';
    draft.application = application;
    draft.lastError = null;
    outbox.delete(draftId);
    for (const page of Object.values(draft.pages).flat()) blobs.delete(page.pageId);
  });
}

/** The server refused the draft for a reason the user must fix: editable again, with `lastError` to show. */
export async function returnToDraft(draftId, lastError) {
  await changeDraft(draftId, ({ draft, outbox }) => {
    draft.state = 'draft';
    draft.lastError = lastError;
    outbox.delete(draftId);
  });
}

// Read-modify-write of one draft in a single transaction, so an upload finishing in the background and
// an edit on screen never overwrite each other. Resolves to what `change` returns (undefined if no draft).
function changeDraft(draftId, change) {
  return transact([DRAFTS, BLOBS, OUTBOX], 'readwrite', async ({ drafts, blobs, outbox }) => {
    const draft = await req(drafts.get(draftId));
    if (!draft) return undefined;
    const result = change({ draft, blobs, outbox });
    draft.updatedAt = new Date().toISOString();
    drafts.put(draft);
    return result;
  });
}

function findPage(draft, pageId) {
  return Object.values(draft.pages).flat().find((page) => page.pageId === pageId) || null;
}

function withoutBlobs(draft) {
  const pages = Object.fromEntries(
    Object.entries(draft.pages || {}).map(([slotId, list]) => [slotId, list.map(({ blob, ...meta }) => meta)]),
  );
  return { ...draft, pages };
}

function clone(value) {
  return value == null ? null : structuredClone(value);
}

function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore(DRAFTS, { keyPath: 'id' }).createIndex('userId', 'userId');
        db.createObjectStore(BLOBS, { keyPath: 'pageId' }).createIndex('draftId', 'draftId');
        db.createObjectStore(OUTBOX, { keyPath: 'draftId' });
      };
      request.onsuccess = () => {
        const db = request.result;
        // A newer version of the app (another tab) needs to upgrade the database: let it.
        db.onversionchange = () => {
          db.close();
          opening = null;
          database = null;
        };
        database = db;
        resolve(db);
      };
      request.onerror = () => reject(request.error);
    });
    opening.catch(() => {
      opening = null;
    });
  }
  return opening;
}

// One transaction over `names`; resolves to `work`'s result once it has committed (so it is on disk).
// `work` may await IndexedDB requests only: awaiting anything else would let the transaction close.
// Once the database is open the transaction starts synchronously, so calls keep the order they were made
// in (a save made on leaving a screen lands before the next screen reads the draft).
function transact(names, mode, work) {
  if (database) return run(database, names, mode, work);
  return open().then((db) => run(db, names, mode, work));
}

function run(db, names, mode, work) {
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(names, mode);
    const stores = Object.fromEntries(names.map((name) => [name.toLowerCase(), transaction.objectStore(name)]));
    let result;
    Promise.resolve()
      .then(() => work(stores))
      .then(
        (value) => {
          result = value;
        },
        (error) => {
          reject(error);
          transaction.abort();
        },
      );
    transaction.oncomplete = () => resolve(result);
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error || new DOMException('Transaction aborted', 'AbortError'));
  });
}

function req(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

let persistenceAsked = false;

// Drafts hold photos that exist nowhere else: ask the browser not to evict them under storage pressure.
function askForPersistentStorage() {
  if (persistenceAsked || !navigator.storage?.persist) return;
  persistenceAsked = true;
  navigator.storage.persist().catch(() => {});
}
