// Một Cửa service worker: an offline shell, an offline procedure catalog and offline reference data,
// the Background Sync wake-up for the outbox of applications waiting to be sent (js/outbox.js), and the
// push notices about an application's progress (js/push.js subscribes).
// Bump VERSION whenever a file in SHELL_FILES or ON_DEMAND_FILES changes; the page then offers "Cập nhật".

const VERSION = 'v15';
const SHELL_CACHE = `motcua-shell-${VERSION}`;
// Versioned apart from the shell so a shell update keeps the saved catalog.
const CATALOG_CACHE = 'motcua-catalog-v1';
const CATALOG_PATH = '/api/submit/procedures';
// Reference data (the commune list, ~27 KB gzipped): fetched only when a screen needs it, then kept
// apart from the shell so a shell update does not download it again.
const DATA_CACHE = 'motcua-data-v1';
const DATA_PREFIX = '/data/';
// The public statistics ("Thống kê") carry nothing personal: the last answer is kept for offline visits.
const STATS_CACHE = 'motcua-stats-v1';
const STATS_PATH = '/api/status/statistics';
// '/' rather than '/index.html': the URL the first visit already loaded, so precaching revalidates it.
const OFFLINE_PAGE = '/';
const NETWORK_TIMEOUT_MS = 4000;
// Tells the page its data came from the saved copy (see js/api.js).
const CACHE_HEADER = 'X-Motcua-Cache';

const SHELL_FILES = [
  OFFLINE_PAGE,
  '/manifest.webmanifest',
  '/css/app.css',
  '/js/app.js',
  '/js/api.js',
  '/js/dom.js',
  '/js/home.js',
  '/js/i18n.js',
  '/js/otp.js',
  '/js/panels.js',
  '/js/router.js',
  '/js/session.js',
  '/js/styles.js',
  '/js/sw-update.js',
  '/js/wait.js',
  '/i18n/vi.json',
  // Only the icon the page itself shows. The 512 px and apple-touch icons are read by the OS when
  // installing, which happens online; precaching them would add ~10 KB to every first visit.
  '/icons/icon-192.png',
];

// Files a first visit does not need: the screens behind sign-in and the second language. Each is saved
// in the shell cache the first time it is fetched, so it works offline from then on; a new VERSION
// starts them afresh with the rest of the shell.
const ON_DEMAND_FILES = [
  '/css/apply.css',
  '/js/application.js',
  '/js/case-feedback.js',
  '/js/case-timeline.js',
  '/js/applications.js',
  '/js/apply.js',
  '/js/apply-delivery.js',
  '/js/apply-documents.js',
  '/js/apply-form.js',
  '/js/apply-review.js',
  '/js/commune-picker.js',
  '/js/db.js',
  '/js/divisions.js',
  '/js/draft-uploads.js',
  '/js/drafts.js',
  '/js/form.js',
  '/js/format.js',
  '/js/inbox.js',
  '/js/officer.js',
  '/js/officer-actions.js',
  '/js/officer-application.js',
  '/js/officer-details.js',
  '/js/officer-feedback.js',
  '/js/officer-viewer.js',
  '/js/outbox.js',
  '/js/paged-list.js',
  '/js/payment.js',
  '/js/payment-result.js',
  '/js/photo/camera.js',
  '/js/photo/compress.js',
  '/js/photo/process.js',
  '/js/photo/worker.js',
  '/js/procedure-rules.js',
  '/js/procedures.js',
  '/js/profile.js',
  '/js/push.js',
  '/js/qr.js',
  '/js/receipt.js',
  '/js/retake-page.js',
  '/js/sign-in-code.js',
  '/js/sign-in.js',
  '/js/sign-out.js',
  '/js/supplement.js',
  '/js/track.js',
  '/js/upload.js',
  '/js/complaints/file.js',
  '/js/complaints/mine.js',
  '/js/complaints/officer.js',
  '/js/complaints/reminders.js',
  '/js/complaints/shared.js',
  '/js/complaints/view.js',
  '/css/complaints.css',
  '/i18n/complaints/vi.json',
  '/i18n/complaints/en.json',
  '/js/statistics/charts.js',
  '/js/statistics/officer.js',
  '/js/statistics/page.js',
  '/css/statistics.css',
  '/i18n/statistics/vi.json',
  '/i18n/statistics/en.json',
  '/css/officer.css',
  '/css/status.css',
  '/i18n/en.json',
  '/i18n/apply/vi.json',
  '/i18n/apply/en.json',
  '/i18n/officer/vi.json',
  '/i18n/officer/en.json',
  '/i18n/status/vi.json',
  '/i18n/status/en.json',
];
// Background Sync tag of the outbox (js/outbox.js registers it when a draft is waiting to be sent).
const OUTBOX_SYNC_TAG = 'motcua-outbox';
// How long a sync event waits for an open page to report on its attempt.
const FLUSH_ANSWER_MS = 120000;
// Where a notice without a usable address opens.
const NOTICE_FALLBACK_URL = '/inbox';

self.addEventListener('install', (event) => {
  // No skipWaiting(): a new version waits for the user's consent (see js/sw-update.js).
  event.waitUntil(precacheShell());
});

self.addEventListener('activate', (event) => {
  event.waitUntil(deleteOldCaches().then(() => self.clients.claim()));
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'SKIP_WAITING') self.skipWaiting();
  else if (event.data && event.data.type === 'SAVE_CATALOG') event.waitUntil(saveCatalog(event.data.catalog));
});

// The connection is back (Background Sync). Sending needs the page's code (uploads with progress, the
// draft store), so an open page does the work and reports back; a failure makes the browser retry later.
// With no page open, nothing is lost: the drafts wait in IndexedDB and the next app start sends them.
self.addEventListener('sync', (event) => {
  if (event.tag === OUTBOX_SYNC_TAG) event.waitUntil(askPageToFlush());
});

async function askPageToFlush() {
  const windows = await self.clients.matchAll({ type: 'window' });
  if (!windows.length) return;
  const answer = await new Promise((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => resolve({ ok: false }), FLUSH_ANSWER_MS);
    channel.port1.onmessage = (message) => {
      clearTimeout(timer);
      resolve(message.data || { ok: false });
    };
    windows[0].postMessage({ type: 'FLUSH_OUTBOX' }, [channel.port2]);
  });
  if (!answer.ok) throw new Error('outbox not flushed yet');
}

// A notice about an application (functions/status): already written in the subscription's language.
// Its tag is the application code, so a newer notice replaces an older one on the phone.
self.addEventListener('push', (event) => {
  event.waitUntil(showNotice(readNotice(event)));
});

function readNotice(event) {
  try {
    const notice = event.data ? event.data.json() : null;
    if (notice && typeof notice === 'object') return notice;
  } catch {
    // Not JSON: still tell the user something changed, rather than show nothing (Chrome would then
    // show its own "site updated in the background" message).
  }
  return { title: 'Một Cửa', body: event.data ? event.data.text() : '' };
}

function showNotice(notice) {
  const title = typeof notice.title === 'string' && notice.title ? notice.title : 'Một Cửa';
  const options = {
    body: typeof notice.body === 'string' ? notice.body : '',
    icon: '/icons/icon-192.png',
    data: { url: noticeUrl(notice.url) },
  };
  if (notice.tag || notice.application_id) {
    options.tag = String(notice.tag || notice.application_id);
    options.renotify = true; // a replaced notice still buzzes: it is news
  }
  if (notice.lang === 'vi' || notice.lang === 'en') options.lang = notice.lang;
  return self.registration.showNotification(title, options);
}

// Only a path of this app: a notice must never open another site.
function noticeUrl(url) {
  if (typeof url !== 'string') return NOTICE_FALLBACK_URL;
  const target = new URL(url, self.location.origin);
  return target.origin === self.location.origin ? target.pathname + target.search : NOTICE_FALLBACK_URL;
}

// A tap opens the application's page: in an open window of the app if there is one, else a new one.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const path = noticeUrl(event.notification.data && event.notification.data.url);
  event.waitUntil(openPage(path));
});

async function openPage(path) {
  const url = new URL(path, self.location.origin).href;
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const open = windows.find((client) => new URL(client.url).origin === self.location.origin);
  if (open) {
    const focused = await open.focus();
    try {
      return await (focused || open).navigate(url);
    } catch {
      // An uncontrolled window cannot be navigated from here: open a fresh one instead.
    }
  }
  return self.clients.openWindow(url);
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  // Anything else (writes, other origins) goes straight to the network, untouched.
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname === CATALOG_PATH) {
    event.respondWith(catalogResponse(event));
  } else if (url.pathname.startsWith(DATA_PREFIX)) {
    event.respondWith(dataResponse(event));
  } else if (url.pathname === STATS_PATH) {
    event.respondWith(statsResponse(event));
  } else if (url.pathname.startsWith('/api/')) {
    // Personal data is never cached: let the browser fetch it as if there were no worker.
  } else if (request.mode === 'navigate') {
    event.respondWith(navigationResponse(request));
  } else {
    event.respondWith(shellResponse(request));
  }
});

async function precacheShell() {
  const cache = await caches.open(SHELL_CACHE);
  // 'no-cache' revalidates with the server, so a stale HTTP-cached file never enters a new version.
  await cache.addAll(SHELL_FILES.map((path) => new Request(path, { cache: 'no-cache' })));
}

// The first visit fetched the catalog before this worker existed; the page hands it over (js/app.js) so
// it works offline without a second download. Only a catalog-shaped object is kept.
async function saveCatalog(catalog) {
  if (!catalog || !Array.isArray(catalog.procedures)) return;
  const response = new Response(JSON.stringify(catalog), { headers: { 'Content-Type': 'application/json' } });
  await (await caches.open(CATALOG_CACHE)).put(CATALOG_PATH, response);
}

async function deleteOldCaches() {
  const keep = new Set([SHELL_CACHE, CATALOG_CACHE, DATA_CACHE, STATS_CACHE]);
  const names = await caches.keys();
  await Promise.all(names.filter((name) => name.startsWith('motcua-') && !keep.has(name)).map((name) => caches.delete(name)));
}

// Cache first: shell files only change with a new VERSION.
async function shellResponse(request) {
  const cached = await caches.match(request, { cacheName: SHELL_CACHE });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && ON_DEMAND_FILES.includes(new URL(request.url).pathname)) {
    const copy = response.clone();
    await caches.open(SHELL_CACHE).then((cache) => cache.put(request, copy));
  }
  return response;
}

// Network first so people get today's page; on a dead or very slow link, the saved shell.
async function navigationResponse(request) {
  try {
    return await withTimeout(fetch(request), NETWORK_TIMEOUT_MS);
  } catch {
    const cached = await caches.match(OFFLINE_PAGE, { cacheName: SHELL_CACHE });
    return cached || fetch(request);
  }
}

// Network first, saving each good answer; the saved copy is marked so the page can say so.
function catalogResponse(event) {
  const network = fetch(event.request);
  // Registered before the page's reader, so the clone is taken before the body is consumed.
  const saved = network.then((response) => {
    if (!response.ok) return undefined;
    const copy = response.clone();
    return caches.open(CATALOG_CACHE).then((cache) => cache.put(CATALOG_PATH, copy));
  });
  event.waitUntil(saved.catch(() => {}));
  return withTimeout(network, NETWORK_TIMEOUT_MS).catch(async () => {
    const cached = await caches.match(CATALOG_PATH, { cacheName: CATALOG_CACHE });
    // Nothing saved: keep waiting for the network (or let its error reach the page).
    return cached ? markAsCached(cached) : network;
  });
}

// Cache first, so the commune picker works offline at once; a cheap revalidation (ETag, usually a 304)
// then refreshes the saved copy for next time.
async function dataResponse(event) {
  const cache = await caches.open(DATA_CACHE);
  const cached = await cache.match(event.request);
  const refresh = fetch(event.request, { cache: 'no-cache' }).then((response) => {
    if (response.ok) return cache.put(event.request, response.clone()).then(() => response);
    return response;
  });
  if (!cached) return refresh;
  event.waitUntil(refresh.catch(() => {}));
  return cached;
}

// Network first; each good answer replaces the saved one (only the last place viewed is kept), and
// offline the saved answer for the same address is served, marked as such.
function statsResponse(event) {
  const network = fetch(event.request);
  const saved = network.then(async (response) => {
    if (!response.ok) return;
    const copy = response.clone();
    const cache = await caches.open(STATS_CACHE);
    await Promise.all((await cache.keys()).map((old) => cache.delete(old)));
    await cache.put(event.request, copy);
  });
  event.waitUntil(saved.catch(() => {}));
  return withTimeout(network, NETWORK_TIMEOUT_MS).catch(async () => {
    const cached = await caches.match(event.request, { cacheName: STATS_CACHE });
    return cached ? markAsCached(cached) : network;
  });
}

function markAsCached(response) {
  const headers = new Headers(response.headers);
  headers.set(CACHE_HEADER, 'hit');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms);
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}
