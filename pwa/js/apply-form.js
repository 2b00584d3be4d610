// Step 1: the procedure's own form, built from its JSON Schema and UI description. Fields appear and
// disappear with the answers (visible_when); the checks mirror the schema so most mistakes are caught here.

import { el, tx } from './dom.js';
import { localized } from './i18n.js';
import { clearFieldErrors, field, fieldGroup, input, showFieldErrors, uid } from './form.js';
import { requiredFields, validateAnswers, visibleFields } from './procedure-rules.js';

/** The form step for `ctx` (see apply.js): `{element, check(), showErrors(fields)}`. */
export function formStep(ctx) {
  const { procedure, draft } = ctx;
  const schema = procedure.form?.schema || {};
  const ui = procedure.form?.ui || {};
  const form = el('form', { className: 'form', novalidate: true });
  const wrappers = new Map();
  const refresh = () => {
    const shown = new Set(visibleFields(procedure, draft.answers));
    const required = requiredFields(schema, draft.answers);
    for (const [name, wrapper] of wrappers) {
      wrapper.hidden = !shown.has(name);
      wrapper.querySelector('.field__optional').hidden = required.has(name);
    }
  };
  const onChange = (name, value, wrapper) => {
    if (value === undefined) delete draft.answers[name];
    else draft.answers[name] = value;
    clearFieldErrors(wrapper);
    refresh();
    ctx.save();
  };
  for (const name of ui.order || Object.keys(schema.properties || {})) {
    const rule = schema.properties?.[name];
    if (!rule) continue;
    const wrapper = fieldFor(name, rule, ui.fields?.[name] || {}, draft.answers[name], onChange);
    wrappers.set(name, wrapper);
    form.append(wrapper);
  }
  refresh();
  // Enter in a text box means "next", as on the other screens.
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    form.closest('.apply')?.querySelector('.apply__nav .button:not(.button--secondary)')?.click();
  });
  return {
    element: form,
    check: () => validateAnswers(procedure, draft.answers),
    showErrors: (fields) => showFieldErrors(form, fields),
  };
}

function fieldFor(name, rule, spec, value, onChange) {
  const path = `answers.${name}`;
  const labelText = localized(spec.label || { vi: name });
  const hintText = spec.help ? localized(spec.help) : null;
  const optional = tx('span', 'apply.optional', { className: 'field__optional' });
  let wrapper;
  if (spec.widget === 'radio') {
    wrapper = fieldGroup({ path, legendText: labelText, hintText, children: radios(rule, spec, value, (v) => onChange(name, v, wrapper)) });
    wrapper.querySelector('legend').append(' ', optional);
    return wrapper;
  }
  const control = controlFor(rule, spec, value);
  control.addEventListener(spec.widget === 'select' ? 'change' : 'input', () => onChange(name, readValue(control, rule), wrapper));
  wrapper = field({ path, labelText, hintText, control });
  wrapper.querySelector('label').append(' ', optional);
  return wrapper;
}

function controlFor(rule, spec, value) {
  const shown = value ?? '';
  switch (spec.widget) {
    case 'textarea':
      return el('textarea', { className: 'input input--textarea', id: uid('textarea'), rows: 3, maxlength: rule.maxLength }, String(shown));
    case 'select':
      return selectFor(rule, spec, value);
    case 'date':
      return input({ type: 'date', value: shown, min: rule.formatMinimum, max: rule.formatMaximum });
    case 'number':
      return input({ type: 'number', inputmode: 'numeric', value: shown, min: rule.minimum, max: rule.maximum, step: rule.type === 'integer' ? 1 : 'any' });
    default:
      return input({ type: 'text', value: shown, maxlength: rule.maxLength, autocomplete: 'off' });
  }
}

function selectFor(rule, spec, value) {
  const select = el('select', { className: 'input', id: uid('select') });
  if (value === undefined || value === null) select.append(tx('option', 'apply.choose', { value: '' }));
  for (const option of rule.enum || []) {
    const text = localized(spec.options?.[option] || { vi: String(option) });
    select.append(el('option', { value: option, lang: text.lang, selected: option === value }, text.text));
  }
  return select;
}

function radios(rule, spec, value, onPick) {
  const group = uid('radio');
  return el(
    'div',
    { className: 'choices' },
    (rule.enum || []).map((option) => {
      const text = localized(spec.options?.[option] || { vi: String(option) });
      const radio = el('input', { type: 'radio', className: 'choice__input', name: group, value: option, checked: option === value });
      radio.addEventListener('change', () => onPick(option));
      return el('label', { className: 'choice' }, radio, choiceMark(), el('span', { className: 'choice__text', lang: text.lang }, text.text));
    }),
  );
}

/** The drawn radio circle: the real input lies invisibly over the whole choice, so all of it is the touch target. */
export function choiceMark() {
  return el('span', { className: 'choice__mark', 'aria-hidden': 'true' });
}

// What the schema expects: numbers as numbers (a typo stays text so the check can say so), text trimmed.
function readValue(control, rule) {
  const raw = control.value;
  if (raw.trim() === '') return undefined;
  const types = [].concat(rule.type || []);
  if (types.includes('integer') || types.includes('number')) {
    const number = Number(raw);
    return Number.isFinite(number) ? number : raw;
  }
  return raw.trim();
}
