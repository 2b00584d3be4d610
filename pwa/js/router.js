// History API routing: one screen at a time, same-origin links handled without a page load.
// A navigation may carry a short "flash" message (e.g. "Bạn đã đăng xuất") shown on the next screen.
// Routes are matched on the path alone; a screen reads its parameters from the query (see queryParam).

import { clearText, setText } from './dom.js';

let routes = {};
let guard = () => null;
let active = { path: null, cleanup: null };

/**
 * Start routing. `routes` maps a path to `{ mount() -> cleanup? }` (synchronous; screens load their
 * data themselves); `guardFn(path)` returns a path to go to instead, or null.
 */
export function startRouter(routeTable, guardFn) {
  routes = routeTable;
  guard = guardFn;
  document.addEventListener('click', followLink);
  window.addEventListener('popstate', () => show(window.location.pathname, false));
  show(window.location.pathname, false);
}

/**
 * Go to `path` (which may carry a query, e.g. "/apply?draft=1"), pushing a history entry unless `replace`,
 * optionally showing a `flash` text key there.
 */
export function navigate(path, { replace = false, flash = null } = {}) {
  const url = new URL(path, window.location.origin);
  if (url.pathname + url.search !== window.location.pathname + window.location.search) {
    window.history[replace ? 'replaceState' : 'pushState'](null, '', url.pathname + url.search);
  }
  show(url.pathname, true);
  if (flash) setText(document.getElementById('flash'), flash);
}

/** Change the query of the screen on show without showing it again (e.g. once a draft has an id). */
export function replaceQuery(params) {
  const search = new URLSearchParams(params).toString();
  window.history.replaceState(null, '', `${window.location.pathname}${search ? `?${search}` : ''}`);
}

/** One parameter of the current address's query, or null. */
export function queryParam(name) {
  return new URLSearchParams(window.location.search).get(name);
}

/** The path of the screen on show. */
export function currentPath() {
  return active.path;
}

function followLink(event) {
  const link = event.target.closest('a[href]');
  if (!link || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || link.target) return;
  const url = new URL(link.href);
  if (url.origin !== window.location.origin || !(url.pathname in routes)) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
}

function show(path, moveFocus) {
  const redirect = guard(path);
  if (redirect && redirect !== path) {
    window.history.replaceState(null, '', redirect);
    return show(new URL(redirect, window.location.origin).pathname, moveFocus);
  }
  if (active.cleanup) active.cleanup();
  clearText(document.getElementById('flash'));
  const route = routes[path] || routes['/'];
  active = { path, cleanup: null };
  active.cleanup = route.mount() || null;
  if (moveFocus) focusMain();
}

// After a navigation, screen readers and keyboards start at the new screen's heading.
function focusMain() {
  window.scrollTo(0, 0);
  const heading = [...document.querySelectorAll('#main h2')].find((node) => node.offsetParent !== null);
  const target = heading || document.getElementById('main');
  if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
  target.focus({ preventScroll: true });
}
