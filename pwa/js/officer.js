// The officer console's home: a greeting, the communes the officer serves (a picker when there are
// several), and one commune's queue in one status, earliest due first with overdue ones on top (the API
// sorts: it reads the commune + status index). Each row opens the application. The chosen commune and
// status live in the address, so "back" from an application returns to the same list.

import { getJson } from './api.js';
import { el, setText, tx } from './dom.js';
import { formatDate, formatDateTime } from './format.js';
import { localized, t } from './i18n.js';
import { pagedList } from './paged-list.js';
import { errorPanel, loadThenRender } from './panels.js';
import { navigate, queryParam, replaceQuery } from './router.js';
import { displayPhone, fetchUser, isOfficer } from './session.js';
import { signOutSection } from './sign-out.js';

const QUEUE_PATH = '/api/status/queue';
// The tabs, in the order work flows; "resubmitted" sits early because it needs the officer again.
export const QUEUE_STATUSES = [
  'submitted', 'received', 'in_review', 'resubmitted', 'supplement_requested', 'approved', 'result_ready',
  'completed', 'rejected',
];
const DEFAULT_STATUS = 'submitted';
// The queue last shown in this tab, for the application screen's "back to the queue" link.
const LAST_QUEUE_KEY = 'motcua.officer_queue';

/** Show the officer console's home in `container`; returns its cleanup. */
export function mountOfficer(container) {
  let stop = () => {};
  const cleanup = loadThenRender(container, fetchUser, (me) => {
    if (!isOfficer(me)) {
      navigate('/', { replace: true });
      return;
    }
    const screen = officerScreen(me);
    stop = screen.stop;
    container.replaceChildren(screen.element);
  });
  return () => {
    cleanup();
    stop();
  };
}

/** The address of the queue the officer last looked at in this tab (the console home by default). */
export function queueHref() {
  try {
    const saved = sessionStorage.getItem(LAST_QUEUE_KEY);
    if (saved && /^\/officer(\?|$)/.test(saved)) return saved;
  } catch {
    // Storage blocked: the console home is a fine default.
  }
  return '/officer';
}

/** The translation key of a status's name for officers (every lifecycle state has one). */
export function statusKey(status) {
  return `desk.status.${status}`;
}

function remember(commune, status) {
  const query = { commune, status };
  replaceQuery(query);
  try {
    sessionStorage.setItem(LAST_QUEUE_KEY, `/officer?${new URLSearchParams(query)}`);
  } catch {
    // See queueHref.
  }
}

function officerScreen(me) {
  const name = me.profile?.full_name || displayPhone(me.phone);
  const communes = Array.isArray(me.communes) ? me.communes : [];
  const wanted = queryParam('commune');
  const state = {
    commune: communes.some((c) => c.code === wanted) ? wanted : communes[0]?.code || null,
    status: QUEUE_STATUSES.includes(queryParam('status')) ? queryParam('status') : DEFAULT_STATUS,
  };
  // A supervisor handles only the complaints escalated to it: no application queue, no statistics.
  const applications = communes.length && me.role !== 'supervisor';
  const queue = queueSection(communes, state);
  const element = el(
    'section',
    { className: 'screen officer desk-wide' },
    tx('h2', 'officer.title', { className: 'screen__title' }),
    tx('p', 'officer.greeting', { className: 'screen__lead' }, { name }),
    el('p', {},
      tx('a', 'officer.complaints_link', { href: '/officer/feedback', className: 'button button--secondary' }),
      applications ? tx('a', 'officer.statistics_link', { href: '/officer/thong-ke', className: 'button button--secondary' }) : null),
    communesSection(communes, state, (code) => {
      state.commune = code;
      queue.show();
    }),
    applications ? queue.element : null,
    signOutSection(),
  );
  if (applications) queue.show();
  return { element, stop: queue.stop };
}

// One commune: the list as before. Several: each commune is a button that switches the queue.
function communesSection(communes, state, onPick) {
  const section = el(
    'section',
    { 'aria-labelledby': 'officer-communes' },
    tx('h3', 'officer.communes_title', { className: 'subsection-title', id: 'officer-communes' }),
  );
  if (!communes.length) {
    section.append(tx('p', 'officer.no_communes', { className: 'placeholder' }));
    return section;
  }
  const several = communes.length > 1;
  const buttons = [];
  const item = (commune) => {
    const text = [
      el('span', { className: 'commune-list__name' }, commune.name),
      el('span', { className: 'commune-list__province' }, commune.province_name),
    ];
    if (!several) return el('li', { className: 'commune-list__item', dataset: { commune: commune.code } }, text);
    const button = el('button', {
      type: 'button',
      className: 'commune-pick',
      'aria-pressed': String(commune.code === state.commune),
      dataset: { commune: commune.code },
    }, text);
    button.addEventListener('click', () => {
      for (const other of buttons) other.setAttribute('aria-pressed', String(other === button));
      onPick(commune.code);
    });
    buttons.push(button);
    return el('li', { className: 'commune-list__item commune-list__item--pick', dataset: { commune: commune.code } }, button);
  };
  if (several) section.append(tx('p', 'desk.communes_pick', { className: 'note', id: 'officer-communes-hint' }));
  section.append(el('ul', {
    className: 'commune-list',
    'aria-describedby': several ? 'officer-communes-hint' : null,
  }, communes.map(item)));
  return section;
}

function queueSection(communes, state) {
  const title = tx('h3', 'officer.queue_title', { className: 'subsection-title', id: 'officer-queue' });
  const communeLine = el('p', { className: 'queue__commune' });
  const tabs = statusTabs(state, () => show());
  const body = el('div', { className: 'queue__body', 'aria-live': 'polite', 'aria-busy': 'false' });
  const refresh = tx('button', 'desk.refresh', { type: 'button', className: 'button button--secondary queue__refresh' });
  refresh.addEventListener('click', () => show());
  let token = 0;

  async function show() {
    token += 1;
    const mine = token;
    remember(state.commune, state.status);
    tabs.select(state.status);
    const commune = communes.find((c) => c.code === state.commune);
    setText(communeLine, 'desk.queue_for', { commune: commune?.name || state.commune, status: t(statusKey(state.status)) });
    body.setAttribute('aria-busy', 'true');
    body.replaceChildren(tx('p', 'common.loading', { className: 'placeholder' }));
    try {
      const first = await fetchPage(state.commune, state.status, null);
      if (mine === token) body.replaceChildren(...queueList(first, state));
    } catch (error) {
      if (mine === token && error.status !== 401) body.replaceChildren(errorPanel('desk.queue_failed', error, show));
    } finally {
      if (mine === token) body.setAttribute('aria-busy', 'false');
    }
  }

  const element = el(
    'section',
    { className: 'queue', 'aria-labelledby': 'officer-queue' },
    el('div', { className: 'queue__head' }, title, refresh),
    communeLine,
    tabs.element,
    body,
  );
  return {
    element,
    show,
    stop: () => {
      token += 1; // answers still on the way are dropped
    },
  };
}

function statusTabs(state, onChange) {
  const buttons = QUEUE_STATUSES.map((status) => {
    const button = tx('button', statusKey(status), {
      type: 'button',
      className: 'desk-tabs__tab',
      dataset: { status },
    });
    button.addEventListener('click', () => {
      if (state.status === status) return;
      state.status = status;
      onChange();
    });
    return button;
  });
  const element = el('nav', { className: 'desk-tabs', 'aria-label': t('desk.tabs_label') }, el('div', { className: 'desk-tabs__list' }, buttons));
  return {
    element,
    select(status) {
      for (const button of buttons) {
        const current = button.dataset.status === status;
        button.setAttribute('aria-pressed', String(current));
        if (current && element.isConnected) button.scrollIntoView({ block: 'nearest', inline: 'nearest' });
      }
    },
  };
}

async function fetchPage(commune, status, cursor) {
  const query = new URLSearchParams({ commune, status });
  if (cursor) query.set('cursor', cursor);
  const { data } = await getJson(`${QUEUE_PATH}?${query}`);
  return { applications: data?.applications || [], nextCursor: data?.next_cursor || null };
}

function queueList(first, state) {
  if (!first.applications.length) return [tx('p', 'officer.queue_empty', { className: 'placeholder queue__empty' })];
  return pagedList(el('ul', { className: 'queue__list' }), { items: first.applications, cursor: first.nextCursor }, {
    renderItem: queueItem,
    moreKey: 'desk.load_more',
    fetchNext: async (cursor) => {
      const next = await fetchPage(state.commune, state.status, cursor);
      return { items: next.applications, cursor: next.nextCursor };
    },
  });
}

/** When an application is due, in Vietnam's time: the moment when the API gives it, else the date. */
export function dueText(app) {
  return app.due_at ? formatDateTime(app.due_at) : formatDate(app.due_date);
}

function queueItem(app) {
  const name = localized(app.procedure_name || {});
  return el(
    'a',
    {
      href: `/officer/application?code=${encodeURIComponent(app.code)}`,
      className: `queue-item${app.overdue ? ' queue-item--overdue' : ''}`,
      dataset: { code: app.code, overdue: String(Boolean(app.overdue)) },
    },
    el(
      'span',
      { className: 'queue-item__head' },
      el('span', { className: 'queue-item__code' }, app.code),
      app.overdue ? tx('span', 'desk.overdue', { className: 'desk-badge desk-badge--overdue' }) : null,
    ),
    el('span', { className: 'queue-item__name', lang: name.lang }, name.text),
    el(
      'span',
      { className: 'queue-item__facts' },
      fact('desk.applicant', app.applicant_name || '—'),
      fact('desk.due', dueText(app), app.overdue ? 'queue-item__due--overdue' : ''),
      fact('desk.submitted_at', formatDateTime(app.submitted_at)),
    ),
  );
}

// Inside a link only phrasing content is allowed, so a "fact" is two spans rather than a <dl> row.
function fact(labelKey, value, extraClass = '') {
  return el(
    'span',
    { className: `queue-item__fact ${extraClass}`.trim() },
    tx('span', labelKey, { className: 'queue-item__label' }),
    el('span', { className: 'queue-item__value' }, value),
  );
}
