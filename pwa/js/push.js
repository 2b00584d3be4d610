// Web Push: asked at a natural moment only (the receipt after a submission), with a sentence that says
// why, never on a first visit and never again on this device after a refusal. The subscription goes to
// the status API with the language its notices should be written in, and again after a language switch.

import { getJson, sendJson } from './api.js';
import { clearText, el, setText, tx } from './dom.js';
import { setBusy, uid } from './form.js';
import { currentLanguage, loadBundle } from './i18n.js';
import { maybeSignedIn } from './session.js';
import { loadStyles } from './styles.js';

const KEY_PATH = '/api/status/push/key';
const SUBSCRIPTIONS_PATH = '/api/status/push/subscriptions';
// What this device decided: {state: 'refused'} or {state: 'subscribed', lang}. No personal data.
const STORE_KEY = 'motcua.push';

/** True when this browser can receive Web Push at all. */
export function pushSupported() {
  return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

function remembered() {
  try {
    return JSON.parse(localStorage.getItem(STORE_KEY) || 'null');
  } catch {
    return null;
  }
}

function remember(choice) {
  try {
    localStorage.setItem(STORE_KEY, JSON.stringify(choice));
  } catch {
    // Storage blocked: the browser's own permission state still stops a second prompt after a "Block".
  }
}

/**
 * The "Bật thông báo" box for the receipt, or null when there is nothing to ask: no push here, already
 * decided, or refused on this device before. With permission already granted, the subscription is just
 * kept current, without a word.
 */
export function pushAsk() {
  if (!pushSupported() || remembered()?.state === 'refused') return null;
  if (Notification.permission === 'granted') {
    subscribePush().catch(() => {});
    return null;
  }
  if (Notification.permission !== 'default') return null;
  const box = el('section', { className: 'notice push-ask', hidden: true });
  // The receipt belongs to the apply screens: this box's texts and styles come with the status screens.
  Promise.all([loadBundle('status'), loadStyles('status')])
    .then(() => fillAsk(box))
    .catch(() => {}); // offline: no ask this time, which is fine
  return box;
}

function fillAsk(box) {
  const titleId = uid('push');
  const status = el('p', { className: 'notice__text push-ask__status', role: 'status', hidden: true });
  const enable = tx('button', 'push.enable', { type: 'button', className: 'button' });
  const later = tx('button', 'push.later', { type: 'button', className: 'button button--secondary' });
  const actions = el('div', { className: 'push-ask__actions' }, enable, later);
  const settle = (key, choice) => {
    if (choice) remember(choice);
    actions.hidden = true;
    setText(status, key);
  };
  later.addEventListener('click', () => settle('push.refused', { state: 'refused' }));
  enable.addEventListener('click', async () => {
    setBusy(enable, true);
    setBusy(later, true);
    setText(status, 'push.working');
    const answer = await Notification.requestPermission();
    if (answer !== 'granted') {
      settle('push.refused', { state: 'refused' });
      return;
    }
    try {
      await subscribePush();
      settle('push.enabled');
    } catch {
      settle('push.failed');
    }
  });
  clearText(status);
  box.setAttribute('aria-labelledby', titleId);
  box.replaceChildren(
    tx('h3', 'push.title', { className: 'push-ask__title', id: titleId }),
    tx('p', 'push.why', { className: 'notice__text' }),
    actions,
    status,
  );
  box.hidden = false;
}

/**
 * Subscribe this device (permission must be granted) and tell the server, with the current language.
 * An existing subscription made with another server key is replaced.
 */
export async function subscribePush() {
  const registration = await navigator.serviceWorker.ready;
  const { data } = await getJson(KEY_PATH);
  const key = keyBytes(data.public_key);
  let subscription = await registration.pushManager.getSubscription();
  if (subscription && !sameKey(subscription.options?.applicationServerKey, key)) {
    await subscription.unsubscribe();
    subscription = null;
  }
  if (!subscription) {
    subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  }
  const lang = currentLanguage();
  await sendJson('POST', SUBSCRIPTIONS_PATH, { subscription: subscription.toJSON(), lang });
  remember({ state: 'subscribed', lang });
}

/** Stop push on this device: the server forgets the endpoint, the browser drops the subscription. */
export async function unsubscribePush() {
  if (!pushSupported()) return;
  const registration = await navigator.serviceWorker.getRegistration();
  const subscription = await registration?.pushManager.getSubscription();
  if (!subscription) return;
  await sendJson('POST', `${SUBSCRIPTIONS_PATH}/delete`, { endpoint: subscription.endpoint }).catch(() => {});
  await subscription.unsubscribe();
  remember(null);
}

// The VAPID public key arrives as base64url; the browser wants its bytes.
function keyBytes(base64url) {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

function sameKey(buffer, key) {
  if (!buffer) return true; // the browser does not say: assume it is ours
  const bytes = new Uint8Array(buffer);
  return bytes.length === key.length && bytes.every((byte, index) => byte === key[index]);
}

// Notices are written in the subscription's language: after a switch, the server gets the new one.
// (<html lang> is what i18n.js changes with the language.)
function watchLanguage() {
  const observer = new MutationObserver(() => {
    const saved = remembered();
    if (saved?.state !== 'subscribed' || saved.lang === currentLanguage()) return;
    if (Notification.permission !== 'granted' || !maybeSignedIn()) return;
    subscribePush().catch(() => {});
  });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['lang'] });
}

if (pushSupported()) watchLanguage();
