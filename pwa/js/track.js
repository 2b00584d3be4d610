// "Tra cứu hồ sơ", open to anyone: the application code and the last four digits of the applicant's phone
// give the status and the due date, nothing personal. The server limits tries per address and per code.

import { ApiError, errorKey, getJson } from './api.js';
import { clearText, el, setText, tx } from './dom.js';
import { clearFieldErrors, field, input, messageLine, setBusy, showFieldErrors } from './form.js';
import { formatDate } from './format.js';
import { has, localized } from './i18n.js';
import { queryParam } from './router.js';

const PATH = '/api/status/track';

/** Show the lookup form in `container` (the code may come in ?code=); returns its cleanup. */
export function mountTrack(container) {
  let live = true;
  const code = input({ name: 'code', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', value: queryParam('code') || '' });
  const phone = input({ name: 'phone', inputmode: 'numeric', autocomplete: 'off', maxlength: 4, pattern: '[0-9]{4}' });
  const submit = tx('button', 'track.submit', { type: 'submit', className: 'button button--block' });
  const message = messageLine('error');
  const answer = el('div', { className: 'track__answer', 'aria-live': 'polite' });
  const form = el(
    'form',
    { className: 'form', novalidate: true },
    field({ path: 'code', label: 'track.code', hint: 'track.code_hint', control: code }),
    field({ path: 'phone', label: 'track.phone', hint: 'track.phone_hint', control: phone }),
    message,
    submit,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    clearText(message);
    answer.replaceChildren();
    setBusy(submit, true);
    setText(submit, 'track.searching');
    try {
      const query = new URLSearchParams({ code: code.value.trim().toUpperCase(), phone: phone.value.trim() });
      const { data } = await getJson(`${PATH}?${query}`);
      if (live) answer.replaceChildren(result(data));
    } catch (error) {
      if (live) refusal(error, form, message);
    } finally {
      setBusy(submit, false);
      setText(submit, 'track.submit');
    }
  });
  container.replaceChildren(el(
    'section',
    { className: 'screen track' },
    tx('h2', 'track.title', { className: 'screen__title' }),
    tx('p', 'track.lead', { className: 'screen__lead' }),
    form,
    answer,
  ));
  return () => {
    live = false;
  };
}

function refusal(error, form, message) {
  if (error instanceof ApiError && error.code === 'not_found') {
    setText(message, 'track.not_found');
  } else if (error instanceof ApiError && error.code === 'rate_limited') {
    const seconds = Number(error.details?.retry_after) || 3600;
    setText(message, 'track.rate_limited', { minutes: Math.max(1, Math.ceil(seconds / 60)) });
  } else if (error instanceof ApiError && error.details?.fields) {
    const first = showFieldErrors(form, error.details.fields);
    first?.focus();
  } else {
    setText(message, errorKey(error));
  }
}

function result(data) {
  const name = localized(data.procedure_name || {});
  const state = has(`case.state.${data.status}`) ? data.status : 'unknown';
  return el(
    'article',
    { className: 'track__result', dataset: { code: data.code, status: data.status } },
    tx('h3', 'track.result_title', { className: 'subsection-title' }, { code: data.code }),
    name.text ? el('p', { className: 'case__procedure', lang: name.lang }, name.text) : null,
    el(
      'dl',
      { className: 'summary__list' },
      el('div', { className: 'summary__row' }, tx('dt', 'track.state'), tx('dd', `case.state.${state}`, { className: 'track__state' })),
      el('div', { className: 'summary__row' }, tx('dt', 'track.due_date'), el('dd', { dataset: { dueDate: data.due_date } }, formatDate(data.due_date))),
    ),
    data.overdue ? tx('p', 'case.overdue', { className: 'case__overdue' }) : null,
    tx('p', 'track.sign_in_hint', { className: 'note' }),
  );
}
