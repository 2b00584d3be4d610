// The SMS code round trip shared by the two sign-in screens: asking for a code, remembering the
// number across a reload (sessionStorage, this tab only), and saying how long a limit lasts.

import { sendJson } from './api.js';
import { setText } from './dom.js';
import { has } from './i18n.js';
import { countdown, formatWait } from './wait.js';

const STORAGE_KEY = 'motcua.sign_in';

/** The sign-in in progress in this tab: `{ phone, resendAt, limit }`, or null. */
export function pendingSignIn() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY) || 'null');
    return saved && typeof saved.phone === 'string' ? saved : null;
  } catch {
    return null;
  }
}

/** Remember the sign-in in progress (merged into what is saved). */
export function savePendingSignIn(changes) {
  const next = { ...(pendingSignIn() || {}), ...changes };
  try {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(next));
  } catch {
    // Without storage a reload loses the number; the user can type it again.
  }
  return next;
}

export function clearPendingSignIn() {
  try {
    sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // Nothing was saved.
  }
}

/** Ask for a code by SMS; the server normalises the number. Saves and returns the pending sign-in. */
export async function requestCode(phone) {
  const { data } = await sendJson('POST', '/api/account/otp', { phone });
  return savePendingSignIn({ phone: data.phone, resendAt: Date.now() + data.resend_after * 1000, limit: null });
}

/** verify a code; resolves to the Me document. */
export async function verifyCode(phone, code) {
  const { data } = await sendJson('POST', '/api/account/otp/verify', { phone, code });
  return data;
}

/** When a 429 `otp_rate_limited` ends, as a Date.now() time. */
export function limitEndsAt(error) {
  const seconds = Number(error.details?.retry_after);
  return Date.now() + (Number.isFinite(seconds) && seconds > 0 ? seconds : 60) * 1000;
}

/** The text key explaining a limit: `sign_in.wait.<limit>`, with a `{wait}` placeholder. */
export function waitKey(limit) {
  return has(`sign_in.wait.${limit}`) ? `sign_in.wait.${limit}` : 'sign_in.wait.other';
}

/**
 * Keep `line` saying how long is left ("Vui lòng đợi 45 giây") until `untilMs`, using `key`;
 * calls `onDone` when the wait is over. Returns a function that stops the countdown.
 */
export function showWait(line, key, untilMs, onDone) {
  return countdown(untilMs, (left) => {
    if (left > 0) setText(line, key, { wait: formatWait(left) });
    else onDone();
  });
}
