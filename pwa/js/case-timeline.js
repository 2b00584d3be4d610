// An application's history as its citizen sees it (js/application.js): every step, newest last, with who
// took it and when (Vietnam's time); the commune's steps come from the status texts, the gateway's payment
// records from the pay texts.

import { el, tx } from './dom.js';
import { has } from './i18n.js';
import { formatDateTime } from './format.js';
import { slotName } from './supplement.js';

// vnp_ResponseCode 24: the customer cancelled on the gateway's page.
const CANCELLED = '24';

/** The timeline section of `app`, or null when it has no entries. */
export function timelineBox(app) {
  const entries = app.timeline || [];
  if (!entries.length) return null;
  return el(
    'section',
    { className: 'case__timeline' },
    tx('h3', 'case.timeline_title', { className: 'subsection-title' }),
    el('ol', { className: 'timeline' }, entries.map((entry) => timelineEntry(app, entry))),
  );
}

function eventKey(entry) {
  const data = entry.data || {};
  if (entry.kind === 'payment_failed' && data.response_code === CANCELLED) return 'pay.event.payment_cancelled';
  if (has(`case.event.${entry.kind}`)) return `case.event.${entry.kind}`;
  return has(`pay.event.${entry.kind}`) ? `pay.event.${entry.kind}` : 'case.event.unknown';
}

function timelineEntry(app, entry) {
  const data = entry.data || {};
  const slots = Array.isArray(data.slots) ? data.slots.map((slotId) => slotName(app, slotId).text) : [];
  const paid = entry.kind === 'payment_paid' && data.transaction_no;
  return el(
    'li',
    { className: 'timeline__item', dataset: { kind: entry.kind } },
    tx('p', eventKey(entry), { className: 'timeline__what' }),
    el('p', { className: 'timeline__when' }, el('time', { datetime: entry.at }, formatDateTime(entry.at)), ' · ', actorText(entry.actor)),
    data.reason ? tx('p', 'case.timeline_reason', { className: 'timeline__reason' }, { reason: data.reason }) : null,
    slots.length ? tx('p', 'case.timeline_slots', { className: 'timeline__detail' }, { names: slots.join(', ') }) : null,
    data.tracking_number ? tx('p', 'case.result_tracking', { className: 'timeline__detail' }, { number: data.tracking_number }) : null,
    paid ? tx('p', 'pay.event.transaction', { className: 'timeline__detail' }, { number: data.transaction_no }) : null,
  );
}

function actorText(actor = {}) {
  if (actor.role === 'officer' && actor.name) return tx('span', 'case.actor.officer_named', {}, { name: actor.name });
  if (actor.role === 'gateway') return tx('span', 'pay.actor.gateway');
  return tx('span', has(`case.actor.${actor.role}`) ? `case.actor.${actor.role}` : 'case.actor.system');
}
