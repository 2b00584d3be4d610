// The fee panel on a citizen's application (js/application.js): what is to be paid (the fee, plus postage
// when the result goes by post), a big "Thanh toán lệ phí" button that opens an order and goes to the
// gateway's page, the open order's expiry, and once paid the receipt: amount, time in Vietnam's time, the
// gateway's transaction number and the bank. The amount always comes from the server; only the gateway's
// server-to-server callback (or a "check again" the server makes) marks an order paid.

import { ApiError, errorKey, getJson, sendJson } from './api.js';
import { clearText, el, setText, tx } from './dom.js';
import { messageLine, setBusy } from './form.js';
import { formatDateTime } from './format.js';
import { formatFee } from './home.js';
import { currentLanguage } from './i18n.js';

const PATH = '/api/pay/applications';

function paymentPath(code) {
  return `${PATH}/${encodeURIComponent(code)}/payment`;
}

/** getPayment: `{code, payment_state, order}` of an application. */
export async function fetchPayment(code) {
  return (await getJson(paymentPath(code))).data;
}

/** "Check again": the server asks the gateway about the latest order now; the same shape as fetchPayment. */
export async function checkPayment(code) {
  return (await sendJson('POST', `${paymentPath(code)}/check`, {})).data;
}

// A withdrawn or rejected application is not to be paid for any more.
const CLOSED = ['withdrawn', 'rejected'];

/** True when the application has a fee panel to show (something to pay, or a receipt). */
export function hasPaymentPanel(app) {
  return (app.payment_state === 'unpaid' && !CLOSED.includes(app.status)) || app.payment_state === 'paid';
}

/**
 * The fee panel of `app`: `{ element, leave }`. `view` is getPayment's answer when already loaded
 * (undefined: the panel loads it). `owner`: only the applicant may pay (officers see the receipt).
 * `onStale(noticeKey)` reloads the whole application when the payment state moved on meanwhile (null: the
 * panel shows what the payment says, e.g. right after such a reload).
 */
export function paymentPanel({ app, view, owner, onStale }) {
  const panel = { app, owner, onStale, left: false, element: el('section', { className: 'pay' }) };
  const reload = () => load(panel);
  // Back from the gateway's page the browser may restore this page as it was left ("Đang chuyển…").
  const restored = (event) => {
    if (event.persisted) reload();
  };
  window.addEventListener('pageshow', restored);
  if (view && !view.error) render(panel, view);
  else reload();
  return {
    element: panel.element,
    leave() {
      panel.left = true;
      window.removeEventListener('pageshow', restored);
    },
  };
}

async function load(panel) {
  panel.element.setAttribute('aria-busy', 'true');
  try {
    const view = await fetchPayment(panel.app.code);
    if (!panel.left) render(panel, view);
  } catch (error) {
    if (!panel.left && error?.status !== 401) renderError(panel, error);
  }
}

// The payment state moved on since the application was loaded (paid meanwhile): show it all afresh.
function stale(panel, view) {
  return view.payment_state !== panel.app.payment_state;
}

function render(panel, view, notice = null) {
  panel.element.removeAttribute('aria-busy');
  if (stale(panel, view) && panel.onStale) {
    panel.onStale(view.payment_state === 'paid' ? 'pay.paid_now' : 'pay.nothing_to_pay');
    return;
  }
  const order = view.order;
  panel.element.dataset.paymentState = view.payment_state;
  panel.element.dataset.orderState = order?.state || 'none';
  let body = [tx('p', 'case.payment_state.not_required', { className: 'pay__hint' })];
  if (view.payment_state === 'paid') body = receiptBox(order);
  else if (view.payment_state === 'unpaid') body = toPay(panel, order, notice);
  panel.element.replaceChildren(tx('h3', 'pay.title', { className: 'subsection-title pay__title' }), ...body.filter(Boolean));
}

function renderError(panel, error) {
  panel.element.removeAttribute('aria-busy');
  panel.element.replaceChildren(
    tx('h3', 'pay.title', { className: 'subsection-title pay__title' }),
    el('div', { className: 'error-panel', role: 'alert' },
      tx('p', 'pay.load_failed', { className: 'error-panel__title' }),
      tx('p', errorKey(error), { className: 'error-panel__message' }),
      tx('button', 'common.retry', { type: 'button', className: 'button', onclick: () => load(panel) })),
  );
}

// The amount and its parts: the order's breakdown once there is one, else the fee (postage, if any, is
// added by the server when the order is opened).
function amountBox(app, order) {
  const parts = order?.breakdown || { fee_vnd: app.fee_vnd, postage_vnd: 0, amount_vnd: app.fee_vnd };
  const byPost = app.delivery?.method === 'post';
  const rows = [
    row('pay.fee', formatFee(parts.fee_vnd), 'fee'),
    parts.postage_vnd > 0 ? row('pay.postage', formatFee(parts.postage_vnd), 'postage') : null,
  ];
  return el(
    'div',
    { className: 'pay__amount-box' },
    tx('p', 'pay.amount_label', { className: 'pay__label' }),
    el('p', { className: 'pay__amount', dataset: { amount: String(parts.amount_vnd) } }, formatFee(parts.amount_vnd)),
    el('dl', { className: 'pay__parts' }, rows),
    !order?.breakdown && byPost ? tx('p', 'pay.postage_later', { className: 'pay__hint' }) : null,
  );
}

function toPay(panel, order, notice) {
  const message = messageLine('error');
  const status = el('p', { className: 'message message--ok', role: 'status', hidden: true });
  if (notice) setText(status, notice);
  const pending = order?.state === 'pending';
  const open = pending && order.open;
  const lines = [
    amountBox(panel.app, order),
    open && order.expires_at ? tx('p', 'pay.open_until', { className: 'pay__open' }, { time: formatDateTime(order.expires_at) }) : null,
    order?.state === 'failed' ? tx('p', 'pay.last_failed', { className: 'pay__last' }) : null,
    order?.state === 'expired' ? tx('p', 'pay.last_expired', { className: 'pay__last' }) : null,
  ];
  if (!panel.owner) return [...lines, status];
  const pay = tx('button', open ? 'pay.continue' : 'pay.button', { type: 'button', className: 'button button--large button--block pay__button' });
  pay.addEventListener('click', () => startPayment(panel, pay, message, status));
  const check = pending ? tx('button', 'pay.check', { type: 'button', className: 'button button--secondary button--block' }) : null;
  check?.addEventListener('click', () => checkAgain(panel, check, message));
  return [...lines, pay, tx('p', 'pay.how', { className: 'pay__hint' }), check, status, message];
}

/** createPayment, then off to the gateway's page (the same open order when one exists). */
async function startPayment(panel, button, message, status) {
  clearText(message);
  setBusy(button, true);
  try {
    const { data } = await sendJson('POST', paymentPath(panel.app.code), { lang: currentLanguage() });
    const url = new URL(data.pay_url, window.location.origin);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ApiError('unknown');
    render(panel, data, 'pay.redirecting');
    const shown = panel.element.querySelector('.pay__button');
    if (shown) setBusy(shown, true);
    window.location.assign(url.href);
  } catch (error) {
    if (error instanceof ApiError && error.code === 'payment_not_required' && panel.onStale) {
      panel.onStale('pay.nothing_to_pay');
      return;
    }
    setBusy(button, false);
    clearText(status);
    if (error?.status === 401) return; // the global handler goes to sign-in
    setText(message, error?.details?.reason === 'payment_in_progress' ? 'pay.in_progress' : errorKey(error));
  }
}

async function checkAgain(panel, button, message) {
  clearText(message);
  setBusy(button, true);
  try {
    const view = await checkPayment(panel.app.code);
    if (panel.left) return;
    const still = view.order?.state === 'pending';
    render(panel, view, still ? 'pay.still_pending' : null);
  } catch (error) {
    setBusy(button, false);
    if (error?.status !== 401) setText(message, errorKey(error));
  }
}

// "Đã nộp lệ phí" and the receipt, when the order has one.
function receiptBox(order) {
  return [tx('p', 'pay.paid', { className: 'pay__paid' }), order?.receipt ? receiptList(order) : null];
}

/** A paid order's receipt: amount, time (Vietnam), the gateway's transaction number, bank, our reference. */
export function receiptList(order) {
  const receipt = order.receipt;
  return el(
    'dl',
    { className: 'pay__receipt' },
    row('pay.receipt_amount', formatFee(receipt.amount_vnd), 'amount'),
    receipt.paid_at ? row('pay.receipt_time', null, 'time', el('time', { datetime: receipt.paid_at },
      setText(el('span'), 'pay.receipt_time_value', { time: formatDateTime(receipt.paid_at) }))) : null,
    receipt.transaction_no ? row('pay.receipt_transaction', receipt.transaction_no, 'transaction') : null,
    receipt.bank_code ? row('pay.receipt_bank', receipt.bank_code, 'bank') : null,
    order.txn_ref ? row('pay.receipt_order', order.txn_ref, 'order') : null,
  );
}

function row(label, text, kind, node = null) {
  return el('div', { className: 'pay__row', dataset: { fact: kind } }, tx('dt', label), el('dd', {}, node || text));
}
