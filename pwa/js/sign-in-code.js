// Sign-in, step 2: the 6-digit SMS code. WebOTP fills it in on phones that support it;
// "Gửi lại mã" shows how long until another code may be sent.

import { errorKey } from './api.js';
import { clearText, el, setText, tx } from './dom.js';
import { clearFieldErrors, field, input, messageLine, setBusy, showFieldError } from './form.js';
import {
  clearPendingSignIn, limitEndsAt, pendingSignIn, requestCode, savePendingSignIn, showWait, verifyCode, waitKey,
} from './otp.js';
import { navigate } from './router.js';
import { displayPhone, landingPath, setUser } from './session.js';

const CODE_LENGTH = 6;
// After these the code is dead: only a new one helps.
const NEED_NEW_CODE = ['otp_locked', 'otp_expired'];

/** Show the code screen in `container` (the guard made sure a sign-in is pending); returns its cleanup. */
export function mountSignInCode(container) {
  const view = buildView();
  let stopCountdown = startResendCountdown(view);
  const verify = () => submitCode(view);

  view.form.addEventListener('submit', (event) => {
    event.preventDefault();
    verify();
  });
  view.resend.addEventListener('click', async () => {
    stopCountdown();
    stopCountdown = await resendCode(view);
  });
  const stopListening = listenForSms(view.code, verify);
  container.replaceChildren(view.section);
  return () => {
    stopCountdown();
    stopListening();
  };
}

function buildView() {
  const code = input({
    name: 'code',
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    maxlength: CODE_LENGTH,
    pattern: '[0-9]*',
    className: 'input input--large input--code',
  });
  const codeField = field({ path: 'code', label: 'sign_in.code_label', control: code });
  const message = messageLine('error');
  const submit = tx('button', 'sign_in.verify', { type: 'submit', className: 'button button--block' });
  const form = el('form', { className: 'form', novalidate: true }, codeField, message, submit);
  const resendStatus = el('p', { className: 'resend__status', role: 'status' });
  const notice = messageLine('ok');
  const resend = tx('button', 'sign_in.resend', { type: 'button', className: 'button button--secondary button--block' });
  const section = el(
    'section',
    { className: 'screen' },
    tx('h2', 'sign_in.code_title', { className: 'screen__title' }),
    tx('p', 'sign_in.code_sent', { className: 'screen__lead' }, { phone: displayPhone(pendingSignIn().phone) }),
    tx('p', 'sign_in.code_autofill', { className: 'note' }),
    form,
    el('div', { className: 'resend' }, notice, resendStatus, resend),
    tx('a', 'sign_in.change_number', { href: '/sign-in', className: 'button button--link button--block' }),
  );
  return { section, form, code, codeField, message, notice, submit, resend, resendStatus };
}

// The resend button stays disabled, with the time left beside it, until another code may be sent.
function startResendCountdown(view) {
  const pending = pendingSignIn();
  view.resend.disabled = true;
  const key = pending.limit ? waitKey(pending.limit) : 'sign_in.resend_in';
  return showWait(view.resendStatus, key, pending.resendAt || 0, () => {
    clearText(view.resendStatus);
    view.resend.disabled = false;
  });
}

async function resendCode(view) {
  clearText(view.message);
  clearText(view.notice);
  setBusy(view.resend, true);
  try {
    await requestCode(pendingSignIn().phone);
    setText(view.notice, 'sign_in.code_resent');
  } catch (error) {
    if (error.code === 'otp_rate_limited') {
      savePendingSignIn({ resendAt: limitEndsAt(error), limit: error.details?.limit || 'other' });
    } else {
      setText(view.message, errorKey(error));
    }
  } finally {
    setBusy(view.resend, false);
  }
  return startResendCountdown(view);
}

async function submitCode(view) {
  clearFieldErrors(view.form);
  clearText(view.message);
  clearText(view.notice);
  const code = view.code.value.replace(/\D/g, '');
  if (code.length !== CODE_LENGTH) {
    codeError(view, 'sign_in.code_format');
    return;
  }
  setBusy(view.submit, true);
  try {
    const me = await verifyCode(pendingSignIn().phone, code);
    clearPendingSignIn();
    setUser(me);
    navigate(landingPath(me), { replace: true });
  } catch (error) {
    showVerifyError(view, error);
  } finally {
    setBusy(view.submit, false);
  }
}

function showVerifyError(view, error) {
  if (error.code === 'otp_invalid') {
    const line = codeError(view, 'errors.otp_invalid');
    const left = Number(error.details?.attempts_left);
    if (Number.isFinite(left)) setText(line, 'sign_in.attempts_left', { count: left }, true);
  } else if (error.code === 'validation_failed') {
    codeError(view, 'sign_in.code_format');
  } else {
    setText(view.message, errorKey(error));
    if (!NEED_NEW_CODE.includes(error.code)) return;
    view.code.value = '';
    if (!view.resend.disabled) view.resend.focus();
  }
}

function codeError(view, key) {
  showFieldError(view.codeField, key);
  view.code.select();
  view.code.focus();
  return view.codeField.querySelector('.field__error');
}

// WebOTP (Chrome on Android): the SMS ends with "@host #code"; the browser offers the code.
function listenForSms(codeInput, onCode) {
  if (!('OTPCredential' in window)) return () => {};
  const controller = new AbortController();
  navigator.credentials
    .get({ otp: { transport: ['sms'] }, signal: controller.signal })
    .then((credential) => {
      if (!credential?.code) return;
      codeInput.value = credential.code;
      onCode();
    })
    .catch(() => {}); // Aborted on leaving, refused, or unsupported: typing still works.
  return () => controller.abort();
}
