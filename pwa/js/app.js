// Boot: language, service worker, connectivity, the session, and the screens.

import { getJson, onUnauthorized } from './api.js';
import { tx } from './dom.js';
import { renderHome } from './home.js';
import { currentLanguage, loadBundle, savedLanguage, setLanguage, translateDocument } from './i18n.js';
import { pendingSignIn } from './otp.js';
import { currentPath, navigate, startRouter } from './router.js';
import {
  accountPath, currentUser, forgetSession, isOfficer, landingPath, loadSession, maybeSignedIn, onSessionChange,
  rememberReturnPath,
} from './session.js';
import { loadStyles } from './styles.js';
import { acceptUpdate, registerServiceWorker } from './sw-update.js';

const CATALOG_PATH = '/api/submit/procedures';

const state = { procedures: null, error: null, fromCache: false };
const view = {
  home: document.getElementById('home-view'),
  screen: document.getElementById('screen'),
  procedures: document.getElementById('procedures'),
  accountNav: document.getElementById('account-nav'),
  offlineBanner: document.getElementById('offline-banner'),
  updateBanner: document.getElementById('update-banner'),
  updateButton: document.getElementById('update-button'),
  languageSwitch: document.querySelector('.lang-switch'),
};

// access: who may see a screen; the guard below sends everyone else where they belong.
// relocalize: the screen shows text from the data ({vi, en}), so a language switch draws it again.
const ROUTES = {
  '/': { access: 'anyone', mount: showHome },
  // Screens load their code on first use, so a first visit downloads only the home screen's.
  '/sign-in': { access: 'signed-out', mount: onScreen(() => import('./sign-in.js'), 'mountSignIn') },
  '/sign-in/code': { access: 'signed-out', mount: onScreen(() => import('./sign-in-code.js'), 'mountSignInCode') },
  '/profile': { access: 'signed-in', mount: onScreen(() => import('./profile.js'), 'mountProfile') },
  '/officer': { access: 'officer', relocalize: true, mount: onScreen(() => import('./officer.js'), 'mountOfficer', 'officer') },
  '/officer/application': {
    access: 'officer', relocalize: true,
    mount: onScreen(() => import('./officer-application.js'), 'mountOfficerApplication', 'officer'),
  },
  '/apply': { access: 'signed-in', relocalize: true, mount: onScreen(() => import('./apply.js'), 'mountApply', 'apply') },
  '/receipt': { access: 'signed-in', relocalize: true, mount: onScreen(() => import('./receipt.js'), 'mountReceipt', 'apply') },
  '/applications': {
    access: 'signed-in', relocalize: true, mount: onScreen(() => import('./applications.js'), 'mountApplications', 'apply'),
  },
  '/drafts': { access: 'signed-in', relocalize: true, mount: onScreen(() => import('./drafts.js'), 'mountDrafts', 'apply') },
  '/application': {
    access: 'signed-in', relocalize: true, mount: onScreen(() => import('./application.js'), 'mountApplication', 'status'),
  },
  '/inbox': { access: 'signed-in', relocalize: true, mount: onScreen(() => import('./inbox.js'), 'mountInbox', 'status') },
  '/track': { access: 'anyone', relocalize: true, mount: onScreen(() => import('./track.js'), 'mountTrack', 'status') },
  '/thong-ke': {
    access: 'anyone', relocalize: true, mount: onScreen(() => import('./statistics/page.js'), 'mountStatistics', 'statistics'),
  },
  '/officer/thong-ke': {
    access: 'officer', mount: onScreen(() => import('./statistics/officer.js'), 'mountOfficerStatistics', 'statistics'),
  },
  '/payment/result': {
    access: 'signed-in', relocalize: true, mount: onScreen(() => import('./payment-result.js'), 'mountPaymentResult', 'status'),
  },
  // Complaints ("phản ánh, kiến nghị", js/complaints/); /feedback?code= is where their notices open.
  '/feedback/new': { access: 'signed-in', mount: complaintScreen(() => import('./complaints/file.js'), 'mountNewComplaint') },
  '/feedback/receipt': {
    access: 'signed-in', mount: complaintScreen(() => import('./complaints/mine.js'), 'mountComplaintReceipt'),
  },
  '/feedback/mine': {
    access: 'signed-in', relocalize: true, mount: complaintScreen(() => import('./complaints/mine.js'), 'mountMyComplaints'),
  },
  '/feedback': { access: 'signed-in', relocalize: true, mount: complaintScreen(() => import('./complaints/view.js'), 'mountComplaint') },
  '/officer/feedback': {
    access: 'officer', relocalize: true,
    mount: complaintScreen(() => import('./complaints/officer.js'), 'mountOfficerComplaints', 'officer'),
  },
  '/officer/feedback/item': {
    access: 'officer', relocalize: true,
    mount: complaintScreen(() => import('./complaints/officer.js'), 'mountOfficerComplaint', 'officer'),
  },
};
// Stylesheets (/css/<name>.css) of each screen group, loaded with its texts; the status screens reuse the
// apply screens' cards and camera, the officer console their choices and text areas.
const STYLES = { apply: ['apply'], status: ['apply', 'status'], officer: ['apply', 'officer'], statistics: ['statistics'] };

// A complaint screen: its code with the complaint texts and styles (js/complaints/shared.js).
function complaintScreen(load, name, bundle = 'status') {
  const withTexts = () => Promise.all([load(), import('./complaints/shared.js').then((m) => m.loadComplaintTexts())])
    .then(([module]) => module);
  return onScreen(withTexts, name, bundle);
}

function showHome() {
  view.screen.hidden = true;
  view.home.hidden = false;
}

// `bundle`: the screen's texts that are not in the main catalog (see loadBundle in i18n.js).
function onScreen(load, name, bundle = null) {
  return () => {
    view.home.hidden = true;
    view.screen.hidden = false;
    view.screen.replaceChildren(tx('p', 'common.loading', { className: 'placeholder' }));
    let left = false;
    let cleanup = null;
    Promise.all([load(), bundle ? loadBundle(bundle) : null, ...(STYLES[bundle] || []).map(loadStyles)])
      .then(([module]) => {
        // The user may have moved on while the code was loading.
        if (!left) cleanup = module[name](view.screen);
      })
      .catch(() => {
        if (!left) view.screen.replaceChildren(tx('p', 'errors.network', { className: 'placeholder', role: 'alert' }));
      });
    return () => {
      left = true;
      if (cleanup) cleanup();
      view.screen.replaceChildren();
    };
  };
}

function guard(path) {
  const access = ROUTES[path]?.access;
  const me = currentUser();
  if (access === 'signed-out' && maybeSignedIn()) return me ? landingPath(me) : '/profile';
  if (path === '/sign-in/code' && !pendingSignIn()) return '/sign-in';
  if ((access === 'signed-in' || access === 'officer') && !maybeSignedIn()) {
    // Back here once signed in (e.g. the form of the procedure the user tapped).
    if (path !== '/profile') rememberReturnPath(window.location.pathname + window.location.search);
    return '/sign-in';
  }
  if (access === 'officer' && me && !isOfficer(me)) return '/';
  return null;
}

// Any 401: the session is gone (expired, or signed out on every device). Screens that need it go to sign-in.
function handleUnauthorized() {
  forgetSession();
  const access = ROUTES[currentPath()]?.access;
  if (access === 'signed-in' || access === 'officer') {
    if (currentPath() !== '/profile') rememberReturnPath(window.location.pathname + window.location.search);
    navigate('/sign-in', { replace: true, flash: 'errors.unauthorized' });
  }
}

function renderAccountNav() {
  const me = currentUser();
  const links = maybeSignedIn()
    ? [
      isOfficer(me) ? null : tx('a', 'account.my_papers', { href: '/applications', className: 'button button--on-brand' }),
      isOfficer(me) ? null : tx('a', 'account.inbox', { href: '/inbox', className: 'button button--on-brand' }),
      tx('a', 'account.button', { href: me ? accountPath(me) : '/profile', className: 'button button--on-brand' }),
    ]
    : [tx('a', 'sign_in.button', { href: '/sign-in', className: 'button button--on-brand' })];
  view.accountNav.replaceChildren(...links.filter(Boolean));
  view.accountNav.hidden = false;
}

// Applications waiting in the outbox are sent from any screen, as soon as the app starts. The screens a
// citizen may need offline (drafts, receipts) are loaded too, so the service worker keeps their code.
function startOutbox() {
  if (!maybeSignedIn() || isOfficer(currentUser())) return;
  import('./outbox.js')
    .then((outbox) => outbox.startOutbox())
    .catch(() => {}); // offline before the code was ever saved: nothing can be waiting yet
  Promise.all([import('./drafts.js'), import('./receipt.js'), loadBundle('apply'), loadStyles('apply')]).catch(() => {});
}

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
    if (!fromCache) keepCatalogOffline(data);
  } catch (error) {
    state.error = error;
  }
  render();
}

// On a first visit the catalog arrives before the service worker exists: hand it over once the worker is
// active, rather than have the worker download the same ~12 KB again. Later visits go through the worker,
// which saves each fresh copy itself.
function keepCatalogOffline(data) {
  if (!('serviceWorker' in navigator) || navigator.serviceWorker.controller) return;
  navigator.serviceWorker.ready
    .then((registration) => registration.active?.postMessage({ type: 'SAVE_CATALOG', catalog: data }))
    .catch(() => {});
}

async function switchLanguage(code) {
  if (code === currentLanguage()) return;
  try {
    await setLanguage(code);
  } catch {
    return; // Keep the current language rather than show half-translated text.
  }
  translateDocument(); // also every screen's text, through its data-i18n attributes
  render();
  // Screens that show the data's own {vi, en} texts are drawn again in the new language.
  if (ROUTES[currentPath()]?.relocalize) navigate(window.location.pathname + window.location.search, { replace: true });
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

async function startScreens() {
  onUnauthorized(handleUnauthorized);
  onSessionChange(renderAccountNav);
  onSessionChange(startOutbox);
  await loadSession();
  renderAccountNav();
  startRouter(ROUTES, guard);
  startOutbox();
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
  await startScreens();
  await loadProcedures();
}

boot();
