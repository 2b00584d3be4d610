// The officer console's complaints ("Phản ánh"): the queue at the caller's level (officerFeedbackQueue:
// the commune's officers, its supervisor once a complaint escalates, the admin last), overdue first and
// marked; and one complaint with the answer form (text, and an optional PDF through the result gate,
// as the officer uploads an application's result: js/officer-actions.js).

import { errorKey, getJson, sendJson } from '../api.js';
import { el, setText, tx } from '../dom.js';
import { clearFieldErrors, field, messageLine, setBusy, showFieldError, showFieldErrors, uid } from '../form.js';
import { pdfProblem, uploadResult } from '../officer-actions.js';
import { loadThenRender } from '../panels.js';
import { queryParam } from '../router.js';
import { complaintCard } from './mine.js';
import {
  answerBox, apiPath, contentBox, levelName, mountLoaded, stateBox, statusLine, TEXT_MAX, timelineBox,
} from './shared.js';

const QUEUE = '/api/status/officer/feedback';

function itemHref(code) {
  return `/officer/feedback/item?code=${encodeURIComponent(code)}`;
}

/** The queue in `container`; returns its cleanup. */
export function mountOfficerComplaints(container) {
  const list = el('div');
  const level = el('p', { className: 'screen__lead complaint-queue__level', hidden: true });
  container.replaceChildren(el(
    'section',
    { className: 'screen complaint-queue' },
    tx('h2', 'complaints.officer.queue_title', { className: 'screen__title' }),
    tx('p', 'complaints.officer.queue_lead', { className: 'screen__lead' }),
    level,
    list,
    tx('a', 'officer.title', { href: '/officer', className: 'button button--secondary button--block' }),
  ));
  return loadThenRender(list, async () => (await getJson(QUEUE)).data, (data) => {
    setText(level, 'complaints.officer.queue_level', { who: levelName(data.level) });
    level.dataset.level = data.level;
    const items = data.complaints || [];
    list.replaceChildren(items.length
      ? el('ul', { className: 'card-list' }, items.map((item) => el('li', {},
        complaintCard(item, itemHref(item.code), { overdueKey: 'complaints.officer.overdue' }))))
      : tx('p', 'complaints.officer.queue_empty', { className: 'placeholder' }));
  });
}

/** One complaint for the officer (?code=) in `container`; returns its cleanup. */
export function mountOfficerComplaint(container) {
  return mountLoaded(container, queryParam('code') || '', show);
}

function show(screen, item, notice = null) {
  if (screen.left) return;
  const status = statusLine(notice);
  const about = item.application_code
    ? tx('a', 'complaints.officer.about_application', {
      href: `/officer/application?code=${encodeURIComponent(item.application_code)}`, className: 'button button--secondary button--block',
    }, { code: item.application_code })
    : tx('p', 'complaints.officer.general', { className: 'screen__lead' });
  screen.container.replaceChildren(el(
    'section',
    { className: 'screen complaint complaint--officer', dataset: { code: item.code, state: item.state } },
    tx('h2', 'complaints.title', { className: 'screen__title' }, { code: item.code }),
    about,
    status,
    stateBox(item),
    contentBox(item),
    (item.actions || []).includes('answer') ? answerForm(screen, item)
      : tx('p', 'complaints.officer.no_action', { className: 'placeholder' }),
    answerBox(item),
    timelineBox(item),
    tx('a', 'complaints.officer.back', { href: '/officer/feedback', className: 'button button--secondary button--block' }),
  ));
  if (notice) status.focus();
}

function answerForm(screen, item) {
  const text = el('textarea', {
    className: 'input input--textarea', id: uid('answer'), name: 'text', rows: '5', maxlength: String(TEXT_MAX),
  });
  const file = el('input', { className: 'input desk-file', id: uid('answer-file'), type: 'file', name: 'file', accept: 'application/pdf,.pdf' });
  const fileField = field({ path: 'result_document_id', label: 'complaints.officer.file_label', hint: 'complaints.officer.file_hint', control: file });
  const progress = el('progress', { className: 'desk-progress', max: '100', value: '0', hidden: true });
  fileField.append(progress);
  const message = messageLine('error');
  const submit = tx('button', 'complaints.officer.submit', { type: 'submit', className: 'button button--block' });
  const form = el(
    'form',
    { className: 'form desk-form complaint-answer-form', novalidate: true, dataset: { form: 'answer' } },
    tx('h3', 'complaints.officer.answer_title', { className: 'subsection-title' }),
    field({ path: 'text', label: 'complaints.officer.answer_label', hint: 'complaints.officer.answer_hint', control: text }),
    fileField,
    message,
    submit,
  );
  let uploaded = null; // {file, documentId}: a retry after a refused answer does not upload the same file again
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    message.hidden = true;
    const answer = text.value.trim();
    const pdf = file.files?.[0] || null;
    if (!answer) {
      showFieldErrors(form, { text: 'complaints.officer.answer_required' });
      text.focus();
      return;
    }
    const bad = pdf ? pdfProblem(pdf) : null;
    if (bad) {
      showFieldError(fileField, bad);
      file.focus();
      return;
    }
    setBusy(submit, true);
    try {
      if (pdf && uploaded?.file !== pdf) {
        uploaded = { file: pdf, documentId: await uploadResult(apiPath(item.code, '/result-upload'), pdf, progress) };
      }
      const body = { text: answer, ...(pdf ? { result_document_id: uploaded.documentId } : {}) };
      const { data } = await sendJson('POST', apiPath(item.code, '/answer'), body);
      show(screen, data, 'complaints.officer.answered_now');
    } catch (problem) {
      if (problem?.status === 401) return;
      uploaded = null;
      const fields = problem?.details?.fields || {};
      if ('result_document_id' in fields) showFieldError(fileField, 'complaints.officer.file_refused');
      else if (problem?.code === 'validation_failed') showFieldErrors(form, fields);
      setText(message, errorKey(problem));
      setBusy(submit, false);
    }
  });
  return form;
}
