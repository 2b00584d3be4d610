// A place picker: province, then commune, each a search box with a list of large result buttons.
// Works offline on the loaded divisions index; typing without diacritics is fine.

import { search } from './divisions.js';
import { el, setText } from './dom.js';
import { field, input, showFieldError, uid } from './form.js';

const MAX_RESULTS = 30;

/**
 * A province + commune picker for the field `path` (e.g. "permanent_residence").
 * `value` = { province_code, commune_code }; `onChange()` is called whenever a choice is made or cleared.
 * Returns { fields: [Element], value(), check() }.
 */
export function placePicker(divisions, path, value = {}, onChange = () => {}) {
  const chosen = {
    province: divisions.province(value?.province_code),
    commune: divisions.commune(value?.commune_code),
  };
  const province = searchBox({
    path: `${path}.province_code`,
    label: 'place.province',
    results: (query) => search(divisions.provinces, query, MAX_RESULTS),
    describe: (item) => [item.name, null],
    onPick: (item) => {
      chosen.province = item;
      if (chosen.commune && chosen.commune.provinceCode !== item.code) {
        chosen.commune = null;
        commune.set(null);
      }
      onChange();
    },
    onClear: () => {
      chosen.province = null;
      onChange();
    },
  });
  const commune = searchBox({
    path: `${path}.commune_code`,
    label: 'place.commune',
    hint: 'place.commune_hint',
    results: (query) => communeResults(divisions, chosen.province, query),
    describe: (item) => [item.name, chosen.province ? null : item.provinceName],
    onPick: (item) => {
      chosen.commune = item;
      if (!chosen.province) {
        chosen.province = divisions.province(item.provinceCode);
        province.set(chosen.province);
      }
      onChange();
    },
    onClear: () => {
      chosen.commune = null;
      onChange();
    },
  });
  province.set(chosen.province);
  commune.set(chosen.commune);
  return {
    fields: [province.field, commune.field],
    value: () => ({ province_code: chosen.province?.code || '', commune_code: chosen.commune?.code || '' }),
    // Typed but not picked from the list: say so here rather than send an empty code.
    check: () => [province, commune].filter((box) => !box.check()).map((box) => box.input),
  };
}

function communeResults(divisions, province, query) {
  const pool = province ? divisions.communes.filter((c) => c.provinceCode === province.code) : divisions.communes;
  // Without a province, an empty query would list 3,000 communes: ask for a name first.
  if (!province && !query.trim()) return { items: [], total: 0 };
  return search(pool, query, MAX_RESULTS);
}

function searchBox({ path, label, hint = null, results, describe, onPick, onClear }) {
  const listId = uid('results');
  const box = input({
    type: 'text',
    role: 'combobox',
    autocomplete: 'off',
    autocapitalize: 'off',
    spellcheck: 'false',
    enterkeyhint: 'search',
    'aria-autocomplete': 'list',
    'aria-expanded': 'false',
    'aria-controls': listId,
  });
  const status = el('p', { className: 'picker__status', role: 'status' });
  const list = el('ul', { className: 'picker__list', id: listId });
  const panel = el('div', { className: 'picker__results', hidden: true }, status, list);
  const picker = el('div', { className: 'picker' }, box, panel);
  const wrapper = field({ path, label, hint, control: picker });
  let picked = null;

  const close = () => {
    panel.hidden = true;
    box.setAttribute('aria-expanded', 'false');
  };
  const set = (item) => {
    picked = item;
    box.value = item ? item.name : '';
    close();
  };
  const pick = (item) => {
    set(item);
    onPick(item);
  };
  const open = () => {
    showResults({ panel, status, list, found: results(box.value), describe, pick, query: box.value });
    box.setAttribute('aria-expanded', String(!panel.hidden));
  };

  box.addEventListener('input', () => {
    if (picked) {
      picked = null;
      onClear();
    }
    open();
  });
  box.addEventListener('focus', open);
  box.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') close();
  });
  // Keep the input focused while a result is tapped, so the list is not closed under the finger.
  panel.addEventListener('mousedown', (event) => event.preventDefault());
  picker.addEventListener('focusout', (event) => {
    if (!picker.contains(event.relatedTarget)) close();
  });
  return { field: wrapper, input: box, set, check: () => Boolean(picked) || !box.value.trim() || notPicked(wrapper) };
}

function notPicked(wrapper) {
  showFieldError(wrapper, 'pick_from_list');
  return false;
}

function showResults({ panel, status, list, found, describe, pick, query }) {
  if (!found.items.length && !query.trim()) {
    setText(status, 'place.type_to_search');
  } else if (!found.items.length) {
    setText(status, 'place.no_match');
  } else if (found.total > found.items.length) {
    setText(status, 'place.more_results', { shown: found.items.length, count: found.total });
  } else {
    setText(status, 'place.results', { count: found.total }, true);
  }
  list.replaceChildren(...found.items.map((item) => resultItem(item, describe, pick)));
  panel.hidden = false;
}

function resultItem(item, describe, pick) {
  const [main, sub] = describe(item);
  return el(
    'li',
    {},
    el(
      'button',
      { type: 'button', className: 'picker__option', dataset: { code: item.code }, onclick: () => pick(item) },
      el('span', { className: 'picker__name' }, main),
      sub ? el('span', { className: 'picker__sub' }, sub) : null,
    ),
  );
}
