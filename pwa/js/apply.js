// The application flow: four large steps (answers, papers, where and how, review) over one draft kept in
// IndexedDB. Every change is saved on the phone within a moment, so a reload, a killed app or a lost
// connection costs nothing. Each step has its own address (/apply?draft=<id>&step=<n>), so the phone's
// back button goes back a step.

import { ApiError, errorKey } from './api.js';
import { localized } from './i18n.js';
import { getDraft, listDrafts, newDraft, saveDraft } from './db.js';
import { loadDivisions } from './divisions.js';
import { el, setText, tx } from './dom.js';
import { messageLine } from './form.js';
import { loadThenRender } from './panels.js';
import { STEPS, stepOfField } from './procedure-rules.js';
import { loadProcedure } from './procedures.js';
import { navigate, queryParam, replaceQuery } from './router.js';
import {
  clearReturnPath, currentUser, currentUserId, fetchUser, rememberReturnPath, userUpdatedAt,
} from './session.js';

const SAVE_DELAY_MS = 300;
const STEP_COUNT = 4;
const STEP_NAMES = { 1: 'apply.step_form', 2: 'apply.step_documents', 3: 'apply.step_delivery', 4: 'apply.step_review' };
const STEP_MODULES = {
  1: () => import('./apply-form.js').then((m) => m.formStep),
  2: () => import('./apply-documents.js').then((m) => m.documentsStep),
  3: () => import('./apply-delivery.js').then((m) => m.deliveryStep),
  4: () => import('./apply-review.js').then((m) => m.reviewStep),
};
// Field errors found on one step for another (e.g. the review's check), shown once when that step opens.
const pendingErrors = new Map();

/** Show the apply flow in `container` for ?procedure=<id> (a new or unfinished draft) or ?draft=<id>; returns its cleanup. */
export function mountApply(container) {
  let flow = null;
  const stop = loadThenRender(container, loadFlow, (loaded) => {
    flow = loaded;
    showFlow(container, flow);
  });
  return () => {
    stop();
    flow?.leave?.();
  };
}

async function loadFlow() {
  const userId = currentUserId();
  const draftId = queryParam('draft');
  let draft = draftId ? await getDraft(draftId) : null;
  if (draftId && (!draft || draft.userId !== userId)) throw new ApiError('draft_not_found', 404);
  const { procedure, photo } = await loadProcedure(draft ? draft.procedureId : queryParam('procedure'));
  let persisted = Boolean(draft);
  if (!draft) {
    draft = await unfinishedDraft(userId, procedure.id);
    persisted = Boolean(draft);
  }
  if (!draft) draft = withDefaults(newDraft(userId, procedure), procedure);
  // Offline the profile cannot be fetched; the flow still works, without its suggestions.
  const me = currentUser() || (await fetchUser().catch(() => null));
  // Everything the later steps need is fetched now, while there may still be a connection, so the
  // service worker has it when the user reaches those steps offline.
  const stepModules = await Promise.all(Object.values(STEP_MODULES).map((load) => load()));
  loadDivisions().catch(() => {});
  return { draft, procedure, photo, me, persisted, steps: Object.fromEntries(stepModules.map((m, i) => [i + 1, m])) };
}

// "Nộp hồ sơ" on a procedure the user already started continues that draft rather than starting over.
async function unfinishedDraft(userId, procedureId) {
  const found = (await listDrafts(userId)).find((d) => d.procedureId === procedureId && d.state === 'draft');
  return found ? getDraft(found.id) : null;
}

// The schema's defaults (e.g. "no fee exemption") are real answers: they are shown chosen and sent.
function withDefaults(draft, procedure) {
  for (const [name, rule] of Object.entries(procedure.form?.schema?.properties || {})) {
    if (rule.default !== undefined) draft.answers[name] = rule.default;
  }
  return draft;
}

function showFlow(container, flow) {
  const { draft } = flow;
  if (draft.state === 'sent') {
    navigate(`/receipt?draft=${encodeURIComponent(draft.id)}`, { replace: true });
    return;
  }
  clearReturnPath(); // the user got where signing in was meant to take them
  const wanted = Number(queryParam('step')) || draft.step || STEPS.form;
  const step = draft.state === 'queued' ? STEPS.review : Math.min(Math.max(1, wanted), STEP_COUNT);
  draft.step = step;
  const saver = makeSaver(flow);
  const status = messageLine('error');
  const ctx = {
    ...flow,
    step,
    save: saver.schedule,
    // Pages belong to a saved draft: this creates it if needed, and writes pending changes.
    saveNow: () => saver.now({ force: !flow.persisted }),
    goTo: (target, fields = null) => goTo(flow, saver, target, fields),
    fail: (key, params) => setText(status, key, params),
  };
  const view = flow.steps[step](ctx);
  container.replaceChildren(frame(ctx, view, status));
  showKnownErrors(ctx, view, status);
  if (flow.persisted) replaceQuery({ draft: draft.id, step });
  const saveOnExit = () => saver.now();
  const saveWhenHidden = () => {
    if (document.visibilityState === 'hidden') saver.now();
  };
  window.addEventListener('pagehide', saveOnExit);
  document.addEventListener('visibilitychange', saveWhenHidden);
  flow.leave = () => {
    flow.left = true;
    saver.now();
    view.leave?.();
    window.removeEventListener('pagehide', saveOnExit);
    document.removeEventListener('visibilitychange', saveWhenHidden);
  };
}

function frame(ctx, view, status) {
  const { draft, procedure, step } = ctx;
  const name = localized(procedure.name);
  return el(
    'section',
    { className: 'screen apply', dataset: { step: String(step), draftId: draft.id } },
    el('p', { className: 'apply__procedure', lang: name.lang }, name.text),
    tx('h2', 'apply.step_title', { className: 'screen__title' }, { n: step, total: STEP_COUNT }),
    tx('p', STEP_NAMES[step], { className: 'apply__step-name' }),
    stepBar(step),
    profileNotice(ctx),
    status,
    view.element,
    navigation(ctx, view),
    tx('p', 'apply.saved_on_phone', { className: 'note apply__saved', hidden: !ctx.persisted, role: 'status' }),
  );
}

// Decorative: the heading already says "Bước 2/4" in words.
function stepBar(step) {
  const items = [];
  for (let n = 1; n <= STEP_COUNT; n += 1) {
    items.push(el('li', { className: `steps__item${n < step ? ' steps__item--done' : ''}${n === step ? ' steps__item--current' : ''}` }));
  }
  return el('ol', { className: 'steps', 'aria-hidden': 'true' }, items);
}

function profileNotice(ctx) {
  if (!ctx.me || ctx.me.profile_complete) return null;
  return el(
    'div',
    { className: 'notice' },
    tx('p', 'apply.profile_needed', { className: 'notice__text' }),
    tx('a', 'apply.profile_link', {
      href: '/profile',
      className: 'button button--secondary',
      onclick: () => rememberReturnPath(`/apply?draft=${encodeURIComponent(ctx.draft.id)}&step=${ctx.step}`),
    }),
  );
}

function navigation(ctx, view) {
  const back = ctx.step > 1 && ctx.draft.state === 'draft'
    ? tx('button', 'apply.back', { type: 'button', className: 'button button--secondary', onclick: () => ctx.goTo(ctx.step - 1) })
    : null;
  const next = ctx.step < STEP_COUNT
    ? tx('button', 'apply.next', { type: 'button', className: 'button', onclick: () => continueFrom(ctx, view) })
    : null;
  return el('div', { className: 'apply__nav' }, back, next);
}

/** Check the step; on errors show them here, else save and move on. */
function continueFrom(ctx, view) {
  const fields = view.check();
  if (Object.keys(fields).length) {
    ctx.fail('apply.fix_fields');
    focusFirst(view.showErrors(fields));
    return;
  }
  ctx.goTo(ctx.step + 1);
}

async function goTo(flow, saver, step, fields) {
  if (fields && Object.keys(fields).length) pendingErrors.set(flow.draft.id, fields);
  flow.draft.step = step;
  await saver.now({ force: true });
  navigate(`/apply?draft=${encodeURIComponent(flow.draft.id)}&step=${step}`);
}

// Errors to show on arrival: those another step found, or those the server gave for the last attempt.
function showKnownErrors(ctx, view, status) {
  const pending = pendingErrors.get(ctx.draft.id);
  pendingErrors.delete(ctx.draft.id);
  const lastError = ctx.draft.lastError;
  if (pending) {
    setText(status, 'apply.fix_fields');
    focusFirst(view.showErrors(pending));
  } else if (lastError && ctx.draft.state === 'draft' && !profileFixedSince(ctx, lastError)) {
    setText(status, lastErrorKey(lastError));
    const here = Object.fromEntries(Object.entries(lastError.fields || {}).filter(([path]) => stepOfField(path) === ctx.step));
    if (Object.keys(here).length) view.showErrors(here);
  }
}

/** True when the server asked for the profile but it has been completed since. */
export function profileFixedSince(ctx, lastError) {
  return lastError?.code === 'profile_required' && Boolean(ctx.me?.profile_complete) && userUpdatedAt() > Date.parse(lastError.at);
}

/** The text key explaining why the server sent a draft back. */
export function lastErrorKey(lastError) {
  if (lastError.code === 'validation_failed') return 'apply.rejected_fields';
  return errorKey(new ApiError(lastError.code));
}

/** Focus the first control of the first field showing an error (in page order). */
export function focusFirst(control) {
  const shown = document.querySelector('.apply .field__error:not([hidden])');
  const wrapper = shown?.parentElement;
  const target = wrapper?.querySelector('input:not([type="hidden"]), select, textarea, button') || control;
  if (target) {
    target.focus();
    target.scrollIntoView?.({ block: 'center' });
  }
}

// Saves the draft's editable fields at most every SAVE_DELAY_MS, and at once on leaving or hiding the page.
// Only changes are written: opening a procedure and leaving it again creates no draft.
function makeSaver(flow) {
  let timer = null;
  let dirty = false;
  let chain = Promise.resolve();
  const write = async () => {
    const saved = await saveDraft(flow.draft);
    if (!saved) return;
    const first = !flow.persisted;
    flow.persisted = true;
    // The address now names the draft, so a reload finds it (unless the user already moved on).
    if (first && !flow.left && window.location.pathname === '/apply') replaceQuery({ draft: flow.draft.id, step: flow.draft.step });
    document.querySelector('.apply__saved')?.removeAttribute('hidden');
  };
  let writing = false;
  // Starts the write at once when none is under way, so it is queued in IndexedDB before anything read later.
  const now = ({ force = false } = {}) => {
    clearTimeout(timer);
    timer = null;
    if (!dirty && !force) return chain;
    dirty = false;
    const start = () => {
      writing = true;
      return write().catch(() => {}).finally(() => {
        writing = false;
      });
    };
    chain = writing ? chain.then(start) : start();
    return chain;
  };
  const schedule = () => {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(now, SAVE_DELAY_MS);
  };
  return { schedule, now };
}
