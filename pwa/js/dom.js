// A tiny element builder. Text always goes in through textContent, never HTML,
// so data from the API cannot inject markup.

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
