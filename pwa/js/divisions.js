// Provinces and communes (after the 2025 reform) for the offline commune picker.
// The data file is fetched only when a screen needs it; the service worker keeps a copy for offline use.
// Search ignores diacritics: "kien xuong" finds "Xã Kiến Xương", "ha noi" finds "Thành phố Hà Nội".

import { getJson } from './api.js';

const DATA_PATH = '/data/communes.json';
const UNIT_TYPE = /^(xa|phuong|dac khu|thanh pho|tinh) /;

let loading = null;

/** Fold text for matching: lower case, no diacritics (đ → d), single spaces. */
function fold(text) {
  return String(text)
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** The divisions index, loaded once: `{ provinces, communes, province(code), commune(code) }`. */
export function loadDivisions() {
  if (!loading) {
    loading = getJson(DATA_PATH).then(({ data }) => buildIndex(data));
    loading.catch(() => {
      loading = null; // let a later attempt (e.g. back online) try again
    });
  }
  return loading;
}

function entry(code, name, extra = {}, context = '') {
  const nameKey = fold(name);
  return { code, name, ...extra, nameKey: nameKey.replace(UNIT_TYPE, ''), key: ` ${nameKey} ${fold(context)}` };
}

function buildIndex(data) {
  const provinces = data.provinces.map(([code, name]) => entry(code, name));
  const provinceByCode = new Map(provinces.map((p) => [p.code, p]));
  const communes = data.communes.map(([code, name, provinceCode]) => {
    const provinceName = provinceByCode.get(provinceCode)?.name || '';
    return entry(code, name, { provinceCode, provinceName }, provinceName);
  });
  const communeByCode = new Map(communes.map((c) => [c.code, c]));
  return {
    version: data.version,
    provinces,
    communes,
    province: (code) => provinceByCode.get(code) || null,
    commune: (code) => communeByCode.get(code) || null,
  };
}

/**
 * The items matching `query`, best first: every word of the query must start a word of the item's name
 * (or its province's). Names that start with the query come first. Returns `{ items, total }`.
 */
export function search(items, query, limit) {
  const folded = fold(query);
  if (!folded) return { items: items.slice(0, limit), total: items.length };
  const words = folded.split(' ').map((word) => ` ${word}`);
  const ranked = [];
  for (const item of items) {
    if (!words.every((word) => item.key.includes(word))) continue;
    ranked.push([rank(item, folded), item]);
  }
  ranked.sort((a, b) => a[0] - b[0]); // stable: ties keep the data's order
  return { items: ranked.slice(0, limit).map(([, item]) => item), total: ranked.length };
}

function rank(item, folded) {
  if (item.nameKey.startsWith(folded)) return 0;
  if (item.nameKey.includes(folded)) return 1;
  return 2;
}
