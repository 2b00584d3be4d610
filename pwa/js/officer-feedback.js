// The officer console's application screen, the part about the citizen's side of the service: the apology
// a late application owes before any other step ("Phiếu xin lỗi và hẹn lại ngày trả kết quả": a reason and a
// new date in working days), the apology once given, the wait for the fee before the result can be released,
// and the citizen's rating of a settled application. Used by officer-application.js.

import { el, tx } from './dom.js';
import { clearFieldErrors, field, showFieldErrors, uid } from './form.js';
import { formatDay } from './format.js';
import { t } from './i18n.js';
import { section } from './officer-details.js';

const REASON_MIN = 3;
const REASON_MAX = 1000;
const DAYS_MIN = 1;
const DAYS_MAX = 30;
// Fee states under which the result may be released (the lifecycle's PAID_STATES).
const PAID = new Set(['paid', 'not_required']);
const LEVELS = [5, 4, 3, 2, 1];

/**
 * The apology panel: while one is owed, why and the form (`send(body, form)` posts it and draws the screen
 * again); once given, the new date and the reason. Null when neither applies.
 */
export function apologySection(ctx, { send }) {
  const { app } = ctx;
  if (app.apology_required) {
    return section('desk.apology.title', 'desk-apology', tx('p', 'desk.apology.owed', { className: 'notice__text' }), apologyForm(send));
  }
  if (!app.apology) return null;
  return el(
    'div',
    { className: 'notice desk-notice desk-apology-given', role: 'note' },
    tx('p', 'desk.apology.given', { className: 'notice__text desk-notice__title' }, { date: formatDay(app.apology.new_due_date) }),
    el('p', { className: 'notice__text' }, tx('span', 'desk.reason_prefix'), ' ', app.apology.reason),
  );
}

function apologyForm(send) {
  const reason = el('textarea', {
    className: 'input input--textarea', id: uid('apology-reason'), name: 'reason', rows: '3', maxlength: String(REASON_MAX),
  });
  const days = el('input', {
    className: 'input desk-days', id: uid('apology-days'), name: 'working_days', type: 'number', inputmode: 'numeric',
    min: String(DAYS_MIN), max: String(DAYS_MAX), step: '1', value: '3',
  });
  const submit = tx('button', 'desk.apology.submit', { type: 'submit', className: 'button button--block' });
  const form = el(
    'form',
    { className: 'form desk-form', novalidate: true, dataset: { form: 'apology' } },
    field({ path: 'reason', label: 'desk.apology.reason_label', hint: 'desk.apology.reason_hint', control: reason }),
    field({ path: 'working_days', label: 'desk.apology.days_label', hint: 'desk.apology.days_hint', control: days }),
    el('div', { className: 'desk-form__buttons' }, submit),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const text = reason.value.trim();
    const count = Number(days.value);
    const problems = {
      reason: !text ? 'desk.reason_required' : text.length < REASON_MIN ? 'desk.reason_too_short' : null,
      working_days: Number.isInteger(count) && count >= DAYS_MIN && count <= DAYS_MAX ? null : 'desk.apology.days_invalid',
    };
    const found = Object.entries(problems).filter(([, key]) => key);
    if (found.length) {
      showFieldErrors(form, Object.fromEntries(found))?.focus();
      return;
    }
    send({ reason: text, working_days: count }, form);
  });
  return form;
}

/** One line while an approved application waits for its fee before the result can be released; else null. */
export function paymentWaitNote(app) {
  if (app.status !== 'approved' || !(app.fee_vnd > 0) || PAID.has(app.payment_state)) return null;
  return tx('p', 'desk.payment_wait', { className: 'notice desk-notice desk-payment-wait', role: 'note' });
}

/** The citizen's rating (level in words and reasons), or null before they give one. */
export function ratingSection(app) {
  const rating = app.rating;
  if (!rating || !LEVELS.includes(rating.level)) return null;
  const reasons = (rating.reasons || []).map((reason) => t(`desk.rating.reason.${reason}`));
  return section(
    'desk.rating.title',
    'desk-rating',
    el(
      'dl',
      { className: 'desk-list' },
      el('div', { className: 'desk-row' }, tx('dt', 'desk.rating.level_label'),
        tx('dd', `desk.rating.level.${rating.level}`, { dataset: { level: String(rating.level) } })),
      reasons.length ? el('div', { className: 'desk-row' }, tx('dt', 'desk.rating.reasons_label'), el('dd', {}, reasons.join(', '))) : null,
      rating.other ? el('div', { className: 'desk-row' }, tx('dt', 'desk.rating.other_label'), el('dd', {}, rating.other)) : null,
    ),
  );
}
