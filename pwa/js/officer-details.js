// The officer console's application screen, the part that shows what the application is: the code's
// heading (procedure, status, due date), the notice of a pending supplement or of the result, the facts,
// the applicant, the answers and the timeline. Used by officer-application.js and officer-actions.js.

import { loadDivisions } from './divisions.js';
import { el, tx } from './dom.js';
import { uid } from './form.js';
import { formatDate, formatDateTime } from './format.js';
import { formatFee } from './home.js';
import { has, localized, t } from './i18n.js';
import { dueText, statusKey } from './officer.js';
import { displayPhone } from './session.js';

/** The lines under the code: the procedure, the status and overdue badges, and the due date. */
export function headLines(app) {
  const name = localized(app.procedure_name || {});
  return [
    el('p', { className: 'desk-head__procedure', lang: name.lang }, name.text),
    el(
      'p',
      { className: 'desk-head__badges' },
      statusBadge(app.status),
      app.overdue ? tx('span', 'desk.overdue', { className: 'desk-badge desk-badge--overdue' }) : null,
    ),
    el(
      'p',
      { className: `desk-head__due${app.overdue ? ' desk-head__due--overdue' : ''}` },
      tx('span', 'desk.due', { className: 'desk-head__label' }),
      ' ',
      el('strong', {}, dueText(app)),
    ),
  ];
}

function statusBadge(status) {
  const key = has(statusKey(status)) ? statusKey(status) : 'desk.status.unknown';
  return tx('span', key, { className: `desk-badge desk-badge--status desk-status--${status}`, dataset: { status } });
}

/** The procedure's slots in catalog order (every slot, so a missing paper can be asked for too). */
export function slotOrder(ctx) {
  const fromCatalog = (ctx.procedure?.slots || []).map((slot) => slot.id);
  const fromApi = Object.keys(ctx.app.procedure_slots || {});
  const fromDocuments = Object.keys(ctx.app.documents || {});
  return [...new Set([...fromCatalog, ...fromApi, ...fromDocuments])];
}

/** A slot's label as `{text, lang}`; the slot id itself when neither the API nor the catalog names it. */
export function slotLabel(ctx, slot) {
  const label = ctx.app.procedure_slots?.[slot]?.label || ctx.procedure?.slots?.find((s) => s.id === slot)?.label;
  return label ? localized(label) : { text: slot, lang: null };
}

/** A titled panel of the details column. */
export function section(titleKey, className, ...children) {
  const id = uid('desk-section');
  return el(
    'section',
    { className: `desk-panel ${className}`, 'aria-labelledby': id },
    tx('h3', titleKey, { className: 'subsection-title', id }),
    ...children,
  );
}

function row(labelKey, value, lang = null) {
  return el(
    'div',
    { className: 'desk-row' },
    tx('dt', labelKey),
    value instanceof Node ? value : el('dd', { lang }, value == null || value === '' ? '—' : String(value)),
  );
}

/** The application's state, dates, fee, payment and delivery. */
export function factsSection(app) {
  const delivery = app.delivery || {};
  const method = delivery.method;
  const payment = app.payment_state;
  return section(
    'desk.facts_title',
    'desk-facts',
    el(
      'dl',
      { className: 'desk-list' },
      row('desk.status_label', el('dd', {}, statusBadge(app.status))),
      row('desk.due', el('dd', { className: app.overdue ? 'desk-overdue-text' : null }, dueText(app), app.overdue ? [' · ', tx('span', 'desk.overdue')] : null)),
      row('desk.submitted_at', formatDateTime(app.submitted_at)),
      row('desk.commune', app.commune_name || app.commune_code),
      row('desk.fee', formatFee(app.fee_vnd ?? 0)),
      row('desk.payment_label', has(`desk.payment.${payment}`) ? tx('dd', `desk.payment.${payment}`) : el('dd', {}, payment || '—')),
      row('desk.delivery_label', method && has(`desk.delivery.${method}`) ? tx('dd', `desk.delivery.${method}`) : el('dd', {}, method || '—')),
      method === 'post' && delivery.address ? row('desk.delivery_address', placeValue(delivery.address)) : null,
    ),
  );
}

/** Who applied: name, birth date, ID, phone and addresses. */
export function applicantSection(app) {
  const person = app.applicant || {};
  return section(
    'desk.applicant_title',
    'desk-applicant',
    el(
      'dl',
      { className: 'desk-list' },
      row('desk.full_name', person.full_name),
      row('desk.date_of_birth', birthDate(person.date_of_birth)),
      row('desk.citizen_id', person.citizen_id),
      person.phone ? row('desk.phone', displayPhone(person.phone)) : null,
      person.permanent_residence ? row('desk.permanent_residence', placeValue(person.permanent_residence)) : null,
      person.current_address ? row('desk.current_address', placeValue(person.current_address)) : null,
    ),
  );
}

// "12/04/1998" as on the ID card (formatDate's weekday means nothing for a birthday).
function birthDate(iso) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || '');
  return match ? `${match[3]}/${match[2]}/${match[1]}` : iso || null;
}

// An address holds codes: show them at once, then the names once the (cached) commune list is there.
function placeValue(address) {
  const value = el('dd', {}, [address.street, address.commune_code, address.province_code].filter(Boolean).join(', '));
  loadDivisions()
    .then((divisions) => {
      const commune = divisions.commune(address.commune_code);
      const province = divisions.province(commune?.provinceCode || address.province_code);
      value.textContent = [address.street, commune?.name, province?.name].filter(Boolean).join(', ');
    })
    .catch(() => {}); // offline without the list: the codes stay
  return value;
}

/** The form's answers in the procedure's order, labelled from the catalog; null when there are none. */
export function answersSection(app, procedure) {
  const answers = app.answers || {};
  const ui = procedure?.form?.ui || {};
  const order = ui.order || [];
  const names = [...order.filter((name) => name in answers), ...Object.keys(answers).filter((name) => !order.includes(name))];
  if (!names.length) return null;
  return section(
    'desk.answers_title',
    'desk-answers',
    el('dl', { className: 'desk-list' }, names.map((name) => {
      const spec = ui.fields?.[name] || {};
      const label = spec.label ? localized(spec.label) : { text: name, lang: null };
      const value = answerText(spec, answers[name]);
      return el(
        'div',
        { className: 'desk-row', dataset: { answer: name } },
        el('dt', { lang: label.lang }, label.text),
        value.key ? tx('dd', value.key) : el('dd', { lang: value.lang }, value.text),
      );
    })),
  );
}

function answerText(spec, value) {
  if (spec.options?.[value]) return localized(spec.options[value]);
  if (typeof value === 'boolean') return { key: value ? 'desk.yes' : 'desk.no' };
  if (spec.widget === 'date') return { text: formatDate(value), lang: null };
  if (Array.isArray(value)) return { text: value.map((item) => (spec.options?.[item] ? localized(spec.options[item]).text : item)).join(', '), lang: null };
  return { text: value == null ? '—' : String(value), lang: null };
}

/** What the citizen was asked to redo, or how the result is delivered; null when neither applies. */
export function noticeSection(ctx) {
  const { app } = ctx;
  const last = (kind) => [...(app.timeline || [])].reverse().find((entry) => entry.kind === kind)?.data || null;
  if (app.status === 'supplement_requested') {
    const asked = app.supplement || last('request_supplement');
    if (!asked) return null;
    return el(
      'div',
      { className: 'notice desk-notice', role: 'note' },
      tx('p', 'desk.supplement.waiting', { className: 'notice__text desk-notice__title' }),
      el('ul', { className: 'desk-notice__slots' }, (asked.slots || []).map((slot) => {
        const label = slotLabel(ctx, slot);
        return el('li', { lang: label.lang, dataset: { slot } }, label.text);
      })),
      asked.reason ? el('p', { className: 'notice__text' }, tx('span', 'desk.reason_prefix'), ' ', asked.reason) : null,
    );
  }
  const result = app.result || (['result_ready', 'completed'].includes(app.status) ? last('mark_result_ready') : null);
  if (!result?.result) return null;
  let link = null;
  if (result.result === 'electronic' && result.url) {
    link = tx('a', 'desk.result.open_pdf', { href: result.url, target: '_blank', rel: 'noopener', className: 'button button--secondary' });
    ctx.resultLinks.push(link);
  }
  return el(
    'div',
    { className: 'notice desk-notice desk-result', role: 'note', dataset: { result: result.result } },
    tx('p', `desk.result.done_${result.result}`, { className: 'notice__text desk-notice__title' }, { tracking: result.tracking_number || '' }),
    link,
  );
}

/** Every event of the application, oldest first. */
export function timelineSection(ctx) {
  const entries = ctx.app.timeline || [];
  return section(
    'desk.timeline_title',
    'desk-timeline',
    entries.length
      ? el('ol', { className: 'timeline' }, entries.map((entry) => timelineEntry(ctx, entry)))
      : tx('p', 'desk.timeline_empty', { className: 'placeholder' }),
  );
}

function timelineEntry(ctx, entry) {
  const data = entry.data || {};
  const role = entry.actor?.role;
  const who = [role && has(`desk.role.${role}`) ? t(`desk.role.${role}`) : role, entry.actor?.name].filter(Boolean).join(' · ');
  const result = data.result && has(`desk.result.kind_${data.result}`) ? t(`desk.result.kind_${data.result}`) : data.result;
  return el(
    'li',
    { className: 'timeline__item', dataset: { kind: entry.kind } },
    has(`desk.event.${entry.kind}`) ? tx('p', `desk.event.${entry.kind}`, { className: 'timeline__what' }) : el('p', { className: 'timeline__what' }, entry.kind),
    el('p', { className: 'timeline__meta' }, el('time', { datetime: entry.at }, formatDateTime(entry.at)), who ? ` · ${who}` : null),
    data.slots?.length ? el('p', { className: 'timeline__detail' }, tx('span', 'desk.slots_prefix'), ' ', data.slots.map((slot) => slotLabel(ctx, slot).text).join('; ')) : null,
    data.reason ? el('p', { className: 'timeline__detail' }, tx('span', 'desk.reason_prefix'), ' ', data.reason) : null,
    result ? el('p', { className: 'timeline__detail' }, result, data.tracking_number ? ` · ${data.tracking_number}` : null) : null,
  );
}
