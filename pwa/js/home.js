// The home screen: the procedure catalog as large cards, or a clear error with a retry.

import { el } from './dom.js';
import { has, localized, t, tCount } from './i18n.js';
import { errorPanel } from './panels.js';

// Amounts are integer VND; Vietnamese grouping ("50.000 ₫") is what people see on receipts.
const vnd = new Intl.NumberFormat('vi-VN', { style: 'currency', currency: 'VND', maximumFractionDigits: 0 });

/** Render the home screen for `state` = { procedures, error, fromCache } into `container`. */
export function renderHome(container, state, onRetry) {
  container.setAttribute('aria-busy', String(!state.procedures && !state.error));
  container.replaceChildren(...homeContent(state, onRetry));
}

function homeContent(state, onRetry) {
  if (state.error) return [errorPanel('home.load_failed', state.error, onRetry)];
  if (!state.procedures) return [el('p', { className: 'placeholder' }, t('common.loading'))];
  if (state.procedures.length === 0) return [el('p', { className: 'placeholder' }, t('home.empty'))];
  return [
    state.fromCache ? el('p', { className: 'note' }, t('home.saved_copy')) : null,
    el('ul', { className: 'procedure-list' }, state.procedures.map((p) => el('li', {}, procedureCard(p)))),
  ].filter(Boolean);
}

function procedureCard(procedure) {
  const name = localized(procedure.name);
  return el(
    'article',
    { className: 'procedure-card', dataset: { procedureId: procedure.id } },
    el('h3', { className: 'procedure-card__name', lang: name.lang }, name.text),
    el(
      'dl',
      { className: 'procedure-card__facts' },
      fact(t('procedure.fee'), formatFee(procedure.fee_vnd), 'fee'),
      fact(t('procedure.processing'), tCount('procedure.days', procedure.processing_days), 'days'),
      // A shorter period the commune commits to for online applications, shown beside the legal one.
      procedure.online_processing_days != null && procedure.online_processing_days < procedure.processing_days
        ? fact(t('procedure.processing_online'), tCount('procedure.days', procedure.online_processing_days), 'days-online')
        : null,
      has(`authority.${procedure.authority}`)
        ? fact(t('procedure.authority'), t(`authority.${procedure.authority}`), 'authority')
        : null,
    ),
    procedure.postal_delivery ? el('p', { className: 'badge' }, t('procedure.postal_delivery')) : null,
    procedure.code ? el('p', { className: 'procedure-card__code' }, t('procedure.code', { code: procedure.code })) : null,
    // Only procedures published with a form can be applied for online.
    procedure.form
      ? el('a', { className: 'button button--block procedure-card__apply', href: `/apply?procedure=${encodeURIComponent(procedure.id)}` }, t('procedure.apply'))
      : null,
  );
}

function fact(label, value, kind) {
  return el('div', { className: 'fact', dataset: { fact: kind } }, el('dt', {}, label), el('dd', {}, value));
}

// A name missing in the chosen language falls back to Vietnamese, marked as such for screen readers.
/** "Miễn phí"/"Free" for 0, otherwise the amount in VND. */
export function formatFee(amount) {
  return amount > 0 ? vnd.format(amount) : t('procedure.fee_free');
}
