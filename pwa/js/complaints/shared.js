// What the citizen's and the officer's complaint screens ("phản ánh, kiến nghị") share: the API's
// addresses, the state and level in words, the due date, the photos, the answer and the timeline.
// Texts are in /i18n/complaints/<lang>.json, loaded with each screen (see loadComplaintTexts).

import { getJson } from '../api.js';
import { el, setText, tx } from '../dom.js';
import { formatDateTime, formatDay } from '../format.js';
import { has, loadBundle, t } from '../i18n.js';
import { loadThenRender } from '../panels.js';
import { loadStyles } from '../styles.js';

export const API = '/api/status/feedback';
// The server's categories (functions/core/domain/complaints.py CATEGORIES), in the order shown.
export const CATEGORIES = ['service_quality', 'staff_attitude', 'delay', 'fees', 'procedure_rules', 'facilities', 'other'];
export const TEXT_MAX = 2000;
export const REASON_MAX = 1000;
export const PHOTOS_MAX = 3;

/** The complaint screens' texts and styles, loaded once (the photo capture also needs the apply texts). */
export function loadComplaintTexts() {
  return Promise.all([loadBundle('complaints'), loadBundle('apply'), loadStyles('status'), loadStyles('complaints')]);
}

/** The API's address of complaint `code`, plus `suffix` (e.g. '/accept'). */
export function apiPath(code, suffix = '') {
  return `${API}/${encodeURIComponent(code)}${suffix}`;
}

/** GET one complaint. */
export async function fetchComplaint(code) {
  return (await getJson(apiPath(code))).data;
}

function known(prefix, value, fallback) {
  return has(`${prefix}.${value}`) ? `${prefix}.${value}` : `${prefix}.${fallback}`;
}

/** The state badge, who handles it now, its due date and whether it is late. */
export function stateBox(item) {
  const waiting = item.state === 'open' || item.state === 'reopened';
  return el(
    'div',
    { className: `complaint-state complaint-state--${item.state}`, dataset: { state: item.state, level: item.level } },
    tx('p', 'complaints.state_label', { className: 'complaint-state__label' }),
    tx('p', known('complaints.state', item.state, 'open'), { className: 'complaint-state__name' }),
    waiting ? tx('p', 'complaints.level_line', { className: 'complaint-state__level' },
      { who: levelName(item.level) }) : null,
    waiting ? dueLine(item) : null,
    item.overdue ? tx('p', 'complaints.overdue', { className: 'complaint-state__overdue' }) : null,
  );
}

/** "Hạn trả lời: 08/12/2026". */
export function dueLine(item, className = 'complaint-due') {
  return tx('p', 'complaints.due', { className, dataset: { dueDate: item.due_date } }, { date: formatDay(item.due_date) });
}

/** Who answers at `level`, in words (the screens showing it are drawn again on a language switch). */
export function levelName(level) {
  return t(known('complaints.level', level, 'commune'));
}

/** What the citizen wrote, where it went, and its photos. */
export function contentBox(item) {
  return el(
    'section',
    { className: 'complaint-content', 'aria-labelledby': 'complaint-text-title' },
    tx('h3', 'complaints.your_text', { className: 'subsection-title', id: 'complaint-text-title' }),
    item.category ? tx('p', known('complaints.category', item.category, 'other'), { className: 'complaint-category' }) : null,
    el('p', { className: 'complaint-text' }, item.text),
    tx('p', 'complaints.to_commune', { className: 'complaint-meta' }, { name: item.commune_name || item.commune_code }),
    tx('p', 'complaints.filed_at', { className: 'complaint-meta' }, { time: formatDateTime(item.filed_at) }),
    photosList(item.photos || []),
  );
}

function photosList(photos) {
  const shown = photos.filter((photo) => photo.url);
  if (!shown.length) return null;
  return el(
    'ul',
    { className: 'complaint-photos' },
    shown.map((photo, index) => el('li', { className: 'complaint-photos__item' },
      el('a', { href: photo.url, target: '_blank', rel: 'noopener' },
        el('img', { className: 'complaint-photos__img', src: photo.url, alt: t('complaints.photo_n', { n: index + 1 }),
          width: 96, height: 128 })))),
  );
}

/** The latest answer: its text, when, and its PDF (a short-lived link) if any; null before one. */
export function answerBox(item) {
  const answer = item.answer;
  if (!answer) return null;
  return el(
    'section',
    { className: 'complaint-answer', 'aria-labelledby': 'complaint-answer-title' },
    tx('h3', 'complaints.answer_title', { className: 'subsection-title', id: 'complaint-answer-title' }),
    el('p', { className: 'complaint-answer__text' }, answer.text),
    answer.at ? tx('p', 'complaints.answer_by', { className: 'complaint-meta' }, { time: formatDateTime(answer.at) }) : null,
    answer.url ? tx('a', 'complaints.answer_pdf', {
      href: answer.url, target: '_blank', rel: 'noopener', className: 'button button--secondary button--block complaint-answer__pdf',
    }) : null,
  );
}

/** Every step, oldest first: filed, answered, escalated (to whom, new date), reopened (why), accepted. */
export function timelineBox(item) {
  const entries = item.timeline || [];
  if (!entries.length) return null;
  return el(
    'section',
    { className: 'case__timeline complaint-timeline' },
    tx('h3', 'complaints.timeline_title', { className: 'subsection-title' }),
    el('ol', { className: 'timeline' }, entries.map(timelineEntry)),
  );
}

function timelineEntry(entry) {
  const data = entry.data || {};
  const due = data.new_due_date || (entry.kind === 'feedback_reopened' ? data.due_date : null);
  return el(
    'li',
    { className: 'timeline__item', dataset: { kind: entry.kind, level: data.level || '' } },
    tx('p', known('complaints.event', entry.kind, 'unknown'), { className: 'timeline__what' },
      entry.kind === 'feedback_escalated' ? { who: levelName(data.level) } : null),
    el('p', { className: 'timeline__when' }, el('time', { datetime: entry.at }, formatDateTime(entry.at)), ' · ',
      tx('span', known('complaints.actor', entry.actor?.role, 'system'))),
    data.reason ? tx('p', 'complaints.event_reason', { className: 'timeline__reason' }, { reason: data.reason }) : null,
    entry.kind === 'feedback_answered' && data.text ? el('p', { className: 'timeline__reason' }, data.text) : null,
    due ? tx('p', 'complaints.event_due', { className: 'timeline__detail' }, { date: formatDay(due) }) : null,
  );
}

/** Load complaint `code` into `container` and draw it with `show(screen, item)`; returns the cleanup. */
export function mountLoaded(container, code, show) {
  const screen = { container, code, left: false };
  const stop = loadThenRender(container, () => fetchComplaint(code), (item) => show(screen, item));
  return () => {
    screen.left = true;
    stop();
  };
}

/** The line that says what an action just did (hidden when there is nothing to say). */
export function statusLine(notice) {
  const status = el('p', { className: 'message message--ok', role: 'status', tabindex: '-1', hidden: true });
  if (notice) setText(status, notice);
  return status;
}
