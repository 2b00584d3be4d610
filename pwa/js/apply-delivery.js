// Step 3: the commune that handles the application (by default the user's home commune, where their
// records are) and how the result reaches them: by post to an address, at the counter, or electronically.

import { loadDivisions } from './divisions.js';
import { placePicker } from './commune-picker.js';
import { el, tx } from './dom.js';
import { clearFieldErrors, field, fieldGroup, input, showFieldErrors, uid } from './form.js';
import { choiceMark } from './apply-form.js';
import { loadThenRender } from './panels.js';
import { validateDelivery } from './procedure-rules.js';

const METHODS = ['post', 'pickup', 'electronic'];

/** The delivery step for `ctx` (see apply.js): `{element, check(), showErrors(fields), leave()}`. */
export function deliveryStep(ctx) {
  const holder = el('div', { className: 'delivery' });
  let view = null;
  const stop = loadThenRender(holder, loadDivisions, (divisions) => {
    view = deliveryForm(ctx, divisions);
    holder.replaceChildren(view.element);
  });
  return {
    element: holder,
    // Until the commune list has loaded nothing can be checked; the button then simply asks again.
    check: () => (view ? view.check() : { commune_code: 'required' }),
    showErrors: (fields) => (view ? view.showErrors(fields) : null),
    leave: stop,
  };
}

function deliveryForm(ctx, divisions) {
  const { draft, procedure, me } = ctx;
  const profile = me?.profile || {};
  if (!draft.communeCode && profile.permanent_residence?.commune_code) {
    draft.communeCode = profile.permanent_residence.commune_code;
    ctx.save();
  }
  const commune = divisions.commune(draft.communeCode);
  const handling = placePicker(
    divisions,
    'handling',
    { province_code: commune?.provinceCode, commune_code: draft.communeCode },
    () => {
      draft.communeCode = handling.value().commune_code || null;
      clearFieldErrors(handlingGroup);
      ctx.save();
    },
  );
  const handlingGroup = fieldGroup({
    path: 'commune_code',
    legend: 'apply.commune_title',
    hint: 'apply.commune_hint',
    children: handling.fields,
  });

  const offered = METHODS.filter((method) => (procedure.result_kinds || []).includes(method));
  if (!draft.delivery?.method && offered.length === 1) draft.delivery = { method: offered[0] };
  const address = postAddress(ctx, divisions, profile);
  const methods = fieldGroup({
    path: 'delivery.method',
    legend: 'apply.delivery_title',
    children: el('div', { className: 'choices' }, offered.map((method) => methodChoice(ctx, method, () => {
      clearFieldErrors(methods);
      address.element.hidden = method !== 'post';
      if (method === 'post') address.keep();
    }))),
  });
  address.element.hidden = draft.delivery?.method !== 'post';
  const element = el('div', { className: 'form' }, handlingGroup, methods, address.element);
  return {
    element,
    check: () => {
      // A name typed but not picked from the list says so next to its box (and leaves the code empty).
      handling.check();
      if (draft.delivery?.method === 'post') address.picker.check();
      return validateDelivery(procedure, draft.communeCode, draft.delivery);
    },
    showErrors: (fields) => showFieldErrors(element, fields),
  };
}

function methodChoice(ctx, method, onPick) {
  const { draft } = ctx;
  const radio = el('input', {
    type: 'radio', className: 'choice__input', name: 'delivery-method', value: method, checked: draft.delivery?.method === method,
  });
  radio.addEventListener('change', () => {
    draft.delivery = { ...(draft.delivery || {}), method };
    onPick();
    ctx.save();
  });
  return el(
    'label',
    { className: 'choice' },
    radio,
    choiceMark(),
    el('span', { className: 'choice__text' }, tx('span', `apply.method_${method}`, { className: 'choice__title' }), tx('span', `apply.method_${method}_hint`, { className: 'choice__hint' })),
  );
}

// The postal address: by default where the user lives now (their profile's current address).
function postAddress(ctx, divisions, profile) {
  const { draft } = ctx;
  const current = profile.current_address || {};
  const saved = draft.delivery?.address || {};
  const initial = saved.commune_code ? saved : current;
  const keep = () => {
    const place = picker.value();
    draft.delivery = { ...(draft.delivery || {}), address: { ...place, street: street.value.trim() } };
    ctx.save();
  };
  const picker = placePicker(divisions, 'delivery.address', initial, () => keep());
  const street = input({ name: 'street', autocomplete: 'street-address', value: initial.street || '', id: uid('street') });
  street.addEventListener('input', () => {
    clearFieldErrors(street.closest('.field'));
    keep();
  });
  if (!saved.commune_code && current.commune_code && draft.delivery?.method === 'post') keep();
  const element = fieldGroup({
    path: 'delivery.address',
    legend: 'apply.address_title',
    hint: 'apply.address_hint',
    children: [...picker.fields, field({ path: 'delivery.address.street', label: 'profile.street', hint: 'profile.street_hint', control: street })],
  });
  return { element, picker, keep };
}
