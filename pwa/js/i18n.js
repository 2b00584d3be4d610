// Translations: every user-facing string comes from /i18n/<lang>.json.
// Vietnamese is the default; the choice is remembered on the device.

export const LANGUAGES = ['vi', 'en'];
const DEFAULT_LANGUAGE = 'vi';
const STORAGE_KEY = 'motcua.lang';

let language = DEFAULT_LANGUAGE;
let messages = {};
// Texts of screen groups a first visit does not need (e.g. 'apply': /i18n/apply/<lang>.json), loaded by
// loadBundle() when such a screen opens and reloaded with the language.
const bundles = new Set();

async function fetchMessages(path) {
  const response = await fetch(path, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

/** The language to start with: the saved choice, else Vietnamese (not the browser's). */
export function savedLanguage() {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    return LANGUAGES.includes(stored) ? stored : DEFAULT_LANGUAGE;
  } catch {
    // Storage can be blocked (private modes, quota); the default still works.
    return DEFAULT_LANGUAGE;
  }
}

/** Load a language's messages, make it current, and remember it. */
export async function setLanguage(code) {
  const wanted = LANGUAGES.includes(code) ? code : DEFAULT_LANGUAGE;
  const names = [...bundles];
  const [main, ...extra] = await Promise.all([
    fetchMessages(`/i18n/${wanted}.json`),
    ...names.map((name) => fetchMessages(`/i18n/${name}/${wanted}.json`)),
  ]);
  messages = Object.assign({}, main, ...extra);
  language = wanted;
  document.documentElement.lang = wanted;
  try {
    localStorage.setItem(STORAGE_KEY, wanted);
  } catch {
    // Not remembering the choice is acceptable; the page still switches.
  }
}

/** Add a screen group's texts (`/i18n/<name>/<lang>.json`) to the current language, once. */
export async function loadBundle(name) {
  if (bundles.has(name)) return;
  const loadingFor = language;
  const extra = await fetchMessages(`/i18n/${name}/${loadingFor}.json`);
  // A language switch during the fetch already loaded the bundle's new texts (or will): keep those.
  if (loadingFor === language && !bundles.has(name)) messages = { ...messages, ...extra };
  bundles.add(name);
}

export function currentLanguage() {
  return language;
}

function lookup(key) {
  return key.split('.').reduce((node, part) => (node == null ? undefined : node[part]), messages);
}

/** `{text, lang}` of a `{vi, en}` pair from the data in the current language, falling back to Vietnamese. */
export function localized(names = {}) {
  if (names?.[language]) return { text: names[language], lang: language };
  return { text: names?.vi || '', lang: 'vi' };
}

/** True when the current language has a string for `key`. */
export function has(key) {
  return typeof lookup(key) === 'string';
}

/** Translate `key`, filling `{name}` placeholders from `params`; unknown keys show as themselves. */
export function t(key, params = {}) {
  const text = lookup(key);
  if (typeof text !== 'string') return key;
  return text.replace(/\{(\w+)\}/g, (match, name) => (name in params ? String(params[name]) : match));
}

/** Translate a counted phrase using the language's plural rules (`key.one`, `key.other`, ...). */
export function tCount(key, count, params = {}) {
  const category = new Intl.PluralRules(language).select(count);
  const chosen = has(`${key}.${category}`) ? `${key}.${category}` : `${key}.other`;
  return t(chosen, { ...params, count });
}

/**
 * Re-translate the markup: elements carry `data-i18n` (text, with optional JSON `data-i18n-args` and
 * `data-i18n-plural` for counted phrases) or `data-i18n-aria-label`.
 */
export function translateDocument(root = document) {
  for (const element of root.querySelectorAll('[data-i18n]')) translateElement(element);
  for (const element of root.querySelectorAll('[data-i18n-aria-label]')) {
    element.setAttribute('aria-label', t(element.dataset.i18nAriaLabel));
  }
  document.title = t('app.title');
}

/** Fill one element from its `data-i18n*` attributes. */
export function translateElement(element) {
  const { i18n: key, i18nArgs: args, i18nPlural: plural } = element.dataset;
  const params = args ? JSON.parse(args) : {};
  element.textContent = plural === undefined ? t(key, params) : tCount(key, params.count, params);
}
