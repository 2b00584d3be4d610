// Shared screen states: "loading…", and an error with a retry button.

import { errorKey } from './api.js';
import { el, tx } from './dom.js';

/** A polite "Đang tải…" line. */
function loadingLine() {
  return tx('p', 'common.loading', { className: 'placeholder', role: 'status' });
}

/** An error panel: a title (translation key), the error's text, and a retry button. */
export function errorPanel(titleKey, error, onRetry) {
  return el(
    'div',
    { className: 'error-panel', role: 'alert' },
    tx('p', titleKey, { className: 'error-panel__title' }),
    tx('p', errorKey(error), { className: 'error-panel__message' }),
    tx('button', 'common.retry', { type: 'button', className: 'button', onclick: onRetry }),
  );
}

/**
 * Show "loading", run `load()`, then `render(result)`; on failure an error panel with a retry.
 * A 401 is left to the global handler (it goes to sign-in). Returns the cleanup for the router.
 */
export function loadThenRender(container, load, render) {
  let live = true;
  const run = async () => {
    container.replaceChildren(el('section', { className: 'screen' }, loadingLine()));
    try {
      const result = await load();
      if (live) render(result);
    } catch (error) {
      if (live && error.status !== 401) {
        container.replaceChildren(el('section', { className: 'screen' }, errorPanel('common.load_failed', error, run)));
      }
    }
  };
  run();
  return () => {
    live = false;
  };
}
