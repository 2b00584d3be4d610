// "Thông báo": every notice the app sent about the citizen's applications, newest first, from the server
// (personal data: never cached by the service worker). Each opens its application; older ones page in.
// A notice about a complaint ("PA-" code) opens the complaint. An application settled (completed, rejected,
// withdrawn) and not yet rated gets one reminder to rate it on top, once: this device remembers each
// application it reminded about (js/complaints/reminders.js), so the next visits do not show it again.

import { getJson } from './api.js';
import { rateReminders } from './complaints/reminders.js';
import { el, tx } from './dom.js';
import { formatDateTime } from './format.js';
import { localized } from './i18n.js';
import { pagedList } from './paged-list.js';
import { loadThenRender } from './panels.js';

const PATH = '/api/status/inbox';

/** Show the inbox in `container`; returns its cleanup. */
export function mountInbox(container) {
  const body = el('div');
  container.replaceChildren(el(
    'section',
    { className: 'screen inbox' },
    tx('h2', 'inbox.title', { className: 'screen__title' }),
    tx('p', 'inbox.lead', { className: 'screen__lead' }),
    tx('a', 'inbox.complaints_link', { href: '/feedback/mine', className: 'button button--secondary button--block' }),
    body,
  ));
  const load = async () => {
    const first = await fetchNotices(null);
    return { first, reminders: await rateReminders(first.notices) };
  };
  return loadThenRender(body, load, ({ first, reminders }) => body.replaceChildren(
    ...reminders.map(reminderCard), ...noticeList(first)));
}

function reminderCard(app) {
  return el(
    'a',
    { href: `/application?code=${encodeURIComponent(app.code)}`, className: 'app-card inbox__item inbox__reminder', dataset: { code: app.code, kind: 'rate' } },
    tx('span', 'inbox.rate_title', { className: 'inbox__title' }, { code: app.code }),
    tx('span', 'inbox.rate_body', { className: 'inbox__body' }),
  );
}

async function fetchNotices(cursor) {
  const { data } = await getJson(cursor ? `${PATH}?${new URLSearchParams({ cursor })}` : PATH);
  return { notices: Array.isArray(data?.notifications) ? data.notifications : [], cursor: data?.next_cursor || null };
}

function noticeList(first) {
  if (!first.notices.length) return [tx('p', 'inbox.empty', { className: 'placeholder inbox__empty' })];
  return pagedList(el('ol', { className: 'card-list' }), { items: first.notices, cursor: first.cursor }, {
    renderItem: noticeCard,
    moreKey: 'inbox.load_more',
    fetchNext: async (cursor) => {
      const next = await fetchNotices(cursor);
      return { items: next.notices, cursor: next.cursor };
    },
  });
}

// The link is built from the code, not taken from the data: it always stays on this app's own screen.
function noticeCard(notice) {
  const title = localized(notice.title);
  const text = localized(notice.body);
  const code = notice.application_id || '';
  return el(
    'a',
    {
      href: `${code.startsWith('PA-') ? '/feedback' : '/application'}?code=${encodeURIComponent(code)}`,
      className: 'app-card inbox__item',
      dataset: { code, kind: notice.kind || '' },
    },
    el('span', { className: 'inbox__title', lang: title.lang }, title.text),
    text.text ? el('span', { className: 'inbox__body', lang: text.lang }, text.text) : null,
    el('span', { className: 'inbox__meta' }, el('time', { datetime: notice.at }, formatDateTime(notice.at)), ` · ${code}`),
  );
}
