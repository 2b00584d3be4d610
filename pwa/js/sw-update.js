// Service worker registration and the user-consented update flow:
// a new version waits until the user taps "Cập nhật", then the page reloads once.

/** Register /sw.js; `onUpdateReady(worker)` is called when a new version is waiting. */
export async function registerServiceWorker(onUpdateReady) {
  if (!('serviceWorker' in navigator)) return null;
  reloadWhenReplaced();
  // updateViaCache 'none': the HTTP cache must never hide a new sw.js from the update check.
  const registration = await navigator.serviceWorker.register('/sw.js', { scope: '/', updateViaCache: 'none' });
  watchForWaitingWorker(registration, onUpdateReady);
  return registration;
}

/** Tell the waiting worker the user accepted the update. */
export function acceptUpdate(worker) {
  worker.postMessage({ type: 'SKIP_WAITING' });
}

function watchForWaitingWorker(registration, onUpdateReady) {
  // Only an update while a worker already controls the page is "new"; the very first install is not.
  if (registration.waiting && navigator.serviceWorker.controller) onUpdateReady(registration.waiting);
  registration.addEventListener('updatefound', () => {
    const worker = registration.installing;
    if (!worker) return;
    worker.addEventListener('statechange', () => {
      if (worker.state === 'installed' && navigator.serviceWorker.controller) onUpdateReady(worker);
    });
  });
}

function reloadWhenReplaced() {
  let controller = navigator.serviceWorker.controller;
  let reloading = false;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    const previous = controller;
    controller = navigator.serviceWorker.controller;
    // The first worker claiming an uncontrolled page changes nothing the user sees: no reload.
    if (!previous || reloading) return;
    reloading = true;
    window.location.reload();
  });
}
