// The officer console's application screen (/officer/application?code=X): the papers large on one side,
// on the other what the officer may do now (the API's `actions`, see officer-actions.js), the application's
// state, the applicant, the answers and the timeline (officer-details.js). Every action sends the `version`
// it was shown; if someone else changed the application meanwhile (409 conflict) the screen says so and
// shows the newest state instead.

import { ApiError, errorKey, getJson, sendJson } from './api.js';
import { clearText, el, setText, tx } from './dom.js';
import { clearFieldErrors, setBusy, showFieldError, showFieldErrors } from './form.js';
import { queueHref } from './officer.js';
import { actionsSection, apiPath, confirmDialog } from './officer-actions.js';
import { apologySection, paymentWaitNote, ratingSection } from './officer-feedback.js';
import {
  answersSection, applicantSection, factsSection, headLines, noticeSection, slotLabel, slotOrder, timelineSection,
} from './officer-details.js';
import { createViewer } from './officer-viewer.js';
import { loadThenRender } from './panels.js';
import { loadProcedure } from './procedures.js';
import { queryParam } from './router.js';

// Document links live 300 s: fetch fresh ones a while before, while the screen is on show.
const LINK_REFRESH_MS = 240_000;
const REFRESH_CHECK_MS = 30_000;
// Server field codes that read better with this screen's own words.
const FIELD_TEXTS = {
  'slots.required': 'desk.supplement.slots_required',
  'reason.required': 'desk.reason_required',
  'reason.too_short': 'desk.reason_too_short',
  'tracking_number.required': 'desk.result.tracking_required',
  'tracking_number.bad_format': 'desk.result.tracking_invalid',
  'document_id.required': 'desk.result.file_required',
  'document_id.document_not_found': 'desk.result.file_missing',
  'working_days.too_small': 'desk.apology.days_invalid',
  'working_days.too_large': 'desk.apology.days_invalid',
  'working_days.invalid_type': 'desk.apology.days_invalid',
};

/** Show the application `?code=` to its commune's officer in `container`; returns its cleanup. */
export function mountOfficerApplication(container) {
  const code = queryParam('code') || '';
  let screen = null;
  const cleanup = loadThenRender(container, () => loadAll(code), ({ app, procedure }) => {
    screen = applicationScreen(container, code, app, procedure);
  });
  return () => {
    cleanup();
    screen?.destroy();
  };
}

async function fetchApplication(code) {
  const { data } = await getJson(apiPath(code));
  return data;
}

async function loadAll(code) {
  if (!code) throw new ApiError('not_found', 404);
  const app = await fetchApplication(code);
  // The catalog gives the answers' labels and the result kinds; without it the screen still works.
  const procedure = await loadProcedure(app.procedure_id).then((found) => found.procedure).catch(() => null);
  return { app, procedure };
}

function applicationScreen(container, code, firstApp, procedure) {
  const ctx = { app: firstApp, procedure, loadedAt: Date.now(), busy: false, live: true, buttons: [], resultLinks: [] };
  const title = el('h2', { className: 'screen__title desk-app__code' });
  const head = el('div', { className: 'desk-head' });
  const error = el('p', { className: 'message message--error', role: 'alert', tabindex: '-1', hidden: true });
  const done = el('p', { className: 'message message--ok', role: 'status', tabindex: '-1', hidden: true });
  const details = el('div', { className: 'desk-layout__details' });
  const viewer = createViewer({ onExpired: () => refresh() });
  const dialog = confirmDialog();
  const reload = tx('button', 'desk.refresh', { type: 'button', className: 'button button--secondary' });
  reload.addEventListener('click', () => refresh({ always: true }));

  container.replaceChildren(el(
    'section',
    { className: 'screen desk-app desk-wide' },
    el(
      'div',
      { className: 'desk-app__top' },
      tx('a', 'desk.back', { href: queueHref(), className: 'button button--secondary desk-app__back' }),
      reload,
    ),
    title,
    head,
    error,
    done,
    el(
      'div',
      { className: 'desk-layout' },
      el(
        'section',
        { className: 'desk-layout__documents', 'aria-labelledby': 'desk-documents-title' },
        tx('h3', 'desk.documents_title', { className: 'subsection-title', id: 'desk-documents-title' }),
        viewer.element,
      ),
      details,
    ),
    dialog.element,
  ));

  const say = (node, key) => {
    setText(node, key);
    node.focus({ preventScroll: false });
  };
  const quiet = () => {
    clearText(error);
    clearText(done);
  };

  function render() {
    const { app } = ctx;
    title.textContent = app.code;
    head.replaceChildren(...headLines(app));
    viewer.update(app.documents || {}, slotOrder(ctx), (slot) => slotLabel(ctx, slot));
    ctx.buttons = [];
    ctx.resultLinks = [];
    details.replaceChildren(...[
      apologySection(ctx, { send: apologize }),
      actionsSection(ctx, { run, ask: dialog.open }),
      paymentWaitNote(app),
      noticeSection(ctx),
      factsSection(app),
      ratingSection(app),
      applicantSection(app),
      answersSection(app, procedure),
      timelineSection(ctx),
    ].filter(Boolean));
  }

  // One lifecycle action with the version on show; `form` gets the field errors. Resolves to true when done.
  function run(action, extra = {}, form = null) {
    return send('/actions', { action, version: ctx.app.version, ...extra }, `desk.done.${action}`, form);
  }

  // The apology of a late application (its reason and new date), at the version on show.
  function apologize(fields, form) {
    return send('/apology', { ...fields, version: ctx.app.version }, 'desk.done.apology', form);
  }

  // POST `body` to the application's `suffix`; the answer is the application as it is now.
  async function send(suffix, body, doneKey, form) {
    if (ctx.busy) return false;
    ctx.busy = true;
    quiet();
    if (form) clearFieldErrors(form);
    for (const button of ctx.buttons) setBusy(button, true);
    try {
      const { data } = await sendJson('POST', apiPath(code, suffix), body);
      if (!ctx.live) return false;
      ctx.app = data;
      ctx.loadedAt = Date.now();
      render();
      say(done, doneKey);
      return true;
    } catch (problem) {
      if (ctx.live) await explain(problem, form);
      return false;
    } finally {
      ctx.busy = false;
      for (const button of ctx.buttons) setBusy(button, false);
    }
  }

  async function explain(problem, form) {
    if (problem.status === 401) return; // the app goes to sign-in
    if (['conflict', 'invalid_transition', 'apology_required', 'payment_required'].includes(problem.code)) {
      // Someone else moved it on (or a deadline passed, or the fee is still due): show what it is now
      // rather than retry blindly.
      const key = { conflict: 'desk.conflict', invalid_transition: 'desk.stale_step' }[problem.code] || errorKey(problem);
      if (await refresh({ always: true })) say(error, key);
      return;
    }
    // The result PDF failed the server's check: say so next to the file.
    const fileField = form?.querySelector('[data-field="document_id"]');
    if (fileField && !fileField.hidden && problem.code.startsWith('upload_')) {
      showFieldError(fileField, errorKey(problem));
      say(error, errorKey(problem));
      return;
    }
    if (problem.code === 'validation_failed' && form) {
      const bad = showServerFieldErrors(form, problem.details?.fields);
      say(error, 'errors.validation_failed');
      bad?.focus();
      return;
    }
    say(error, errorKey(problem));
  }

  // Fresh data. Same version: only the links changed, so the officer's half-filled form stays. Otherwise
  // (or `always`) the whole screen is drawn again. Resolves to false when the load failed.
  async function refresh({ always = false } = {}) {
    let fresh;
    try {
      fresh = await fetchApplication(code);
    } catch (problem) {
      if (ctx.live && problem.status !== 401) say(error, errorKey(problem));
      return false;
    }
    if (!ctx.live) return false;
    const same = fresh.version === ctx.app.version;
    ctx.app = fresh;
    ctx.loadedAt = Date.now();
    if (same && !always) {
      viewer.update(fresh.documents || {}, slotOrder(ctx), (slot) => slotLabel(ctx, slot));
      for (const link of ctx.resultLinks) if (fresh.result?.url) link.href = fresh.result.url;
    } else {
      render();
      if (!same && !always) say(error, 'desk.conflict');
    }
    return true;
  }

  const refreshIfStale = () => {
    if (!document.hidden && !ctx.busy && Date.now() - ctx.loadedAt > LINK_REFRESH_MS) refresh();
  };
  const timer = setInterval(refreshIfStale, REFRESH_CHECK_MS);
  document.addEventListener('visibilitychange', refreshIfStale);

  render();
  return {
    destroy() {
      ctx.live = false;
      clearInterval(timer);
      document.removeEventListener('visibilitychange', refreshIfStale);
      viewer.destroy();
      if (dialog.element.open) dialog.element.close();
    },
  };
}

function showServerFieldErrors(form, fields = {}) {
  const keyed = Object.fromEntries(Object.entries(fields || {}).map(([path, code]) => [path, FIELD_TEXTS[`${path}.${code}`] || code]));
  return showFieldErrors(form, keyed);
}
