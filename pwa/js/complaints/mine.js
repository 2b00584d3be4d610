// The citizen's complaints: the receipt right after filing (/feedback/receipt?code=: the code and
// "Hạn trả lời: <ngày>"), and "Phản ánh của tôi" (/feedback/mine), newest first, each opening its screen.

import { getJson } from '../api.js';
import { el, tx } from '../dom.js';
import { formatDateTime } from '../format.js';
import { has } from '../i18n.js';
import { loadThenRender } from '../panels.js';
import { queryParam } from '../router.js';
import { API, dueLine, fetchComplaint } from './shared.js';

/** The receipt of the complaint of ?code= in `container`; returns its cleanup. */
export function mountComplaintReceipt(container) {
  const code = queryParam('code') || '';
  return loadThenRender(container, () => fetchComplaint(code), (item) => container.replaceChildren(el(
    'section',
    { className: 'screen complaint-receipt', dataset: { code: item.code } },
    tx('h2', 'complaints.receipt_title', { className: 'screen__title' }),
    tx('p', 'complaints.receipt_lead', { className: 'screen__lead', role: 'status' }),
    el('div', { className: 'complaint-receipt__box' },
      tx('p', 'complaints.receipt_code', { className: 'complaint-receipt__label' }),
      el('p', { className: 'complaint-receipt__code' }, item.code),
      tx('p', 'complaints.receipt_keep', { className: 'complaint-meta' }),
      dueLine(item, 'complaint-receipt__due')),
    tx('a', 'complaints.open', { href: itemHref(item.code), className: 'button button--large button--block' }),
    tx('a', 'complaints.mine_link', { href: '/feedback/mine', className: 'button button--secondary button--block' }),
  )));
}

/** "Phản ánh của tôi" in `container`; returns its cleanup. */
export function mountMyComplaints(container) {
  const list = el('div');
  container.replaceChildren(el(
    'section',
    { className: 'screen complaint-mine' },
    tx('h2', 'complaints.mine_title', { className: 'screen__title' }),
    tx('p', 'complaints.mine_lead', { className: 'screen__lead' }),
    tx('a', 'complaints.new_general', { href: '/feedback/new', className: 'button button--block' }),
    list,
  ));
  return loadThenRender(list, async () => (await getJson(API)).data?.complaints || [], (items) => {
    list.replaceChildren(items.length
      ? el('ul', { className: 'card-list' }, items.map((item) => el('li', {}, complaintCard(item, itemHref(item.code)))))
      : tx('p', 'complaints.mine_empty', { className: 'placeholder' }));
  });
}

/** The citizen's screen of complaint `code`. */
export function itemHref(code) {
  return `/feedback?code=${encodeURIComponent(code)}`;
}

/** One complaint as a list row: code, state, due date (or "quá hạn"), the start of its text. */
export function complaintCard(item, href, { overdueKey = 'complaints.overdue' } = {}) {
  const state = has(`complaints.state.${item.state}`) ? item.state : 'open';
  const waiting = item.state === 'open' || item.state === 'reopened';
  return el(
    'a',
    { href, className: `app-card complaint-card${item.overdue ? ' complaint-card--overdue' : ''}`,
      dataset: { code: item.code, state: item.state, overdue: String(Boolean(item.overdue)) } },
    el('span', { className: 'app-card__code' }, item.code),
    item.overdue ? tx('span', overdueKey, { className: 'complaint-card__overdue' }) : null,
    tx('span', `complaints.state.${state}`, { className: `complaint-card__state complaint-card__state--${state}` }),
    el('span', { className: 'complaint-card__text' }, item.text.length > 120 ? `${item.text.slice(0, 119)}…` : item.text),
    waiting ? dueLine(item, 'complaint-card__due') : null,
    el('span', { className: 'complaint-meta' }, formatDateTime(item.filed_at)),
  );
}
