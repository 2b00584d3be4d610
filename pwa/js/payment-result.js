// /payment/result: where the gateway sends the citizen back (its signed vnp_* parameters in the query).
// The server checks the signature and says what happened: paid, cancelled (vnp_ResponseCode 24), failed,
// or "checking" (the gateway says paid but its server-to-server confirmation has not arrived yet). This
// page never records anything, and a bad signature never shows "paid". The vnp_ parameters leave the
// address bar as soon as they are read, so a reload or a shared link does not carry them; the address
// keeps ?code= instead, and this page then shows the application's payment as the server has it.

import { ApiError, errorKey, getJson } from './api.js';
import { clearText, el, setText, tx } from './dom.js';
import { messageLine, setBusy } from './form.js';
import { formatFee } from './home.js';
import { loadThenRender } from './panels.js';
import { checkPayment, fetchPayment, receiptList } from './payment.js';
import { replaceQuery } from './router.js';

const RETURN_PATH = '/api/pay/vnpay/return';
const GATEWAY_PREFIX = 'vnp_';
// The confirmation usually lands within seconds: look again a few times before leaving it to the button.
const AUTO_LOOKS = 5;
const LOOK_GAP_MS = 3000;
// The last verified answer, to draw the same page again (a language switch) once the address has lost
// the gateway's parameters.
let remembered = null;

/** Show the payment result for the current address in `container`; returns its cleanup. */
export function mountPaymentResult(container) {
  const params = new URLSearchParams(window.location.search);
  const gateway = new URLSearchParams([...params].filter(([name]) => name.startsWith(GATEWAY_PREFIX)));
  const code = params.get('code');
  if ([...gateway].length) replaceQuery(code ? { code } : {});
  const screen = { container, timer: null, looks: 0, left: false };
  const load = () => {
    if ([...gateway].length) return fromGateway(gateway);
    if (code && remembered?.code === code && remembered.outcome !== 'checking') return Promise.resolve(remembered);
    return code ? fetchPayment(code).then(fromPayment) : Promise.resolve({ outcome: 'missing' });
  };
  const stop = loadThenRender(container, load, (result) => show(screen, result));
  return () => {
    screen.left = true;
    clearTimeout(screen.timer);
    stop();
  };
}

// What the gateway's return says, verified by the server; a paid one comes with its receipt.
async function fromGateway(query) {
  let answer;
  try {
    answer = (await getJson(`${RETURN_PATH}?${query.toString()}`)).data;
  } catch (error) {
    if (error instanceof ApiError && error.code === 'validation_failed') return { outcome: 'bad' };
    throw error;
  }
  const result = { outcome: answer.outcome, code: answer.code, amount_vnd: answer.amount_vnd, order: null };
  if (answer.outcome === 'paid') result.order = await fetchPayment(answer.code).then((view) => view.order, () => null);
  return result;
}

/** The result as the server's record of the application's payment (getPayment or a check) has it. */
function fromPayment(view) {
  const order = view.order;
  const base = { code: view.code, amount_vnd: order?.amount_vnd, order };
  if (view.payment_state === 'paid' || order?.state === 'paid') return { ...base, outcome: 'paid' };
  if (!order) return { ...base, outcome: view.payment_state === 'not_required' ? 'not_required' : 'none' };
  if (order.state === 'pending') return { ...base, outcome: 'checking' };
  return { ...base, outcome: order.state === 'expired' ? 'expired' : 'failed' };
}

function show(screen, result, notice = null) {
  if (screen.left) return;
  clearTimeout(screen.timer);
  if (result.code && result.outcome !== 'bad') {
    remembered = result;
    replaceQuery({ code: result.code });
  }
  const outcome = result.outcome;
  const known = ['paid', 'cancelled', 'failed', 'checking', 'expired', 'none', 'not_required', 'bad', 'missing'];
  const key = known.includes(outcome) ? outcome : 'failed';
  const status = el('p', { className: 'message message--ok pay-result__notice', role: 'status', hidden: true });
  if (notice) setText(status, notice);
  screen.container.replaceChildren(el(
    'section',
    { className: 'screen pay-result', dataset: { outcome: key } },
    tx('h2', 'pay.result.title', { className: 'screen__title' }),
    el(
      'div',
      { className: `pay-result__box pay-result__box--${key}`, role: key === 'bad' ? 'alert' : null },
      tx('p', `pay.result.${key}`, { className: 'pay-result__outcome' }),
      hint(result, key),
      key === 'paid' && result.order?.receipt ? receiptList(result.order) : null,
    ),
    status,
    actions(screen, result, key),
  ));
  if (key === 'checking') lookLater(screen, result);
}

function hint(result, key) {
  if (key === 'paid') {
    return tx('p', 'pay.result.paid_hint', { className: 'pay-result__hint' }, {
      amount: formatFee(result.amount_vnd), code: result.code,
    });
  }
  return tx('p', `pay.result.${key}_hint`, { className: 'pay-result__hint' }, { code: result.code || '' });
}

function actions(screen, result, key) {
  const toApplication = (label, secondary = false) => tx('a', label, {
    href: `/application?code=${encodeURIComponent(result.code)}`,
    className: `button button--block${secondary ? ' button--secondary' : ''}`,
  });
  const mine = tx('a', 'pay.result.my_applications', { href: '/applications', className: 'button button--secondary button--block' });
  if (!result.code || key === 'bad' || key === 'missing') return el('div', { className: 'pay-result__actions' }, mine);
  if (key === 'checking') return el('div', { className: 'pay-result__actions' }, checkButton(screen, result), toApplication('pay.result.open_application', true));
  const retry = ['cancelled', 'failed', 'expired', 'none'].includes(key);
  return el('div', { className: 'pay-result__actions' }, toApplication(retry ? 'pay.result.pay_again' : 'pay.result.open_application'), mine);
}

// "Kiểm tra lại": the server asks the gateway now, and the page shows what it found.
function checkButton(screen, result) {
  const message = messageLine('error');
  const button = tx('button', 'pay.check', { type: 'button', className: 'button button--block pay-result__check' });
  button.addEventListener('click', async () => {
    clearText(message);
    setBusy(button, true);
    try {
      const found = fromPayment(await checkPayment(result.code));
      show(screen, found, found.outcome === 'checking' ? 'pay.still_pending' : null);
    } catch (error) {
      setBusy(button, false);
      if (error?.status !== 401) setText(message, errorKey(error));
    }
  });
  return el('div', { className: 'pay-result__check-box' }, button, message);
}

// While "checking", look at the server's record a few times (no call to the gateway): the confirmation
// usually arrives within seconds of the return.
function lookLater(screen, result) {
  if (screen.looks >= AUTO_LOOKS) return;
  screen.timer = setTimeout(async () => {
    screen.looks += 1;
    let found;
    try {
      found = fromPayment(await fetchPayment(result.code));
    } catch {
      return; // offline or signed out: the button is still there
    }
    if (screen.left) return;
    if (found.outcome === 'checking') lookLater(screen, result);
    else show(screen, found);
  }, LOOK_GAP_MS);
}
