// The pure rules of a procedure (see the procedure format in the submit API): which fields and document
// slots apply to the current answers, the checks the server will make on them, and the fee.
// No DOM and no storage here, so the same answers always give the same result.

export const STEPS = { form: 1, documents: 2, delivery: 3, review: 4 };

/** True when COND `{field, equals}` or `{field, in: [...]}` holds for `answers`; a missing answer never matches. */
export function conditionHolds(condition, answers) {
  if (!condition || typeof condition !== 'object') return false;
  const value = answers?.[condition.field];
  if (value === undefined || value === null || value === '') return false;
  if ('equals' in condition) return value === condition.equals;
  if (Array.isArray(condition.in)) return condition.in.includes(value);
  return false;
}

/** The names of the form's fields shown for `answers`, in the form's order. */
export function visibleFields(procedure, answers) {
  const ui = procedure.form?.ui || {};
  const properties = procedure.form?.schema?.properties || {};
  const order = ui.order || Object.keys(properties);
  return order.filter((name) => {
    const when = ui.fields?.[name]?.visible_when;
    return name in properties && (!when || conditionHolds(when, answers));
  });
}

/** The names the schema requires for `answers`: `required` plus the `then.required` of every `allOf` whose `if` holds. */
export function requiredFields(schema, answers) {
  const required = new Set(schema?.required || []);
  for (const part of schema?.allOf || []) {
    if (part.if && schemaHolds(part.if, answers)) {
      for (const name of part.then?.required || []) required.add(name);
    } else if (part.if && part.else) {
      for (const name of part.else.required || []) required.add(name);
    }
  }
  return required;
}

// The subset of JSON Schema that `if` clauses use: `required`, and `properties` with const/enum checks
// (a property that is absent passes, as in JSON Schema).
function schemaHolds(schema, answers) {
  for (const name of schema.required || []) {
    if (isEmpty(answers?.[name])) return false;
  }
  for (const [name, rule] of Object.entries(schema.properties || {})) {
    if (isEmpty(answers?.[name])) continue;
    if (valueProblem(rule, answers[name])) return false;
  }
  return true;
}

/** The answers to send: only the fields shown, without empty ones, in the form's order (the same body every retry). */
export function cleanAnswers(procedure, answers) {
  const clean = {};
  for (const name of visibleFields(procedure, answers)) {
    if (!isEmpty(answers?.[name])) clean[name] = answers[name];
  }
  return clean;
}

/** Client-side checks mirroring the schema, for the fields shown: `{"answers.<name>": code}`. */
export function validateAnswers(procedure, answers) {
  const schema = procedure.form?.schema || {};
  const required = requiredFields(schema, answers);
  const errors = {};
  for (const name of visibleFields(procedure, answers)) {
    const value = answers?.[name];
    const code = isEmpty(value) ? (required.has(name) ? 'required' : null) : valueProblem(schema.properties[name], value);
    if (code) errors[`answers.${name}`] = code;
  }
  return errors;
}

// The first schema keyword `value` breaks, as an error code, or null.
function valueProblem(rule = {}, value) {
  const types = [].concat(rule.type || []);
  if (types.length && !types.some((type) => hasType(value, type))) return 'invalid_type';
  if ('const' in rule && value !== rule.const) return 'not_allowed';
  if (Array.isArray(rule.enum) && !rule.enum.includes(value)) return 'not_allowed';
  if (typeof value === 'string') {
    const length = [...value].length; // code points, as JSON Schema counts them
    if (rule.minLength !== undefined && length < rule.minLength) return 'too_short';
    if (rule.maxLength !== undefined && length > rule.maxLength) return 'too_long';
    if (rule.pattern && patternFails(rule.pattern, value)) return 'bad_format';
    if (rule.format === 'date' && !isDate(value)) return 'bad_format';
  }
  if (typeof value === 'number') {
    if (rule.minimum !== undefined && value < rule.minimum) return 'too_small';
    if (rule.maximum !== undefined && value > rule.maximum) return 'too_large';
  }
  return null;
}

// A pattern this browser cannot compile is left to the server rather than blocking the user.
function patternFails(pattern, value) {
  for (const flags of ['u', '']) {
    try {
      return !new RegExp(pattern, flags).test(value);
    } catch {
      // try the next flags
    }
  }
  return false;
}

function hasType(value, type) {
  if (type === 'integer') return Number.isInteger(value);
  if (type === 'number') return typeof value === 'number' && Number.isFinite(value);
  if (type === 'string') return typeof value === 'string';
  if (type === 'boolean') return typeof value === 'boolean';
  return true;
}

function isDate(value) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const date = new Date(Date.UTC(+match[1], +match[2] - 1, +match[3]));
  return date.getUTCMonth() === +match[2] - 1 && date.getUTCDate() === +match[3];
}

function isEmpty(value) {
  return value === undefined || value === null || value === '';
}

/** Whether a slot applies to `answers`: 'required', 'optional', or 'hidden' (a COND that does not hold). */
export function slotRequirement(slot, answers) {
  if (slot.required === true) return 'required';
  if (slot.required === false || slot.required == null) return 'optional';
  return conditionHolds(slot.required, answers) ? 'required' : 'hidden';
}

/** The slots to show for `answers`, each as `{slot, required}`. */
export function activeSlots(procedure, answers) {
  return (procedure.slots || [])
    .map((slot) => ({ slot, requirement: slotRequirement(slot, answers) }))
    .filter(({ requirement }) => requirement !== 'hidden')
    .map(({ slot, requirement }) => ({ slot, required: requirement === 'required' }));
}

/** Page-count checks for the slots shown: `{"documents.<slot>": code}`; `pages` maps a slot id to its pages. */
export function validateDocuments(procedure, answers, pages) {
  const errors = {};
  for (const { slot, required } of activeSlots(procedure, answers)) {
    const list = pages?.[slot.id] || [];
    const count = list.length;
    const min = slot.min_pages ?? 1;
    let code = null;
    if (list.some((page) => page.error)) code = 'page_failed';
    else if (count === 0 && required) code = 'too_few_pages';
    else if (count > 0 && count < min) code = 'too_few_pages';
    else if (slot.max_pages && count > slot.max_pages) code = 'too_many_pages';
    if (code) errors[`documents.${slot.id}`] = code;
  }
  return errors;
}

/** The document ids to send, slot by slot in page order, for the slots shown (pages lacking an id are left out). */
export function documentIds(procedure, answers, pages) {
  const documents = {};
  for (const { slot } of activeSlots(procedure, answers)) {
    const ids = (pages?.[slot.id] || []).map((page) => page.documentId).filter(Boolean);
    if (ids.length) documents[slot.id] = ids;
  }
  return documents;
}

/**
 * The fee in VND for `answers` and `pageCounts` ({slotId: n}), as the server computes it: the first matching
 * rule replaces it all; with `per_page`, the base is the price of each of the first pages and later pages
 * cost `next_vnd`, capped per copy; then times the number of copies.
 */
export function computeFee(procedure, answers, pageCounts = {}) {
  const fee = procedure.fee || { vnd: procedure.fee_vnd || 0 };
  for (const rule of fee.rules || []) {
    if (conditionHolds(rule.when, answers)) return rule.vnd;
  }
  let perCopy = fee.vnd || 0;
  const perPage = fee.per_page;
  if (perPage) {
    const count = pageCounts[perPage.slot] || 0;
    const first = Math.min(count, perPage.first_pages);
    perCopy = Math.min(perPage.cap_vnd, first * perCopy + (count - first) * perPage.next_vnd);
  }
  const copies = fee.copies_field ? Math.max(1, Math.trunc(Number(answers?.[fee.copies_field] ?? 1)) || 1) : 1;
  return perCopy * copies;
}

/** The step a server field path belongs to: answers.* the form, documents.* the papers, the rest delivery. */
export function stepOfField(path) {
  if (path.startsWith('answers')) return STEPS.form;
  if (path.startsWith('documents')) return STEPS.documents;
  if (path.startsWith('commune_code') || path.startsWith('delivery')) return STEPS.delivery;
  return STEPS.review;
}

/** Delivery problems: `{"commune_code" | "delivery.*": code}` for what the user chose. */
export function validateDelivery(procedure, communeCode, delivery) {
  const errors = {};
  if (!communeCode) errors.commune_code = 'required';
  const method = delivery?.method;
  if (!method) errors['delivery.method'] = 'required';
  else if (!(procedure.result_kinds || []).includes(method)) errors['delivery.method'] = 'not_offered';
  else if (method === 'post') {
    const address = delivery.address || {};
    if (!address.province_code) errors['delivery.address.province_code'] = 'required';
    if (!address.commune_code) errors['delivery.address.commune_code'] = 'required';
    if (!address.street?.trim()) errors['delivery.address.street'] = 'required';
  }
  return errors;
}

/** The delivery to send: post carries its address, the others nothing more. */
export function cleanDelivery(delivery) {
  if (delivery?.method !== 'post') return { method: delivery?.method };
  const { province_code: provinceCode, commune_code: communeCode, street } = delivery.address || {};
  return { method: 'post', address: { province_code: provinceCode, commune_code: communeCode, street: (street || '').trim() } };
}
