// Boot: language, service worker, connectivity and the home screen.

import { getJson } from './api.js';
import { renderHome } from './home.js';
import { currentLanguage, savedLanguage, setLanguage, translateDocument } from './i18n.js';
import { acceptUpdate, registerServiceWorker } from './sw-update.js';

const CATALOG_PATH = '/api/submit/procedures';

const state = { procedures: null, error: null, fromCache: false };
const view = {
  procedures: document.getElementById('procedures'),
  offlineBanner: document.getElementById('offline-banner'),
  updateBanner: document.getElementById('update-banner'),
  updateButton: document.getElementById('update-button'),
  languageSwitch: document.querySelector('.lang-switch'),
};

function render() {
  renderHome(view.procedures, state, loadProcedures);
  // navigator.onLine alone misses "offline but served from the saved copy" after a reload.
  view.offlineBanner.hidden = navigator.onLine && !state.fromCache;
  for (const button of view.languageSwitch.querySelectorAll('[data-lang]')) {
    button.setAttribute('aria-pressed', String(button.dataset.lang === currentLanguage()));
  }
}

async function loadProcedures() {
  state.error = null;
  state.procedures = null;
  render();
  try {
    const { data, fromCache } = await getJson(CATALOG_PATH);
    state.procedures = Array.isArray(data?.procedures) ? data.procedures : [];
    state.fromCache = fromCache;
  } catch (error) {
    state.error = error;
  }
  render();
}

async function switchLanguage(code) {
  if (code === currentLanguage()) return;
  try {
    await setLanguage(code);
  } catch {
    return; // Keep the current language rather than show half-translated text.
  }
  translateDocument();
  render();
}

function setUpLanguageSwitch() {
  view.languageSwitch.addEventListener('click', (event) => {
    const button = event.target.closest('[data-lang]');
    if (button) switchLanguage(button.dataset.lang);
  });
  view.languageSwitch.hidden = false;
}

function watchConnectivity() {
  window.addEventListener('offline', render);
  window.addEventListener('online', () => {
    // Back online: replace an error or a saved copy with fresh data.
    if (state.error || state.fromCache) loadProcedures();
    else render();
  });
}

function showUpdateBanner(worker) {
  view.updateBanner.hidden = false;
  view.updateButton.disabled = false;
  view.updateButton.onclick = () => {
    view.updateButton.disabled = true;
    acceptUpdate(worker);
  };
}

async function startLanguage() {
  try {
    await setLanguage(savedLanguage());
  } catch {
    await setLanguage('vi');
  }
  translateDocument();
}

async function boot() {
  // The service worker does not depend on the UI, so a UI failure must not stop offline support.
  registerServiceWorker(showUpdateBanner).catch(() => {});
  try {
    await startLanguage();
  } catch {
    return; // No translations at all: the static Vietnamese shell is the best we can show.
  }
  setUpLanguageSwitch();
  watchConnectivity();
  await loadProcedures();
}

boot();
