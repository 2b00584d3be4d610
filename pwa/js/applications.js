// "Hồ sơ của tôi": the applications this user submitted, newest first, from the server (never cached by
// the service worker: it is personal data), with "Xem thêm" for older ones.

import { getJson } from './api.js';
import { listDrafts } from './db.js';
import { el, setText, tx } from './dom.js';
import { formatDate } from './format.js';
import { formatFee } from './home.js';
import { has, localized, t } from './i18n.js';
import { pagedList } from './paged-list.js';
import { loadThenRender } from './panels.js';
import { currentUserId } from './session.js';

const PAGE_SIZE = 20;
const PATH = '/api/submit/applications';

/** Show the user's applications in `container`; returns its cleanup. */
export function mountApplications(container) {
  // The tabs come first and need no network, so the drafts on the phone stay one tap away offline.
  const unfinished = el('div');
  const list = el('div');
  container.replaceChildren(
    el(
      'section',
      { className: 'screen' },
      tx('h2', 'applications.title', { className: 'screen__title' }),
      tabs('/applications'),
      unfinished,
      list,
    ),
  );
  unfinishedCount().then((count) => {
    if (count) unfinished.replaceChildren(setText(el('a', { href: '/drafts', className: 'notice notice--link' }), 'applications.unfinished', { count }, true));
  });
  return loadThenRender(list, () => fetchPage(null), (first) => list.replaceChildren(...listContent(first)));
}

async function fetchPage(cursor) {
  const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (cursor) query.set('cursor', cursor);
  const { data } = await getJson(`${PATH}?${query}`);
  return { applications: data?.applications || [], nextCursor: data?.next_cursor || null };
}

async function unfinishedCount() {
  try {
    return (await listDrafts(currentUserId())).filter((draft) => draft.state !== 'sent').length;
  } catch {
    return 0; // no IndexedDB (private mode): nothing saved here anyway
  }
}

function listContent(first) {
  const [list, error, more] = pagedList(el('ul', { className: 'card-list' }), {
    items: first.applications, cursor: first.nextCursor,
  }, {
    renderItem: applicationCard,
    moreKey: 'applications.load_more',
    fetchNext: async (cursor) => {
      const next = await fetchPage(cursor);
      return { items: next.applications, cursor: next.nextCursor };
    },
  });
  return [
    first.applications.length ? list : tx('p', 'applications.empty', { className: 'placeholder' }),
    first.applications.length ? null : tx('a', 'applications.start', { href: '/', className: 'button button--block' }),
    error,
    more,
  ].filter(Boolean);
}

/** The two lists of "my papers": submitted applications and unfinished drafts. */
export function tabs(current) {
  const link = (href, key) => tx('a', key, {
    href,
    className: `tabs__link${href === current ? ' tabs__link--current' : ''}`,
    'aria-current': href === current ? 'page' : null,
  });
  return el(
    'nav',
    { className: 'tabs', 'aria-label': t('applications.tabs_label') },
    link('/applications', 'applications.tab_sent'),
    link('/drafts', 'applications.tab_drafts'),
  );
}

function applicationCard(app) {
  const name = localized(app.procedure_name);
  const status = has(`status.${app.status}`) ? `status.${app.status}` : 'status.unknown';
  return el(
    'article',
    { className: 'app-card', dataset: { code: app.code } },
    el('p', { className: 'app-card__code' }, app.code),
    el('h3', { className: 'app-card__name', lang: name.lang },
      el('a', { href: `/application?code=${encodeURIComponent(app.code)}`, className: 'app-card__link' }, name.text)),
    el(
      'dl',
      { className: 'procedure-card__facts' },
      el('div', { className: 'fact' }, tx('dt', 'applications.status'), tx('dd', status, { className: `status status--${app.status}` })),
      el('div', { className: 'fact' }, tx('dt', 'applications.due_date'), el('dd', {}, formatDate(app.due_date))),
      el('div', { className: 'fact' }, tx('dt', 'applications.commune'), el('dd', {}, app.commune_name || app.commune_code)),
      el('div', { className: 'fact' }, tx('dt', 'applications.fee'), el('dd', {}, formatFee(app.fee_vnd))),
    ),
  );
}
