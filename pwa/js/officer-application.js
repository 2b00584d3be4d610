// The officer console's application screen (/officer/application?code=X): the papers large on one side,
// on the other what the officer may do now (the API's `actions`), the application's state, the applicant,
// the answers and the timeline. Every action sends the `version` it was shown; if someone else changed the
// application meanwhile (409 conflict) the screen says so and shows the newest state instead.

import { ApiError, errorKey, getJson, sendJson } from './api.js';
import { loadDivisions } from './divisions.js';
import { clearText, el, setText, tx } from './dom.js';
import { clearFieldErrors, field, fieldGroup, setBusy, showFieldError, showFieldErrors, uid } from './form.js';
import { formatDate, formatDateTime } from './format.js';
import { formatFee } from './home.js';
import { has, localized, t } from './i18n.js';
import { dueText, queueHref, statusKey } from './officer.js';
import { createViewer } from './officer-viewer.js';
import { loadThenRender } from './panels.js';
import { loadProcedure } from './procedures.js';
import { queryParam } from './router.js';
import { displayPhone } from './session.js';

const API = '/api/status/applications/';
// The order the officer sees them in: the next step first, the way back (a supplement) and the end after.
const ACTIONS = ['accept', 'start_review', 'approve', 'request_supplement', 'mark_result_ready', 'complete', 'reject'];
const WITH_FORM = new Set(['request_supplement', 'reject', 'mark_result_ready']);
const RESULT_KINDS = ['post', 'pickup', 'electronic'];
const PDF = 'application/pdf';
const REASON_MIN = 3;
const REASON_MAX = 1000;
const TRACKING = /^.{6,40}$/;
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

function apiPath(code, suffix = '') {
  return `${API}${encodeURIComponent(code)}${suffix}`;
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
      actionsSection(ctx, { run, ask: dialog.open }),
      noticeSection(ctx),
      factsSection(app),
      applicantSection(app),
      answersSection(app, procedure),
      timelineSection(ctx),
    ].filter(Boolean));
  }

  // One lifecycle action with the version on show; `form` gets the field errors. Resolves to true when done.
  async function run(action, extra = {}, form = null) {
    if (ctx.busy) return false;
    ctx.busy = true;
    quiet();
    if (form) clearFieldErrors(form);
    for (const button of ctx.buttons) setBusy(button, true);
    try {
      const { data } = await sendJson('POST', apiPath(code, '/actions'), { action, version: ctx.app.version, ...extra });
      if (!ctx.live) return;
      ctx.app = data;
      ctx.loadedAt = Date.now();
      render();
      say(done, `desk.done.${action}`);
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
    if (problem.code === 'conflict' || problem.code === 'invalid_transition') {
      // Someone else moved it on: show what it is now rather than retry blindly.
      if (await refresh({ always: true })) say(error, problem.code === 'conflict' ? 'desk.conflict' : 'desk.stale_step');
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

// --- what the application is -------------------------------------------------------------------------

function headLines(app) {
  const name = localized(app.procedure_name || {});
  return [
    el('p', { className: 'desk-head__procedure', lang: name.lang }, name.text),
    el(
      'p',
      { className: 'desk-head__badges' },
      statusBadge(app.status),
      app.overdue ? tx('span', 'desk.overdue', { className: 'desk-badge desk-badge--overdue' }) : null,
    ),
    el(
      'p',
      { className: `desk-head__due${app.overdue ? ' desk-head__due--overdue' : ''}` },
      tx('span', 'desk.due', { className: 'desk-head__label' }),
      ' ',
      el('strong', {}, dueText(app)),
    ),
  ];
}

function statusBadge(status) {
  const key = has(statusKey(status)) ? statusKey(status) : 'desk.status.unknown';
  return tx('span', key, { className: `desk-badge desk-badge--status desk-status--${status}`, dataset: { status } });
}

/** The procedure's slots in catalog order (every slot, so a missing paper can be asked for too). */
function slotOrder(ctx) {
  const fromCatalog = (ctx.procedure?.slots || []).map((slot) => slot.id);
  const fromApi = Object.keys(ctx.app.procedure_slots || {});
  const fromDocuments = Object.keys(ctx.app.documents || {});
  return [...new Set([...fromCatalog, ...fromApi, ...fromDocuments])];
}

function slotLabel(ctx, slot) {
  const label = ctx.app.procedure_slots?.[slot]?.label || ctx.procedure?.slots?.find((s) => s.id === slot)?.label;
  return label ? localized(label) : { text: slot, lang: null };
}

function section(titleKey, className, ...children) {
  const id = uid('desk-section');
  return el(
    'section',
    { className: `desk-panel ${className}`, 'aria-labelledby': id },
    tx('h3', titleKey, { className: 'subsection-title', id }),
    ...children,
  );
}

function row(labelKey, value, lang = null) {
  return el(
    'div',
    { className: 'desk-row' },
    tx('dt', labelKey),
    value instanceof Node ? value : el('dd', { lang }, value == null || value === '' ? '—' : String(value)),
  );
}

function factsSection(app) {
  const delivery = app.delivery || {};
  const method = delivery.method;
  const payment = app.payment_state;
  return section(
    'desk.facts_title',
    'desk-facts',
    el(
      'dl',
      { className: 'desk-list' },
      row('desk.status_label', el('dd', {}, statusBadge(app.status))),
      row('desk.due', el('dd', { className: app.overdue ? 'desk-overdue-text' : null }, dueText(app), app.overdue ? [' · ', tx('span', 'desk.overdue')] : null)),
      row('desk.submitted_at', formatDateTime(app.submitted_at)),
      row('desk.commune', app.commune_name || app.commune_code),
      row('desk.fee', formatFee(app.fee_vnd ?? 0)),
      row('desk.payment_label', has(`desk.payment.${payment}`) ? tx('dd', `desk.payment.${payment}`) : el('dd', {}, payment || '—')),
      row('desk.delivery_label', method && has(`desk.delivery.${method}`) ? tx('dd', `desk.delivery.${method}`) : el('dd', {}, method || '—')),
      method === 'post' && delivery.address ? row('desk.delivery_address', placeValue(delivery.address)) : null,
    ),
  );
}

function applicantSection(app) {
  const person = app.applicant || {};
  return section(
    'desk.applicant_title',
    'desk-applicant',
    el(
      'dl',
      { className: 'desk-list' },
      row('desk.full_name', person.full_name),
      row('desk.date_of_birth', birthDate(person.date_of_birth)),
      row('desk.citizen_id', person.citizen_id),
      person.phone ? row('desk.phone', displayPhone(person.phone)) : null,
      person.permanent_residence ? row('desk.permanent_residence', placeValue(person.permanent_residence)) : null,
      person.current_address ? row('desk.current_address', placeValue(person.current_address)) : null,
    ),
  );
}

// "12/04/1998" as on the ID card (formatDate's weekday means nothing for a birthday).
function birthDate(iso) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || '');
  return match ? `${match[3]}/${match[2]}/${match[1]}` : iso || null;
}

// An address holds codes: show them at once, then the names once the (cached) commune list is there.
function placeValue(address) {
  const value = el('dd', {}, [address.street, address.commune_code, address.province_code].filter(Boolean).join(', '));
  loadDivisions()
    .then((divisions) => {
      const commune = divisions.commune(address.commune_code);
      const province = divisions.province(commune?.provinceCode || address.province_code);
      value.textContent = [address.street, commune?.name, province?.name].filter(Boolean).join(', ');
    })
    .catch(() => {}); // offline without the list: the codes stay
  return value;
}

function answersSection(app, procedure) {
  const answers = app.answers || {};
  const ui = procedure?.form?.ui || {};
  const order = ui.order || [];
  const names = [...order.filter((name) => name in answers), ...Object.keys(answers).filter((name) => !order.includes(name))];
  if (!names.length) return null;
  return section(
    'desk.answers_title',
    'desk-answers',
    el('dl', { className: 'desk-list' }, names.map((name) => {
      const spec = ui.fields?.[name] || {};
      const label = spec.label ? localized(spec.label) : { text: name, lang: null };
      const value = answerText(spec, answers[name]);
      return el(
        'div',
        { className: 'desk-row', dataset: { answer: name } },
        el('dt', { lang: label.lang }, label.text),
        value.key ? tx('dd', value.key) : el('dd', { lang: value.lang }, value.text),
      );
    })),
  );
}

function answerText(spec, value) {
  if (spec.options?.[value]) return localized(spec.options[value]);
  if (typeof value === 'boolean') return { key: value ? 'desk.yes' : 'desk.no' };
  if (spec.widget === 'date') return { text: formatDate(value), lang: null };
  if (Array.isArray(value)) return { text: value.map((item) => (spec.options?.[item] ? localized(spec.options[item]).text : item)).join(', '), lang: null };
  return { text: value == null ? '—' : String(value), lang: null };
}

// What the citizen was asked to redo, or how the result is delivered.
function noticeSection(ctx) {
  const { app } = ctx;
  const last = (kind) => [...(app.timeline || [])].reverse().find((entry) => entry.kind === kind)?.data || null;
  if (app.status === 'supplement_requested') {
    const asked = app.supplement || last('request_supplement');
    if (!asked) return null;
    return el(
      'div',
      { className: 'notice desk-notice', role: 'note' },
      tx('p', 'desk.supplement.waiting', { className: 'notice__text desk-notice__title' }),
      el('ul', { className: 'desk-notice__slots' }, (asked.slots || []).map((slot) => {
        const label = slotLabel(ctx, slot);
        return el('li', { lang: label.lang, dataset: { slot } }, label.text);
      })),
      asked.reason ? el('p', { className: 'notice__text' }, tx('span', 'desk.reason_prefix'), ' ', asked.reason) : null,
    );
  }
  const result = app.result || (['result_ready', 'completed'].includes(app.status) ? last('mark_result_ready') : null);
  if (!result?.result) return null;
  let link = null;
  if (result.result === 'electronic' && result.url) {
    link = tx('a', 'desk.result.open_pdf', { href: result.url, target: '_blank', rel: 'noopener', className: 'button button--secondary' });
    ctx.resultLinks.push(link);
  }
  return el(
    'div',
    { className: 'notice desk-notice desk-result', role: 'note', dataset: { result: result.result } },
    tx('p', `desk.result.done_${result.result}`, { className: 'notice__text desk-notice__title' }, { tracking: result.tracking_number || '' }),
    link,
  );
}

function timelineSection(ctx) {
  const entries = ctx.app.timeline || [];
  return section(
    'desk.timeline_title',
    'desk-timeline',
    entries.length
      ? el('ol', { className: 'timeline' }, entries.map((entry) => timelineEntry(ctx, entry)))
      : tx('p', 'desk.timeline_empty', { className: 'placeholder' }),
  );
}

function timelineEntry(ctx, entry) {
  const data = entry.data || {};
  const role = entry.actor?.role;
  const who = [role && has(`desk.role.${role}`) ? t(`desk.role.${role}`) : role, entry.actor?.name].filter(Boolean).join(' · ');
  const result = data.result && has(`desk.result.kind_${data.result}`) ? t(`desk.result.kind_${data.result}`) : data.result;
  return el(
    'li',
    { className: 'timeline__item', dataset: { kind: entry.kind } },
    has(`desk.event.${entry.kind}`) ? tx('p', `desk.event.${entry.kind}`, { className: 'timeline__what' }) : el('p', { className: 'timeline__what' }, entry.kind),
    el('p', { className: 'timeline__meta' }, el('time', { datetime: entry.at }, formatDateTime(entry.at)), who ? ` · ${who}` : null),
    data.slots?.length ? el('p', { className: 'timeline__detail' }, tx('span', 'desk.slots_prefix'), ' ', data.slots.map((slot) => slotLabel(ctx, slot).text).join('; ')) : null,
    data.reason ? el('p', { className: 'timeline__detail' }, tx('span', 'desk.reason_prefix'), ' ', data.reason) : null,
    result ? el('p', { className: 'timeline__detail' }, result, data.tracking_number ? ` · ${data.tracking_number}` : null) : null,
  );
}

// --- what the officer may do -------------------------------------------------------------------------

function actionsSection(ctx, { run, ask }) {
  const names = ACTIONS.filter((name) => (ctx.app.actions || []).includes(name));
  const body = el('div', { className: 'desk-actions' });
  if (!names.length) body.append(tx('p', 'desk.no_actions', { className: 'placeholder' }));
  const forms = [];
  for (const name of names) {
    const button = tx('button', `desk.action.${name}`, {
      type: 'button',
      className: `button button--block${name === 'reject' ? ' button--secondary desk-action--danger' : ''}`,
      dataset: { action: name },
    });
    ctx.buttons.push(button);
    if (!WITH_FORM.has(name)) {
      button.addEventListener('click', () => run(name));
      body.append(button);
      continue;
    }
    const close = () => {
      form.hidden = true;
      button.setAttribute('aria-expanded', 'false');
      button.focus();
    };
    const form = actionForm(ctx, name, { run, ask, close });
    form.hidden = true;
    form.id = uid('desk-form');
    forms.push(form);
    button.setAttribute('aria-expanded', 'false');
    button.setAttribute('aria-controls', form.id);
    button.addEventListener('click', () => {
      const opening = form.hidden;
      for (const other of forms) other.hidden = true;
      for (const other of body.querySelectorAll('[aria-expanded]')) other.setAttribute('aria-expanded', 'false');
      form.hidden = !opening;
      button.setAttribute('aria-expanded', String(opening));
      if (opening) form.querySelector('input, textarea')?.focus();
    });
    body.append(button, form);
  }
  return section('desk.actions_title', 'desk-actions-panel', body);
}

function actionForm(ctx, name, handlers) {
  if (name === 'request_supplement') return supplementForm(ctx, handlers);
  if (name === 'reject') return rejectForm(ctx, handlers);
  return resultForm(ctx, handlers);
}

function formShell(action, children, submitKey, close, danger = false) {
  const submit = tx('button', submitKey, {
    type: 'submit', className: `button button--block${danger ? ' button--danger' : ''}`,
  });
  const cancel = tx('button', 'desk.cancel', { type: 'button', className: 'button button--secondary button--block' });
  cancel.addEventListener('click', close);
  return el(
    'form',
    { className: 'form desk-form', novalidate: true, dataset: { form: action } },
    children,
    el('div', { className: 'desk-form__buttons' }, submit, cancel),
  );
}

function reasonField(labelKey, hintKey) {
  const control = el('textarea', {
    className: 'input desk-textarea', id: uid('reason'), name: 'reason', rows: '3', maxlength: String(REASON_MAX),
  });
  return { control, element: field({ path: 'reason', label: labelKey, hint: hintKey, control }) };
}

function reasonProblem(text) {
  if (!text) return 'desk.reason_required';
  return text.length < REASON_MIN ? 'desk.reason_too_short' : null;
}

function showServerFieldErrors(form, fields = {}) {
  const keyed = Object.fromEntries(Object.entries(fields || {}).map(([path, code]) => [path, FIELD_TEXTS[`${path}.${code}`] || code]));
  return showFieldErrors(form, keyed);
}

function showLocalErrors(form, problems) {
  const found = Object.entries(problems).filter(([, key]) => key);
  if (!found.length) return false;
  showFieldErrors(form, Object.fromEntries(found));
  form.querySelector('[aria-invalid="true"], .field-group:has(.field__error:not([hidden])) input')?.focus();
  return true;
}

function supplementForm(ctx, { run, close }) {
  const choices = slotOrder(ctx).map((slot) => {
    const label = slotLabel(ctx, slot);
    const count = (ctx.app.documents?.[slot] || []).length;
    const hint = el('span', { className: 'desk-choice__hint' });
    if (count) setText(hint, 'desk.supplement.pages', { count }, true);
    else setText(hint, 'desk.supplement.no_pages');
    return el(
      'label',
      { className: 'desk-choice', dataset: { slot } },
      el('input', { type: 'checkbox', className: 'desk-choice__input', name: 'slots', value: slot }),
      el('span', { className: 'desk-choice__mark desk-choice__mark--box', 'aria-hidden': 'true' }),
      el('span', { className: 'desk-choice__text' }, el('span', { className: 'desk-choice__title', lang: label.lang }, label.text), hint),
    );
  });
  const reason = reasonField('desk.supplement.reason_label', 'desk.supplement.reason_hint');
  const form = formShell('request_supplement', [
    fieldGroup({
      path: 'slots', legend: 'desk.supplement.slots_legend', hint: 'desk.supplement.slots_hint',
      children: el('div', { className: 'desk-choices' }, choices),
    }),
    reason.element,
  ], 'desk.supplement.submit', close);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const slots = [...form.querySelectorAll('input[name="slots"]:checked')].map((box) => box.value);
    const text = reason.control.value.trim();
    if (showLocalErrors(form, { slots: slots.length ? null : 'desk.supplement.slots_required', reason: reasonProblem(text) })) return;
    run('request_supplement', { slots, reason: text }, form);
  });
  return form;
}

function rejectForm(ctx, { run, ask, close }) {
  const reason = reasonField('desk.reject.reason_label', 'desk.reject.reason_hint');
  const form = formShell('reject', [reason.element], 'desk.reject.submit', close, true);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const text = reason.control.value.trim();
    if (showLocalErrors(form, { reason: reasonProblem(text) })) return;
    ask({
      title: 'desk.reject.confirm_title',
      text: 'desk.reject.confirm_text',
      confirm: 'desk.reject.confirm',
      params: { code: ctx.app.code },
      onConfirm: () => run('reject', { reason: text }, form),
    });
  });
  return form;
}

function resultForm(ctx, { run, close }) {
  const offered = ctx.procedure?.result_kinds?.length ? RESULT_KINDS.filter((kind) => ctx.procedure.result_kinds.includes(kind)) : RESULT_KINDS;
  const chosenByCitizen = ctx.app.delivery?.method;
  const initial = offered.includes(chosenByCitizen) ? chosenByCitizen : offered[0];
  const group = uid('result');
  const radios = offered.map((kind) => el(
    'label',
    { className: 'desk-choice', dataset: { result: kind } },
    el('input', { type: 'radio', className: 'desk-choice__input', name: group, value: kind, checked: kind === initial }),
    el('span', { className: 'desk-choice__mark', 'aria-hidden': 'true' }),
    el(
      'span',
      { className: 'desk-choice__text' },
      tx('span', `desk.result.kind_${kind}`, { className: 'desk-choice__title' }),
      tx('span', `desk.result.kind_${kind}_hint`, { className: 'desk-choice__hint' }),
    ),
  ));
  const tracking = el('input', {
    className: 'input', id: uid('tracking'), name: 'tracking_number', autocomplete: 'off', maxlength: '40', spellcheck: 'false',
  });
  const trackingField = field({ path: 'tracking_number', label: 'desk.result.tracking_label', hint: 'desk.result.tracking_hint', control: tracking });
  const file = el('input', { className: 'input desk-file', id: uid('file'), type: 'file', name: 'file', accept: `${PDF},.pdf` });
  const fileField = field({ path: 'document_id', label: 'desk.result.file_label', hint: 'desk.result.file_hint', control: file });
  const progress = el('progress', { className: 'desk-progress', max: '100', value: '0', hidden: true });
  fileField.append(progress);
  const form = formShell('mark_result_ready', [
    fieldGroup({ path: 'result', legend: 'desk.result.kind_legend', children: el('div', { className: 'desk-choices' }, radios) }),
    trackingField,
    fileField,
  ], 'desk.result.submit', close);
  const kind = () => form.querySelector(`input[name="${group}"]:checked`)?.value;
  const showFields = () => {
    trackingField.hidden = kind() !== 'post';
    fileField.hidden = kind() !== 'electronic';
  };
  form.addEventListener('change', showFields);
  showFields();

  let uploaded = null; // {file, documentId}: a retry after a failed action does not upload again
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (ctx.busy) return;
    clearFieldErrors(form);
    const chosen = kind();
    if (chosen === 'post') {
      const number = tracking.value.trim();
      if (showLocalErrors(form, { tracking_number: TRACKING.test(number) ? null : (number ? 'desk.result.tracking_invalid' : 'desk.result.tracking_required') })) return;
      run('mark_result_ready', { result: 'post', tracking_number: number }, form);
      return;
    }
    if (chosen !== 'electronic') {
      run('mark_result_ready', { result: chosen }, form);
      return;
    }
    const pdf = file.files?.[0];
    if (showLocalErrors(form, { document_id: pdfProblem(pdf) })) return;
    if (uploaded?.file !== pdf) {
      const submit = form.querySelector('button[type="submit"]');
      ctx.busy = true;
      setBusy(submit, true);
      try {
        uploaded = { file: pdf, documentId: await uploadResult(ctx.app.code, pdf, progress) };
      } catch (problem) {
        if (problem.status !== 401) showFieldError(fileField, problem.code === 'validation_failed' ? 'desk.result.file_refused' : errorKey(problem));
        file.focus();
        return;
      } finally {
        ctx.busy = false;
        setBusy(submit, false);
      }
    }
    // A refused or lost upload is sent again next time, even for the same file.
    if (!(await run('mark_result_ready', { result: 'electronic', document_id: uploaded.documentId }, form))) uploaded = null;
  });
  return form;
}

function pdfProblem(file) {
  if (!file) return 'desk.result.file_required';
  const looksPdf = file.type === PDF || (!file.type && /\.pdf$/i.test(file.name));
  if (!looksPdf) return 'errors.upload_type_not_allowed';
  return file.size > 0 ? null : 'errors.upload_corrupt';
}

// createResultUpload, then the file straight to the bucket (another origin: no cookies) with progress.
async function uploadResult(code, file, progress) {
  const { data } = await sendJson('POST', apiPath(code, '/result-upload'), { size: file.size });
  progress.hidden = false;
  progress.value = 0;
  await postToBucket(data.upload, file, (fraction) => {
    progress.value = Math.round(fraction * 100);
  });
  return data.document_id;
}

function postToBucket(upload, file, onProgress) {
  const form = new FormData();
  for (const [name, value] of Object.entries(upload?.fields || {})) form.append(name, value);
  form.append('file', file.type === PDF ? file : new Blob([file], { type: PDF }), 'result.pdf');
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', upload.url);
    xhr.withCredentials = false;
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve();
      } else {
        reject(new ApiError('upload_failed', xhr.status));
      }
    };
    xhr.onerror = () => reject(new ApiError('network'));
    xhr.send(form);
  });
}

// A modal "are you sure?" for what cannot be undone (a rejection).
function confirmDialog() {
  const titleId = uid('desk-confirm');
  const title = el('h3', { className: 'subsection-title', id: titleId });
  const text = el('p', { className: 'desk-dialog__text' });
  const yes = el('button', { type: 'button', className: 'button button--danger' });
  const no = tx('button', 'desk.back_to_form', { type: 'button', className: 'button button--secondary' });
  const element = el(
    'dialog',
    { className: 'desk-dialog', 'aria-labelledby': titleId },
    title,
    text,
    el('div', { className: 'desk-dialog__buttons' }, no, yes),
  );
  let onConfirm = null;
  yes.addEventListener('click', () => {
    element.close();
    const action = onConfirm;
    onConfirm = null;
    action?.();
  });
  no.addEventListener('click', () => element.close());
  return {
    element,
    open({ title: titleKey, text: textKey, confirm, params = {}, onConfirm: action }) {
      setText(title, titleKey, params);
      setText(text, textKey, params);
      setText(yes, confirm, params);
      onConfirm = action;
      element.showModal();
      no.focus();
    },
  };
}
