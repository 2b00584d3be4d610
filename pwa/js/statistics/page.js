// "Thống kê", open to anyone: one province or commune over the last 12 months, against the seeds' targets.
// The place lives in the address (?province= or ?commune=) and is remembered on the device, so a later
// visit (offline too: the service worker keeps the last answer) opens the same figures.

import { getJson } from '../api.js';
import { el, setText, tx } from '../dom.js';
import { errorPanel } from '../panels.js';
import { queryParam, replaceQuery } from '../router.js';
import { report } from './charts.js';

const PATH = '/api/status/statistics';
const PLACE_KEY = 'motcua.stats_place';
const DEFAULT_PLACE = { province: '01' };

function savedPlace() {
  if (/^[0-9]{5}$/.test(queryParam('commune') || '')) return { commune: queryParam('commune') };
  if (/^[0-9]{2}$/.test(queryParam('province') || '')) return { province: queryParam('province') };
  try {
    const saved = JSON.parse(localStorage.getItem(PLACE_KEY) || 'null');
    if (saved && (/^[0-9]{5}$/.test(saved.commune) || /^[0-9]{2}$/.test(saved.province))) return saved;
  } catch {
    // Storage blocked or garbled: the default place is fine.
  }
  return DEFAULT_PLACE;
}

function remember(place) {
  replaceQuery(place);
  try {
    localStorage.setItem(PLACE_KEY, JSON.stringify(place));
  } catch {
    // Not remembering is acceptable.
  }
}

function select(id, labelKey, options, chosen, onChange) {
  const control = el('select', { id, className: 'stats-picker__select' }, options.map(([code, name]) => el(
    'option',
    { value: code, selected: code === chosen },
    name,
  )));
  control.addEventListener('change', () => onChange(control.value));
  return el('div', { className: 'stats-picker__field' }, tx('label', labelKey, { for: id }), control);
}

// Province, then commune ("" = the whole province); both lists come with the answer.
function picker(data, onPick) {
  const province = data.place.province_code;
  const communes = [['', '']].concat(data.choices.communes);
  const whole = select('stats-commune', 'stats.commune', communes, data.place.kind === 'commune' ? data.place.code : '', (code) => onPick(code ? { commune: code } : { province }));
  setText(whole.querySelector('option[value=""]'), 'stats.whole_province');
  return el(
    'form',
    { className: 'stats-picker', onsubmit: (event) => event.preventDefault() },
    select('stats-province', 'stats.province', data.choices.provinces, province, (code) => onPick({ province: code })),
    whole,
  );
}

/** Show the public statistics page in `container`; returns its cleanup. */
export function mountStatistics(container) {
  let live = true;
  const body = el('div', { className: 'stats-body', 'aria-live': 'polite', 'aria-busy': 'true' });
  const controls = el('div', { className: 'stats-controls' });
  const from = el('p', { className: 'stats-place' });
  const offline = tx('p', 'stats.offline', { className: 'note stats-offline', hidden: true });
  container.replaceChildren(el(
    'section',
    { className: 'screen stats' },
    tx('h2', 'stats.title', { className: 'screen__title' }),
    tx('p', 'stats.lead', { className: 'screen__lead' }),
    controls,
    from,
    offline,
    body,
  ));

  async function show(place) {
    remember(place);
    body.setAttribute('aria-busy', 'true');
    body.replaceChildren(tx('p', 'common.loading', { className: 'placeholder' }));
    try {
      const { data, fromCache } = await getJson(`${PATH}?${new URLSearchParams(place)}`);
      if (!live) return;
      controls.replaceChildren(picker(data, show));
      setText(from, 'stats.place_months', { place: data.place.name, from: data.from, to: data.to });
      // Offline, the browser's HTTP cache (a minute) or the service worker's saved answer replies.
      offline.hidden = navigator.onLine && !fromCache;
      body.replaceChildren(...report(data));
    } catch (error) {
      if (live) body.replaceChildren(errorPanel('stats.load_failed', error, () => show(place)));
    } finally {
      if (live) body.setAttribute('aria-busy', 'false');
    }
  }

  show(savedPlace());
  return () => {
    live = false;
  };
}
