// Step 4: everything on one page to check, the fee worked out on the phone, and "Nộp hồ sơ". Submitting
// puts the draft in the outbox and sends it at once when there is a connection; without one the screen
// says it is waiting, and the app sends it by itself later (see outbox.js).

import { profileFixedSince } from './apply.js';
import { getDraft } from './db.js';
import { loadDivisions } from './divisions.js';
import { el, setText, tx } from './dom.js';
import { setBusy } from './form.js';
import { formatDate } from './format.js';
import { localized } from './i18n.js';
import { formatFee } from './home.js';
import { flushOutbox, onOutboxChange, submitDraft } from './outbox.js';
import {
  STEPS, activeSlots, cleanAnswers, cleanDelivery, computeFee, stepOfField, validateAnswers, validateDelivery,
  validateDocuments, visibleFields,
} from './procedure-rules.js';
import { navigate } from './router.js';
import { rememberReturnPath } from './session.js';

/** The review step for `ctx` (see apply.js): `{element, check(), showErrors(), leave()}`. */
export function reviewStep(ctx) {
  const { draft, procedure } = ctx;
  // As the server will compute it: from what is sent (the answers shown, the papers of the slots shown).
  const pageCounts = Object.fromEntries(
    activeSlots(procedure, draft.answers).map(({ slot }) => [slot.id, (draft.pages[slot.id] || []).length]),
  );
  const fee = computeFee(procedure, cleanAnswers(procedure, draft.answers), pageCounts);
  const communeLine = el('dd', {}, draft.communeCode || '');
  const addressLine = el('dd', {}, '');
  loadDivisions()
    .then((divisions) => {
      communeLine.textContent = placeName(divisions, draft.communeCode);
      const address = draft.delivery?.address;
      if (address) addressLine.textContent = [address.street, placeName(divisions, address.commune_code)].filter(Boolean).join(', ');
    })
    .catch(() => {}); // offline without the list: the codes stay
  const sending = sendingPanel(ctx);
  const element = el(
    'div',
    { className: 'review' },
    summary(ctx, 'apply.review_answers', STEPS.form, answerRows(ctx)),
    summary(ctx, 'apply.review_documents', STEPS.documents, documentRows(ctx)),
    summary(ctx, 'apply.review_delivery', STEPS.delivery, [
      row('apply.commune_title', communeLine),
      row('apply.delivery_title', tx('dd', `apply.method_${draft.delivery?.method || 'none'}`)),
      draft.delivery?.method === 'post' ? row('apply.address_title', addressLine) : null,
    ]),
    el(
      'div',
      { className: 'fee-box' },
      tx('p', 'apply.fee_label', { className: 'fee-box__label' }),
      el('p', { className: 'fee-box__amount', dataset: { fee: String(fee) } }, formatFee(fee)),
      tx('p', 'apply.fee_note', { className: 'note' }),
      draft.delivery?.method === 'post' ? tx('p', 'apply.postage_note', { className: 'note' }) : null,
    ),
    profileLink(ctx),
    sending.element,
  );
  return { element, check: () => ({}), showErrors: () => null, leave: sending.leave };
}

function summary(ctx, titleKey, step, rows) {
  const editable = ctx.draft.state === 'draft';
  return el(
    'section',
    { className: 'summary' },
    el(
      'div',
      { className: 'summary__head' },
      tx('h3', titleKey, { className: 'subsection-title' }),
      editable ? tx('button', 'apply.edit', { type: 'button', className: 'button button--link', onclick: () => ctx.goTo(step) }) : null,
    ),
    el('dl', { className: 'summary__list' }, rows),
  );
}

function row(labelKey, value) {
  return el('div', { className: 'summary__row' }, tx('dt', labelKey), value);
}

function textRow(label, value) {
  return el('div', { className: 'summary__row' }, el('dt', { lang: label.lang }, label.text), el('dd', { lang: value.lang }, value.text));
}

function answerRows(ctx) {
  const { procedure, draft } = ctx;
  const ui = procedure.form?.ui?.fields || {};
  const answers = cleanAnswers(procedure, draft.answers);
  return visibleFields(procedure, draft.answers)
    .filter((name) => name in answers)
    .map((name) => textRow(localized(ui[name]?.label || { vi: name }), answerText(ui[name] || {}, answers[name])));
}

function answerText(spec, value) {
  if (spec.options?.[value]) return localized(spec.options[value]);
  if (spec.widget === 'date') return { text: formatDate(value), lang: null };
  return { text: String(value), lang: null };
}

function documentRows(ctx) {
  const { procedure, draft } = ctx;
  return activeSlots(procedure, draft.answers).map(({ slot }) => {
    const count = (draft.pages[slot.id] || []).length;
    const label = localized(slot.label);
    return el(
      'div',
      { className: 'summary__row' },
      el('dt', { lang: label.lang }, label.text),
      count ? setText(el('dd'), 'apply.pages_count', { count }, true) : tx('dd', 'apply.no_pages'),
    );
  });
}

function placeName(divisions, code) {
  const commune = divisions.commune(code);
  return commune ? `${commune.name}, ${commune.provinceName}` : code || '';
}

function profileLink(ctx) {
  if (ctx.draft.lastError?.code !== 'profile_required' || profileFixedSince(ctx, ctx.draft.lastError)) return null;
  return tx('a', 'apply.profile_link', {
    href: '/profile',
    className: 'button button--secondary button--block',
    onclick: () => rememberReturnPath(`/apply?draft=${encodeURIComponent(ctx.draft.id)}&step=${STEPS.review}`),
  });
}

// The submit button, or, once submitted, what is happening to the draft.
function sendingPanel(ctx) {
  const { draft } = ctx;
  const status = el('p', { className: 'sending__status', role: 'status', hidden: true });
  const hint = tx('p', 'apply.queued_hint', { className: 'note', hidden: true });
  const submit = tx('button', 'apply.submit', { type: 'button', className: 'button button--block button--large' });
  const retry = tx('button', 'apply.send_now', { type: 'button', className: 'button button--secondary button--block', hidden: true });
  const element = el('div', { className: 'sending' }, status, hint, submit, retry);
  let live = true;

  const showQueued = (sendingNow) => {
    submit.hidden = true;
    element.dataset.state = sendingNow ? 'sending' : 'waiting';
    setText(status, sendingNow ? 'apply.sending' : 'apply.waiting_to_send');
    hint.hidden = sendingNow;
    retry.hidden = sendingNow;
  };
  const settle = async () => {
    const saved = await getDraft(draft.id);
    if (!live || !saved) return;
    if (saved.state === 'sent') {
      navigate(`/receipt?draft=${encodeURIComponent(draft.id)}`, { replace: true });
    } else if (saved.state === 'draft') {
      // Sent back by the server: open the step with the first problem (its errors are on the draft).
      const paths = Object.keys(saved.lastError?.fields || {});
      const step = paths.length ? Math.min(...paths.map(stepOfField)) : STEPS.review;
      navigate(`/apply?draft=${encodeURIComponent(draft.id)}&step=${step}`, { replace: true });
    } else {
      showQueued(false);
    }
  };
  const unsubscribe = onOutboxChange((event) => {
    if (event.draftId !== draft.id || !live) return;
    if (event.status === 'sending') showQueued(navigator.onLine);
    else settle();
  });
  const onConnectivity = () => {
    if (element.dataset.state) showQueued(element.dataset.state === 'sending' && navigator.onLine);
  };
  window.addEventListener('online', onConnectivity);
  window.addEventListener('offline', onConnectivity);

  submit.addEventListener('click', async () => {
    const problems = firstProblems(ctx);
    if (problems) {
      ctx.goTo(problems.step, problems.fields);
      return;
    }
    setBusy(submit, true);
    await ctx.saveNow();
    showQueued(navigator.onLine);
    try {
      await submitDraft(draft.id, outgoing(ctx));
    } catch {
      // Storage failed (quota): the draft is still there, unqueued; let the user try again.
      setBusy(submit, false);
      submit.hidden = false;
      ctx.fail('errors.unknown');
      return;
    }
    settle();
  });
  retry.addEventListener('click', () => {
    showQueued(navigator.onLine);
    flushOutbox().then(settle);
  });

  if (draft.state === 'queued') {
    showQueued(false);
    flushOutbox().then(settle);
  }
  return {
    element,
    leave: () => {
      live = false;
      unsubscribe();
      window.removeEventListener('online', onConnectivity);
      window.removeEventListener('offline', onConnectivity);
    },
  };
}

// The earliest step with a problem, so the user lands where the fix is.
function firstProblems(ctx) {
  const { procedure, draft } = ctx;
  const checks = [
    [STEPS.form, validateAnswers(procedure, draft.answers)],
    [STEPS.documents, validateDocuments(procedure, draft.answers, draft.pages)],
    [STEPS.delivery, validateDelivery(procedure, draft.communeCode, draft.delivery)],
  ];
  const found = checks.find(([, fields]) => Object.keys(fields).length);
  return found ? { step: found[0], fields: found[1] } : null;
}

// The submission as it is now; frozen in the outbox so every retry sends the very same body.
function outgoing(ctx) {
  const { procedure, draft } = ctx;
  return {
    procedure_id: procedure.id,
    commune_code: draft.communeCode,
    answers: cleanAnswers(procedure, draft.answers),
    delivery: cleanDelivery(draft.delivery),
    slots: activeSlots(procedure, draft.answers).map(({ slot }) => slot.id),
  };
}
