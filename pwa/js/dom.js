// A tiny element builder. Text always goes in through textContent, never HTML,
// so data from the API cannot inject markup.

import { translateElement } from './i18n.js';

/**
 * el('p', { className: 'x', dataset: { id: '1' }, onclick: fn, lang: 'vi' }, 'text', child)
 * Children may be strings, nodes, arrays of those, or null (skipped).
 */
export function el(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (name === 'className') element.className = value;
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  element.append(...children.flat().filter((child) => child != null));
  return element;
}

/**
 * Show the translation of `key` in `element` (unhiding it) and remember it, so a language switch re-translates it.
 * `params.count` with `plural` picks the counted form (see tCount).
 */
export function setText(element, key, params = null, plural = false) {
  element.dataset.i18n = key;
  if (params) element.dataset.i18nArgs = JSON.stringify(params);
  else delete element.dataset.i18nArgs;
  if (plural) element.dataset.i18nPlural = '';
  else delete element.dataset.i18nPlural;
  translateElement(element);
  element.hidden = false;
  return element;
}

/** An element whose text is the translation of `key`: tx('h2', 'profile.title', { className: 'x' }); `hidden: true` keeps it hidden. */
export function tx(tag, key, props = {}, params = null) {
  const element = setText(el(tag, props), key, params);
  if (props.hidden) element.hidden = true;
  return element;
}

/** Empty a message element and hide it. */
export function clearText(element) {
  delete element.dataset.i18n;
  delete element.dataset.i18nArgs;
  element.textContent = '';
  element.hidden = true;
}
