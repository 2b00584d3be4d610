// The officer console's application screen, the part that acts on it: a button per action the API
// offers, with a form for those that need more (the slots and reason of a supplement request, the reason
// of a rejection and its confirmation dialog, the kind of result with its tracking number or PDF upload).
// The screen (officer-application.js) sends the action itself and shows what came of it.

import { ApiError, errorKey, sendJson } from './api.js';
import { el, setText, tx } from './dom.js';
import { clearFieldErrors, field, fieldGroup, setBusy, showFieldError, showFieldErrors, uid } from './form.js';
import { section, slotLabel, slotOrder } from './officer-details.js';

const API = '/api/status/applications/';
// The order the officer sees them in: the next step first, the way back (a supplement) and the end after.
const ACTIONS = ['accept', 'start_review', 'approve', 'request_supplement', 'mark_result_ready', 'complete', 'reject'];
const WITH_FORM = new Set(['request_supplement', 'reject', 'mark_result_ready']);
const RESULT_KINDS = ['post', 'pickup', 'electronic'];
const PDF = 'application/pdf';
const REASON_MIN = 3;
const REASON_MAX = 1000;
const TRACKING = /^.{6,40}$/;

/** The status API's address of application `code`, plus `suffix` (e.g. '/actions'). */
export function apiPath(code, suffix = '') {
  return `${API}${encodeURIComponent(code)}${suffix}`;
}

/**
 * The actions panel: `run(action, extra, form)` sends an action, `ask(options)` opens the confirmation
 * dialog. Every button is added to `ctx.buttons` so the screen can mark them busy.
 */
export function actionsSection(ctx, { run, ask }) {
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
    className: 'input input--textarea', id: uid('reason'), name: 'reason', rows: '3', maxlength: String(REASON_MAX),
  });
  return { control, element: field({ path: 'reason', label: labelKey, hint: hintKey, control }) };
}

function reasonProblem(text) {
  if (!text) return 'desk.reason_required';
  return text.length < REASON_MIN ? 'desk.reason_too_short' : null;
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
    const hint = el('span', { className: 'choice__hint' });
    if (count) setText(hint, 'desk.supplement.pages', { count }, true);
    else setText(hint, 'desk.supplement.no_pages');
    return el(
      'label',
      { className: 'choice', dataset: { slot } },
      el('input', { type: 'checkbox', className: 'choice__input', name: 'slots', value: slot }),
      el('span', { className: 'choice__mark choice__mark--box', 'aria-hidden': 'true' }),
      el('span', { className: 'choice__text' }, el('span', { className: 'choice__title', lang: label.lang }, label.text), hint),
    );
  });
  const reason = reasonField('desk.supplement.reason_label', 'desk.supplement.reason_hint');
  const form = formShell('request_supplement', [
    fieldGroup({
      path: 'slots', legend: 'desk.supplement.slots_legend', hint: 'desk.supplement.slots_hint',
      children: el('div', { className: 'choices' }, choices),
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
    { className: 'choice', dataset: { result: kind } },
    el('input', { type: 'radio', className: 'choice__input', name: group, value: kind, checked: kind === initial }),
    el('span', { className: 'choice__mark', 'aria-hidden': 'true' }),
    el(
      'span',
      { className: 'choice__text' },
      tx('span', `desk.result.kind_${kind}`, { className: 'choice__title' }),
      tx('span', `desk.result.kind_${kind}_hint`, { className: 'choice__hint' }),
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
    fieldGroup({ path: 'result', legend: 'desk.result.kind_legend', children: el('div', { className: 'choices' }, radios) }),
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
        uploaded = { file: pdf, documentId: await uploadResult(apiPath(ctx.app.code, '/result-upload'), pdf, progress) };
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

/** Why `file` cannot be a result PDF (a translation key), or null. */
export function pdfProblem(file) {
  if (!file) return 'desk.result.file_required';
  const looksPdf = file.type === PDF || (!file.type && /\.pdf$/i.test(file.name));
  if (!looksPdf) return 'errors.upload_type_not_allowed';
  return file.size > 0 ? null : 'errors.upload_corrupt';
}

/**
 * The result gate's upload at `path` (createResultUpload, or a complaint's createFeedbackResultUpload), then
 * the file straight to the bucket (another origin: no cookies) with progress; resolves to the document id.
 */
export async function uploadResult(path, file, progress) {
  const { data } = await sendJson('POST', path, { size: file.size });
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

/** A modal "are you sure?" for what cannot be undone (a rejection); returns `{ element, open(options) }`. */
export function confirmDialog() {
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
