// One application as its citizen follows it (/application?code=X): the status in words, the due date in
// Vietnam's time and whether it is late, who handles it, the fee, the result, the papers and every step
// of its history. While the fee is unpaid, the fee panel (js/payment.js) offers to pay it online; once
// paid it shows the receipt. When the commune asks for papers again, the papers to retake and the officer's reason
// come first (js/supplement.js). Links to the papers expire after five minutes: they are fetched again
// before they do, and at once when one fails. A late application shows the commune's apology with its new
// date, and a settled one asks the citizen how it went (js/case-feedback.js).

import { ApiError, errorKey, getJson, sendJson } from './api.js';
import { apologyBox, ratingCard } from './case-feedback.js';
import { timelineBox } from './case-timeline.js';
import { clearText, el, setText, tx } from './dom.js';
import { messageLine, setBusy, uid } from './form.js';
import { formatDate, formatDateTime } from './format.js';
import { formatFee } from './home.js';
import { has, loadBundle, localized, t } from './i18n.js';
import { loadThenRender } from './panels.js';
import { fetchPayment, hasPaymentPanel, paymentPanel } from './payment.js';
import { loadCatalog } from './procedures.js';
import { queryParam } from './router.js';
import { currentUser, isOfficer } from './session.js';
import { slotName, supplementPanel } from './supplement.js';

const PATH = '/api/status/applications';
// Fetch fresh links this long before the old ones expire.
const LINK_MARGIN_S = 30;
const LINK_SECONDS = 300;
// A broken image reloads the links at most this often, so a bucket that is down cannot cause a loop.
const RELOAD_GAP_MS = 10000;

/** Show the application of ?code= in `container`; returns its cleanup. */
export function mountApplication(container) {
  const code = queryParam('code');
  if (!code) {
    container.replaceChildren(el('section', { className: 'screen' },
      tx('h2', 'case.title', { className: 'screen__title' }),
      tx('p', 'case.no_code', { className: 'placeholder', role: 'alert' }),
      tx('a', 'case.my_applications', { href: '/applications', className: 'button button--block' })));
    return () => {};
  }
  const screen = { container, code, app: null, part: null, pay: null, timer: null, lastReload: 0, left: false };
  // The retake cards use the apply flow's texts (camera, upload progress).
  const stop = loadThenRender(container, () => Promise.all([load(screen), loadBundle('apply')]), ([loaded]) => show(screen, loaded));
  return () => {
    screen.left = true;
    stop();
    clearTimeout(screen.timer);
    screen.part?.leave();
    screen.pay?.leave();
  };
}

async function fetchApplication(code) {
  return (await getJson(`${PATH}/${encodeURIComponent(code)}`)).data;
}

// The application, plus the catalog's photo settings when papers are to be retaken (the defaults of
// js/photo/compress.js when the catalog cannot be had) and its payment when there is a fee (the panel
// shows its own error and retry when that cannot be had).
async function load(screen) {
  const app = await fetchApplication(screen.code);
  const [photo, payment] = await Promise.all([
    app.status === 'supplement_requested' ? loadCatalog().then((c) => c.photo, () => null) : null,
    hasPaymentPanel(app) ? fetchPayment(app.code).catch((error) => ({ error })) : null,
  ]);
  return { app, photo, payment };
}

function show(screen, { app, photo, payment }, notice = null) {
  if (screen.left) return;
  screen.part?.leave();
  screen.pay?.leave();
  screen.part = null;
  screen.app = app;
  const name = localized(app.procedure_name);
  const message = messageLine('error');
  const status = el('p', { className: 'message message--ok case__notice', role: 'status', tabindex: '-1', hidden: true });
  if (notice) setText(status, notice);
  const retake = app.status === 'supplement_requested' && app.supplement
    ? supplementPanel({ app, photo, send: (documents) => act(screen, { action: 'resubmit', documents }, 'case.resubmitted') })
    : null;
  screen.part = retake;
  screen.pay = hasPaymentPanel(app) ? paymentPanel({
    // The owner pays (an officer of the commune sees the receipt); a payment that moved on meanwhile
    // reloads everything once, with what happened as the notice.
    app, view: payment, owner: !isOfficer(currentUser()), onStale: notice === 'pay.paid_now' || notice === 'pay.nothing_to_pay'
      ? null : (key) => load(screen).then((loaded) => show(screen, loaded, key), () => {}),
  }) : null;
  screen.container.replaceChildren(el(
    'section',
    { className: 'screen case', dataset: { code: app.code, status: app.status } },
    tx('h2', 'case.title', { className: 'screen__title' }),
    el('p', { className: 'case__procedure', lang: name.lang }, name.text),
    el('p', { className: 'case__code' }, tx('span', 'case.code_label', { className: 'case__code-label' }), ' ', el('strong', {}, app.code)),
    status,
    stateBox(app),
    apologyBox(app),
    isOfficer(currentUser()) ? null : ratingCard(app, (body) => rate(screen, body)),
    retake?.element,
    screen.pay?.element,
    resultBox(app),
    facts(app),
    app.actions?.includes('withdraw') ? withdrawBox(screen, message) : null,
    message,
    documentsBox(screen, app),
    timelineBox(app),
    isOfficer(currentUser()) ? null : tx('a', 'case.complain', {
      href: `/feedback/new?code=${encodeURIComponent(app.code)}`, className: 'button button--secondary button--block case__complain',
    }),
    tx('a', 'case.my_applications', { href: '/applications', className: 'button button--secondary button--block case__back' }),
  ));
  // After an action the screen is new: take the citizen (and the screen reader) to what happened.
  if (notice) status.focus();
  scheduleLinks(screen, app);
}

function stateBox(app) {
  const key = has(`case.state.${app.status}`) ? app.status : 'unknown';
  return el(
    'div',
    { className: `case__state case__state--${key}` },
    tx('p', 'case.state_label', { className: 'case__state-label' }),
    tx('p', `case.state.${key}`, { className: 'case__state-name' }),
    has(`case.state_hint.${key}`) && t(`case.state_hint.${key}`) ? tx('p', `case.state_hint.${key}`, { className: 'case__state-hint' }) : null,
    app.overdue ? tx('p', 'case.overdue', { className: 'case__overdue' }) : null,
  );
}

function facts(app) {
  const officer = officerName(app.timeline || []);
  const payment = has(`case.payment_state.${app.payment_state}`) ? app.payment_state : 'unknown';
  const method = app.delivery?.method || 'none';
  // [label, answer]: a row each, in the order people ask "when, who, how much, how".
  const pairs = [
    ['case.due_date', el('dd', { dataset: { dueDate: app.due_date } },
      el('span', { className: 'case__due' }, formatDate(app.due_date)),
      app.due_at ? tx('span', 'case.due_at', { className: 'case__due-time' }, { time: formatDateTime(app.due_at) }) : null)],
    ['case.handled_by', el('dd', {}, app.commune_name || app.commune_code)],
    ['case.officer', officer ? el('dd', {}, officer) : null],
    ['case.payment', setText(el('dd', { dataset: { payment: app.payment_state } }), 'case.payment_line', {
      amount: formatFee(app.fee_vnd), state: t(`case.payment_state.${payment}`),
    })],
    ['case.delivery', tx('dd', has(`apply.method_${method}`) ? `apply.method_${method}` : 'apply.method_none')],
    ['case.submitted_at', el('dd', {}, formatDateTime(app.submitted_at))],
  ];
  return el('dl', { className: 'summary summary__list case__facts' }, pairs
    .filter(([, answer]) => answer)
    .map(([label, answer]) => el('div', { className: 'summary__row' }, tx('dt', label), answer)));
}

// The last officer who acted and gave a name (a citizen never sees staff ids, only names).
function officerName(timeline) {
  const named = timeline.filter((entry) => entry.actor?.role === 'officer' && entry.actor?.name);
  return named.length ? named[named.length - 1].actor.name : null;
}

function resultBox(app) {
  const result = app.result;
  if (!result) return null;
  const lines = [];
  if (result.result === 'electronic') {
    lines.push(tx('p', 'case.result_electronic'));
    if (result.url) {
      lines.push(tx('a', 'case.result_download', {
        href: result.url, target: '_blank', rel: 'noopener', className: 'button button--block case__download', dataset: { result: 'pdf' },
      }));
    }
  } else if (result.result === 'post') {
    lines.push(tx('p', 'case.result_post'));
    if (result.tracking_number) {
      lines.push(tx('p', 'case.result_tracking', { className: 'case__tracking' }, { number: result.tracking_number }));
    }
  } else if (result.result === 'pickup') {
    lines.push(tx('p', 'case.result_pickup', {}, { commune: app.commune_name || app.commune_code }));
  }
  return el('section', { className: 'case__result', dataset: { result: result.result } },
    tx('h3', 'case.result_title', { className: 'subsection-title' }), lines);
}

function documentsBox(screen, app) {
  const slots = Object.entries(app.documents || {}).filter(([, pages]) => Array.isArray(pages) && pages.length);
  if (!slots.length) return null;
  return el(
    'section',
    { className: 'case__documents' },
    tx('h3', 'case.documents_title', { className: 'subsection-title' }),
    slots.map(([slotId, pages]) => {
      const name = slotName(app, slotId);
      return el(
        'div',
        { className: 'case__slot', dataset: { slot: slotId } },
        el('h4', { className: 'case__slot-name', lang: name.lang }, name.text),
        el('ul', { className: 'case__thumbs' }, pages.map((page, index) => el('li', {}, pageThumb(screen, page, name, index + 1)))),
      );
    }),
  );
}

// A tap shows the page full width (the image is already loaded, so an expired link does not matter).
function pageThumb(screen, page, name, n) {
  if (page.missing || !page.url) return tx('span', 'case.page_missing', { className: 'case__thumb case__thumb--missing' });
  const params = { name: name.text, n };
  const content = page.content_type === 'application/pdf'
    ? el('span', { className: 'case__pdf', 'aria-hidden': 'true' }, 'PDF')
    : el('img', { src: page.url, alt: t('case.page_alt', params), loading: 'lazy', dataset: { documentId: page.document_id } });
  if (content.tagName === 'IMG') content.addEventListener('error', () => reloadLinks(screen));
  const button = el('button', {
    type: 'button', className: 'case__thumb', 'aria-label': t('case.open_page', params), 'aria-expanded': 'false',
    dataset: { documentId: page.document_id },
  }, content);
  button.addEventListener('click', () => {
    if (page.content_type === 'application/pdf') {
      window.open(button.dataset.url || page.url, '_blank', 'noopener');
      return;
    }
    const large = button.classList.toggle('case__thumb--large');
    button.setAttribute('aria-expanded', String(large));
  });
  return button;
}

function withdrawBox(screen, message) {
  const start = tx('button', 'case.withdraw', { type: 'button', className: 'button button--secondary button--block' });
  const reasonId = uid('reason');
  const reason = el('textarea', { id: reasonId, className: 'input input--textarea', maxlength: 1000, rows: 3 });
  const confirm = tx('button', 'case.withdraw_confirm', { type: 'button', className: 'button button--danger' });
  const keep = tx('button', 'case.withdraw_keep', { type: 'button', className: 'button button--secondary' });
  const ask = el(
    'div',
    { className: 'case__confirm', role: 'group', hidden: true },
    tx('p', 'case.withdraw_warning', { className: 'case__warning' }),
    el('div', { className: 'field' }, tx('label', 'case.withdraw_reason', { className: 'field__label', for: reasonId }), reason),
    el('div', { className: 'case__confirm-actions' }, confirm, keep),
  );
  start.addEventListener('click', () => {
    start.hidden = true;
    ask.hidden = false;
    confirm.focus();
  });
  keep.addEventListener('click', () => {
    ask.hidden = true;
    start.hidden = false;
  });
  confirm.addEventListener('click', async () => {
    clearText(message);
    setBusy(confirm, true);
    const why = reason.value.trim();
    try {
      await act(screen, why ? { action: 'withdraw', reason: why } : { action: 'withdraw' }, 'case.withdrawn');
    } catch (error) {
      if (error?.status !== 401) setText(message, errorKey(error));
      setBusy(confirm, false);
    }
  });
  return el('section', { className: 'case__withdraw' }, start, ask);
}

/**
 * Take a citizen action at the version on show; the answer is the new view. A stale version or a step
 * the application has left reloads it and says so; other refusals reject for the caller to show.
 */
async function act(screen, body, doneKey) {
  try {
    const { data } = await sendJson('POST', `${PATH}/${encodeURIComponent(screen.code)}/actions`, { ...body, version: screen.app.version });
    show(screen, { app: data, photo: null }, doneKey);
  } catch (error) {
    if (!(error instanceof ApiError) || !['conflict', 'invalid_transition'].includes(error.code)) throw error;
    show(screen, await load(screen), 'case.reloaded');
  }
}

// Give or change the rating; the screen is drawn again with the rating as stored.
async function rate(screen, body) {
  await sendJson('PUT', `${PATH}/${encodeURIComponent(screen.code)}/rating`, body);
  show(screen, await load(screen), 'case.rating.saved');
}

// Fresh links shortly before the old ones expire, for as long as the screen is open.
function scheduleLinks(screen, app) {
  clearTimeout(screen.timer);
  const pages = Object.values(app.documents || {}).flat().filter((page) => page?.url);
  if (!pages.length && !app.result?.url) return;
  const seconds = Math.min(LINK_SECONDS, ...pages.map((page) => page.expires_in || LINK_SECONDS));
  screen.timer = setTimeout(() => reloadLinks(screen, true), Math.max(5, seconds - LINK_MARGIN_S) * 1000);
}

/**
 * Fetch the application again. Unchanged: only the links on show are replaced, so nothing the citizen
 * is doing (a retake, a confirmation) is lost. Changed meanwhile: the whole screen is drawn again.
 */
async function reloadLinks(screen, scheduled = false) {
  if (screen.left || (!scheduled && Date.now() - screen.lastReload < RELOAD_GAP_MS)) return;
  screen.lastReload = Date.now();
  let app;
  try {
    app = await fetchApplication(screen.code);
  } catch {
    return; // offline or signed out: the old pictures stay; the next try comes with the next failure
  }
  if (screen.left) return;
  if (app.version !== screen.app.version || app.status !== screen.app.status) {
    show(screen, await load(screen).catch(() => ({ app, photo: null })), 'case.reloaded');
    return;
  }
  screen.app = app;
  const urls = new Map(Object.values(app.documents || {}).flat().filter((p) => p?.url).map((p) => [p.document_id, p.url]));
  for (const node of screen.container.querySelectorAll('[data-document-id]')) {
    const url = urls.get(node.dataset.documentId);
    if (!url) continue;
    if (node.tagName === 'IMG') node.src = url;
    else node.dataset.url = url;
  }
  const download = screen.container.querySelector('[data-result="pdf"]');
  if (download && app.result?.url) download.href = app.result.url;
  scheduleLinks(screen, app);
}
