// One complaint as its citizen follows it (/feedback?code=, where its notices open): the state, who has
// it and until when, what was written, the answer with its PDF, and "Đồng ý với trả lời" or, once,
// "Chưa đồng ý — gửi lại" with a reason; then every step on its timeline.

import { errorKey, sendJson } from '../api.js';
import { el, setText, tx } from '../dom.js';
import { field, messageLine, setBusy, showFieldErrors, uid } from '../form.js';
import { queryParam } from '../router.js';
import {
  answerBox, apiPath, contentBox, mountLoaded, REASON_MAX, stateBox, statusLine, timelineBox,
} from './shared.js';

/** Show the complaint of ?code= in `container`; returns its cleanup. */
export function mountComplaint(container) {
  const code = queryParam('code');
  if (!code) {
    container.replaceChildren(el('section', { className: 'screen' },
      tx('p', 'complaints.no_code', { className: 'placeholder', role: 'alert' }),
      tx('a', 'complaints.mine_link', { href: '/feedback/mine', className: 'button button--block' })));
    return () => {};
  }
  return mountLoaded(container, code, show);
}

function show(screen, item, notice = null) {
  if (screen.left) return;
  const status = statusLine(notice);
  screen.container.replaceChildren(el(
    'section',
    { className: 'screen complaint', dataset: { code: item.code, state: item.state } },
    tx('h2', 'complaints.title', { className: 'screen__title' }, { code: item.code }),
    item.application_code ? tx('a', 'complaints.about_application', {
      href: `/application?code=${encodeURIComponent(item.application_code)}`, className: 'button button--secondary button--block',
    }, { code: item.application_code }) : null,
    status,
    stateBox(item),
    answerBox(item),
    decisionBox(screen, item),
    contentBox(item),
    timelineBox(item),
    tx('a', 'complaints.mine_link', { href: '/feedback/mine', className: 'button button--secondary button--block' }),
  ));
  if (notice) status.focus();
}

// The two answers to an answer: accept it, or (once) send it back with a reason.
function decisionBox(screen, item) {
  const actions = item.actions || [];
  if (!actions.includes('accept') && !actions.includes('reopen')) return null;
  const message = messageLine('error');
  const accept = tx('button', 'complaints.accept', { type: 'button', className: 'button button--large button--block', dataset: { action: 'accept' } });
  accept.addEventListener('click', () => act(screen, accept, message, '/accept', {}, 'complaints.accepted_now'));
  const reopen = actions.includes('reopen') ? reopenPart(screen, message) : null;
  return el('section', { className: 'complaint-decision' }, accept, reopen, message);
}

function reopenPart(screen, message) {
  const open = tx('button', 'complaints.reopen', { type: 'button', className: 'button button--secondary button--block', dataset: { action: 'reopen' } });
  const reason = el('textarea', {
    className: 'input input--textarea', id: uid('reopen-reason'), name: 'reason', rows: '3', maxlength: String(REASON_MAX),
  });
  const submit = tx('button', 'complaints.reopen_submit', { type: 'submit', className: 'button button--block' });
  const cancel = tx('button', 'complaints.cancel', { type: 'button', className: 'button button--secondary button--block' });
  const form = el(
    'form',
    { className: 'form complaint-reopen', novalidate: true, hidden: true, dataset: { form: 'reopen' } },
    tx('p', 'complaints.reopen_once', { className: 'note' }),
    field({ path: 'reason', label: 'complaints.reopen_label', hint: 'complaints.reopen_hint', control: reason }),
    submit,
    cancel,
  );
  open.addEventListener('click', () => {
    open.hidden = true;
    form.hidden = false;
    reason.focus();
  });
  cancel.addEventListener('click', () => {
    form.hidden = true;
    open.hidden = false;
    open.focus();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = reason.value.trim();
    if (!text) {
      showFieldErrors(form, { reason: 'complaints.reopen_required' });
      reason.focus();
      return;
    }
    act(screen, submit, message, '/reopen', { reason: text }, 'complaints.reopened_now', form);
  });
  return el('div', {}, open, form);
}

async function act(screen, button, message, suffix, body, doneKey, form = null) {
  setBusy(button, true);
  message.hidden = true;
  try {
    const { data } = await sendJson('POST', apiPath(screen.code, suffix), body);
    show(screen, data, doneKey);
  } catch (problem) {
    if (problem?.status === 401) return;
    if (form && problem?.code === 'validation_failed') showFieldErrors(form, problem.details?.fields);
    setText(message, errorKey(problem));
    setBusy(button, false);
  }
}
