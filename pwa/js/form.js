// Form building blocks shared by the screens: labelled fields with a hint and an error slot,
// server field errors shown next to their field, status messages and busy buttons.

import { clearText, el, setText, tx } from './dom.js';
import { has } from './i18n.js';

let nextId = 0;

/** A unique element id. */
export function uid(prefix) {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

/** A text input with the app's styling; `props` are passed to el(). */
export function input(props = {}) {
  return el('input', { className: 'input', id: uid('input'), ...props });
}

/**
 * A labelled field: `path` is the server's dotted field path, `label` and `hint` translation keys (or
 * `labelText`/`hintText` as `{text, lang}` for text that comes with the data, e.g. a procedure's form),
 * `control` the input (or a group of elements whose first input gets the label).
 */
export function field({ path, label = null, labelText = null, hint = null, hintText = null, control }) {
  const target = control.matches('input, select, textarea') ? control : control.querySelector('input');
  const error = el('p', { className: 'field__error', id: uid('error'), hidden: true });
  const hintNode = textNode('p', hint, hintText, { className: 'field__hint', id: uid('hint') });
  target.setAttribute('aria-describedby', [hintNode?.id, error.id].filter(Boolean).join(' '));
  return el(
    'div',
    { className: 'field', dataset: { field: path } },
    textNode('label', label, labelText, { className: 'field__label', for: target.id }),
    hintNode,
    control,
    error,
  );
}

/** A fieldset (a group of fields under one legend) that can also carry its own error; legend/hint as in field(). */
export function fieldGroup({ path, legend = null, legendText = null, hint = null, hintText = null, children }) {
  return el(
    'fieldset',
    { className: 'field-group', dataset: { field: path } },
    textNode('legend', legend, legendText, { className: 'field-group__legend' }),
    textNode('p', hint, hintText, { className: 'field__hint' }),
    children,
    el('p', { className: 'field__error', hidden: true }),
  );
}

// A translated element for `key`, or one showing data's own `{text, lang}`; null when neither is given.
function textNode(tag, key, data, props) {
  if (key) return tx(tag, key, props);
  if (data?.text) return el(tag, { ...props, lang: data.lang }, data.text);
  return null;
}

/** Show one field's error text (`fields.<code>` or a given key); returns the field's first input. */
export function showFieldError(wrapper, codeOrKey) {
  const key = codeOrKey.includes('.') ? codeOrKey : `fields.${codeOrKey}`;
  setText(wrapper.querySelector(':scope > .field__error'), has(key) ? key : 'fields.invalid');
  const control = wrapper.querySelector('input, select, textarea');
  if (control && wrapper.matches('.field')) control.setAttribute('aria-invalid', 'true');
  return control;
}

/**
 * Show the server's `details.fields` ({"a.b": "code"}) next to the fields inside `form`.
 * A path with no field of its own goes to the nearest enclosing one. Returns the first bad input on the page.
 */
export function showFieldErrors(form, fields = {}) {
  for (const [path, code] of Object.entries(fields)) {
    const wrapper = closestField(form, path);
    if (wrapper) showFieldError(wrapper, code);
  }
  return form.querySelector('[aria-invalid="true"]');
}

function closestField(form, path) {
  for (let parts = path.split('.'); parts.length; parts.pop()) {
    const wrapper = form.querySelector(`[data-field="${CSS.escape(parts.join('.'))}"]`);
    if (wrapper) return wrapper;
  }
  return null;
}

/** Remove every field error inside `form`. */
export function clearFieldErrors(form) {
  for (const error of form.querySelectorAll('.field__error')) clearText(error);
  for (const control of form.querySelectorAll('[aria-invalid]')) control.removeAttribute('aria-invalid');
}

/** A hidden message line: 'error' ones are announced at once (role=alert), others politely. */
export function messageLine(kind) {
  return el('p', { className: `message message--${kind}`, role: kind === 'error' ? 'alert' : 'status', hidden: true });
}

/** Disable a button while its action runs, so a slow network cannot cause double submits. */
export function setBusy(button, busy) {
  button.disabled = busy;
  button.setAttribute('aria-busy', String(busy));
}
