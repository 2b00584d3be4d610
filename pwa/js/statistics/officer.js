// The officer console's "Thống kê": the same charts for the officer's communes (all of them, or one),
// each commune's open and overdue applications, each officer's workload, and the CSV export.

import { getJson } from '../api.js';
import { el, tx } from '../dom.js';
import { t } from '../i18n.js';
import { errorPanel, loadThenRender } from '../panels.js';
import { navigate, queryParam, replaceQuery } from '../router.js';
import { fetchUser, isOfficer } from '../session.js';
import { count, report } from './charts.js';

const PATH = '/api/status/officer/statistics';

/** Show the officer statistics screen in `container`; returns its cleanup. */
export function mountOfficerStatistics(container) {
  let stop = () => {};
  const cleanup = loadThenRender(container, fetchUser, (me) => {
    if (!isOfficer(me)) {
      navigate('/', { replace: true });
      return;
    }
    const screen = officerStatistics(me);
    stop = screen.stop;
    container.replaceChildren(screen.element);
  });
  return () => {
    cleanup();
    stop();
  };
}

function officerStatistics(me) {
  const communes = Array.isArray(me.communes) ? me.communes : [];
  const wanted = queryParam('commune');
  let commune = communes.some((c) => c.code === wanted) ? wanted : '';
  let token = 0;
  const body = el('div', { className: 'stats-body', 'aria-live': 'polite', 'aria-busy': 'true' });
  const csv = tx('a', 'stats.export_csv', { className: 'button button--secondary stats-export', download: '' });
  const choose = el('select', { id: 'stats-officer-commune', className: 'stats-picker__select' },
    tx('option', 'stats.all_my_communes', { value: '' }),
    communes.map((c) => el('option', { value: c.code, selected: c.code === commune }, c.name)));
  choose.addEventListener('change', () => {
    commune = choose.value;
    show();
  });

  async function show() {
    token += 1;
    const mine = token;
    const query = new URLSearchParams(commune ? { commune } : {});
    replaceQuery(commune ? { commune } : {});
    csv.setAttribute('href', `${PATH}?${new URLSearchParams({ ...Object.fromEntries(query), format: 'csv' })}`);
    body.setAttribute('aria-busy', 'true');
    body.replaceChildren(tx('p', 'common.loading', { className: 'placeholder' }));
    try {
      const { data } = await getJson(`${PATH}?${query}`);
      if (mine === token) body.replaceChildren(workSection(data), ...report(data), officersSection(data));
    } catch (error) {
      if (mine === token && error.status !== 401) body.replaceChildren(errorPanel('stats.load_failed', error, show));
    } finally {
      if (mine === token) body.setAttribute('aria-busy', 'false');
    }
  }

  const element = el(
    'section',
    { className: 'screen stats desk-wide' },
    el('p', {}, tx('a', 'stats.back_to_queue', { href: '/officer' })),
    tx('h2', 'stats.officer_title', { className: 'screen__title' }),
    communes.length > 1
      ? el('div', { className: 'stats-picker__field' }, tx('label', 'stats.commune', { for: 'stats-officer-commune' }), choose)
      : null,
    csv,
    body,
  );
  show();
  return { element, stop: () => { token += 1; } };
}

function table(captionKey, head, rows, className) {
  return el('div', { className: 'stat-table-wrap', tabindex: '0', role: 'region', 'aria-label': t(captionKey) },
    el('table', { className: `stat-table ${className}` },
      tx('caption', captionKey),
      el('thead', {}, el('tr', {}, head.map((key) => tx('th', key, { scope: 'col' })))),
      el('tbody', {}, rows.map((cells) => el('tr', {}, cells.map((text, i) => el(i ? 'td' : 'th', i ? {} : { scope: 'row' }, text)))))));
}

// Open and overdue work per commune, from the queue's index: what needs doing now.
function workSection(data) {
  const rows = data.communes.map((c) => [c.name || c.code, count(c.open), count(c.overdue)]);
  return el('section', { className: 'stats-block', 'aria-labelledby': 'stats-work' },
    tx('h3', 'stats.work_title', { className: 'subsection-title', id: 'stats-work' }),
    table('stats.work_caption', ['stats.column.commune', 'stats.column.open', 'stats.column.overdue'], rows, 'stat-table--work'));
}

function officersSection(data) {
  const rows = data.officers.map((o) => [o.name || o.user_id, count(o.steps), o.median_step_days ?? '—']);
  return el('section', { className: 'stats-block', 'aria-labelledby': 'stats-officers' },
    tx('h3', 'stats.officers_title', { className: 'subsection-title', id: 'stats-officers' }),
    rows.length
      ? table('stats.officers_caption', ['stats.column.officer', 'stats.column.steps', 'stats.column.median_days'], rows, 'stat-table--officers')
      : tx('p', 'stats.no_steps', { className: 'placeholder' }));
}
