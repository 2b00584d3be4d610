// The citizen's side of the feedback loop on the progress screen (js/application.js): the commune's apology
// letter for a late application ("Hẹn lại: <ngày>" with the reason), and the card that asks how the handling
// went once the application is settled (five levels, optional reasons), which may be changed for 7 days.

import { errorKey } from './api.js';
import { el, setText, tx } from './dom.js';
import { field, fieldGroup, messageLine, setBusy, showFieldErrors, uid } from './form.js';
import { formatDay } from './format.js';
import { t } from './i18n.js';

// Levels as the card lists them: the best first.
const LEVELS = [5, 4, 3, 2, 1];
// The reasons the server knows (functions/core/domain/rating.py REASONS), in the order shown.
const REASONS = ['easy', 'staff_attitude', 'time_taken', 'information_found', 'cost', 'other'];
const RATABLE = new Set(['completed', 'rejected', 'withdrawn']);
const CHANGE_DAYS = 7;
const DAY_MS = 86_400_000;
const OTHER_MAX = 500;

/** The apology letter with the new date and the reason, or null when the commune owed none. */
export function apologyBox(app) {
  const letter = app.apology;
  if (!letter) return null;
  return el(
    'section',
    { className: 'case__apology', 'aria-labelledby': 'case-apology-title' },
    tx('h3', 'case.apology.title', { className: 'subsection-title', id: 'case-apology-title' }),
    tx('p', 'case.apology.lead', {}),
    tx('p', 'case.apology.new_date', { className: 'case__apology-date' }, { date: formatDay(letter.new_due_date) }),
    tx('p', 'case.timeline_reason', { className: 'case__apology-reason' }, { reason: letter.reason }),
  );
}

/** Whether a rating given at `firstRatedAt` may still be changed now. */
function changeable(firstRatedAt) {
  const first = Date.parse(firstRatedAt || '');
  return Number.isNaN(first) || Date.now() < first + CHANGE_DAYS * DAY_MS;
}

/**
 * The rating card of a settled application: the question and form before a rating, the thanks (and a way to
 * change it for 7 days) after. `send(body)` PUTs the rating and draws the screen again; it rejects with the
 * API's error. Null when the application is not settled, or its rating can no longer change.
 */
export function ratingCard(app, send) {
  if (!RATABLE.has(app.status)) return null;
  const given = app.rating;
  const open = !given || changeable(given.first_rated_at);
  if (!given) return ratingShell(ratingForm(null, send));
  const thanks = el(
    'div',
    { className: 'case-rate__thanks' },
    tx('p', 'case.rating.thanks', { className: 'case-rate__title', role: 'status' }),
    tx('p', 'case.rating.your_level', { className: 'case-rate__level', dataset: { level: String(given.level) } },
      { level: t(`case.rating.level.${given.level}`) }),
  );
  if (!open) return ratingShell(thanks);
  const change = tx('button', 'case.rating.change', { type: 'button', className: 'button button--secondary button--block' });
  const form = ratingForm(given, send);
  form.hidden = true;
  change.addEventListener('click', () => {
    change.hidden = true;
    form.hidden = false;
    form.querySelector('input:checked, input')?.focus();
  });
  thanks.append(change);
  return ratingShell(thanks, form);
}

function ratingShell(...children) {
  return el('section', { className: 'case-rate', 'aria-labelledby': 'case-rate-title' },
    tx('h3', 'case.rating.title', { className: 'subsection-title', id: 'case-rate-title' }), children);
}

function choice(type, name, value, titleKey, checked) {
  return el(
    'label',
    { className: 'choice', dataset: { value: String(value) } },
    el('input', { type, className: 'choice__input', name, value: String(value), checked }),
    el('span', { className: `choice__mark${type === 'checkbox' ? ' choice__mark--box' : ''}`, 'aria-hidden': 'true' }),
    el('span', { className: 'choice__text' }, tx('span', titleKey, { className: 'choice__title' })),
  );
}

function ratingForm(given, send) {
  const group = uid('rate-level');
  const chosen = new Set(given?.reasons || []);
  const other = el('textarea', {
    className: 'input input--textarea', id: uid('rate-other'), name: 'other', rows: '2', maxlength: String(OTHER_MAX),
  });
  other.value = given?.other || '';
  const otherField = field({ path: 'other', label: 'case.rating.other_label', control: other });
  const message = messageLine('error');
  const submit = tx('button', 'case.rating.submit', { type: 'submit', className: 'button button--block' });
  const form = el(
    'form',
    { className: 'form case-rate__form', novalidate: true },
    fieldGroup({ path: 'level', legend: 'case.rating.question', children: el('div', { className: 'choices' },
      LEVELS.map((level) => choice('radio', group, level, `case.rating.level.${level}`, given?.level === level))) }),
    fieldGroup({ path: 'reasons', legend: 'case.rating.reasons_legend', hint: 'case.rating.reasons_hint',
      children: el('div', { className: 'choices' },
        REASONS.map((reason) => choice('checkbox', 'reasons', reason, `case.rating.reason.${reason}`, chosen.has(reason)))) }),
    otherField,
    message,
    submit,
  );
  const showOther = () => {
    otherField.hidden = !form.querySelector('input[name="reasons"][value="other"]').checked;
  };
  form.addEventListener('change', showOther);
  showOther();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    for (const error of form.querySelectorAll('.field__error')) error.hidden = true;
    message.hidden = true;
    const level = Number(form.querySelector(`input[name="${group}"]:checked`)?.value || 0);
    const reasons = [...form.querySelectorAll('input[name="reasons"]:checked')].map((box) => box.value);
    const text = other.value.trim();
    const problems = {};
    if (!level) problems.level = 'case.rating.level_required';
    if (reasons.includes('other') && !text) problems.other = 'case.rating.other_required';
    if (Object.keys(problems).length) {
      (showFieldErrors(form, problems) || form.querySelector('input'))?.focus();
      return;
    }
    setBusy(submit, true);
    try {
      await send({ level, reasons, ...(reasons.includes('other') ? { other: text } : {}) });
    } catch (problem) {
      if (problem?.status === 401) return;
      if (problem?.code === 'validation_failed') showFieldErrors(form, problem.details?.fields);
      setText(message, errorKey(problem));
      setBusy(submit, false);
    }
  });
  return form;
}
