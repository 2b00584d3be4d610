// Sign-in, step 1: one large phone number field. New numbers get an account on the first code.

import { errorKey } from './api.js';
import { clearText, el, setText, tx } from './dom.js';
import { clearFieldErrors, field, input, messageLine, setBusy, showFieldError } from './form.js';
import { limitEndsAt, pendingSignIn, requestCode, showWait, waitKey } from './otp.js';
import { navigate } from './router.js';
import { displayPhone } from './session.js';

// Codes that are about the number itself, so they are shown next to the field.
const PHONE_ERRORS = ['phone_invalid', 'phone_country_not_supported'];

/** Show the phone screen in `container`; returns its cleanup. */
export function mountSignIn(container) {
  const phone = input({
    type: 'tel',
    name: 'phone',
    inputmode: 'tel',
    autocomplete: 'tel',
    className: 'input input--large',
    value: displayPhone(pendingSignIn()?.phone),
  });
  const phoneField = field({ path: 'phone', label: 'sign_in.phone_label', hint: 'sign_in.phone_hint', control: phone });
  const message = messageLine('error');
  const submit = tx('button', 'sign_in.send_code', { type: 'submit', className: 'button button--block' });
  const form = el('form', { className: 'form', novalidate: true }, phoneField, message, submit);
  let stopWait = () => {};

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    stopWait();
    clearFieldErrors(form);
    clearText(message);
    if (!phone.value.trim()) {
      showFieldError(phoneField, 'required');
      phone.focus();
      return;
    }
    setBusy(submit, true);
    try {
      await requestCode(phone.value.trim());
      navigate('/sign-in/code');
    } catch (error) {
      stopWait = showError(error, { phoneField, phone, message });
    } finally {
      setBusy(submit, false);
    }
  });

  container.replaceChildren(
    el(
      'section',
      { className: 'screen' },
      tx('h2', 'sign_in.title', { className: 'screen__title' }),
      tx('p', 'sign_in.intro', { className: 'screen__lead' }),
      form,
      tx('p', 'sign_in.new_account', { className: 'note' }),
    ),
  );
  return () => stopWait();
}

// Returns a function that stops a running "please wait" countdown.
function showError(error, { phoneField, phone, message }) {
  if (PHONE_ERRORS.includes(error.code) || error.code === 'validation_failed') {
    showFieldError(phoneField, error.code === 'validation_failed' ? 'required' : errorKey(error));
    phone.focus();
    return () => {};
  }
  if (error.code === 'otp_rate_limited') {
    return showWait(message, waitKey(error.details?.limit), limitEndsAt(error), () => clearText(message));
  }
  setText(message, errorKey(error));
  return () => {};
}
