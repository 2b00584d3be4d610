// Who is signed in: the `Me` document from /api/account, kept in memory only.
// The session cookie itself is HttpOnly; the readable CSRF cookie tells us whether to ask at all.

import { csrfToken, getJson, sendJson } from './api.js';

const PROFILE_PATH = '/api/account/profile';
// A commune's supervisor uses the console too: it answers the complaints escalated to it (js/complaints/officer.js).
const OFFICER_ROLES = ['officer', 'supervisor', 'admin'];
// Whose drafts this device shows while the server cannot be asked (offline start): only an id, no data.
const LAST_USER_KEY = 'motcua.last_user';
// Where to go back to after signing in (e.g. the application form the user tapped); this tab only.
const RETURN_KEY = 'motcua.return_to';
const RETURN_TTL_MS = 60 * 60 * 1000;

// status: 'signed-out', 'signed-in', or 'unknown' (a session cookie exists but the server was unreachable).
const state = { me: null, status: 'signed-out', updatedAt: 0 };
const listeners = new Set();

/** Call `listener(state)` whenever the session changes. */
export function onSessionChange(listener) {
  listeners.add(listener);
}

function update(me, status) {
  state.me = me;
  state.status = status;
  state.updatedAt = Date.now();
  if (me) store(localStorage, LAST_USER_KEY, me.user_id);
  else if (status === 'signed-out') store(localStorage, LAST_USER_KEY, null);
  for (const listener of listeners) listener(state);
}

/** The signed-in user's Me document, or null. */
export function currentUser() {
  return state.me;
}

/** When the Me document was last replaced (ms since the epoch): tells whether it is newer than a server answer. */
export function userUpdatedAt() {
  return state.updatedAt;
}

/** The signed-in user's id, or the last one seen on this device while the server is unreachable; else null. */
export function currentUserId() {
  if (state.me) return state.me.user_id;
  return state.status === 'unknown' ? read(localStorage, LAST_USER_KEY) : null;
}

/** True unless we know there is no session. */
export function maybeSignedIn() {
  return state.status !== 'signed-out';
}

/** True for officers, supervisors and admins. */
export function isOfficer(me = state.me) {
  return Boolean(me && OFFICER_ROLES.includes(me.role));
}

/** Ask the server who we are; with no CSRF cookie there is no session, so no request is made. */
export async function loadSession() {
  if (!csrfToken()) {
    forgetSession();
    return;
  }
  try {
    await fetchUser();
  } catch (error) {
    // Offline with a session cookie: keep showing the account button; screens retry on their own.
    if (error.status !== 401) update(null, 'unknown');
  }
}

/** GET the current Me (a 401 goes through the global handler); resolves to it. */
export async function fetchUser() {
  const { data } = await getJson(PROFILE_PATH);
  setUser(data);
  return data;
}

/** Record a fresh Me (after verifying a code or saving the profile). */
export function setUser(me) {
  update(me, 'signed-in');
}

/** Forget the session locally (the server already did, or said 401). */
export function forgetSession() {
  if (state.status !== 'signed-out') update(null, 'signed-out');
}

/** Sign out here, or everywhere with `allDevices`; a session the server already dropped counts as done. */
export async function signOut(allDevices) {
  const userId = currentUserId();
  try {
    await sendJson('POST', '/api/account/logout', { all_devices: allDevices });
  } catch (error) {
    if (error.status !== 401) throw error;
  }
  forgetSession();
  // Drafts hold photos of identity papers: a shared phone must not keep them for the next person.
  if (userId) await import('./db.js').then((db) => db.deleteUserData(userId)).catch(() => {});
}

/** Where a freshly signed-in user starts: a screen they were sent away from, once their profile is filled. */
export function landingPath(me) {
  if (isOfficer(me)) return '/officer';
  if (!me.profile_complete) return '/profile';
  return returnPath() || '/';
}

/** Remember `path` (with its query) to come back to after signing in or filling the profile. */
export function rememberReturnPath(path) {
  store(sessionStorage, RETURN_KEY, JSON.stringify({ path, at: Date.now() }));
}

/** The remembered path, if recent; null otherwise. */
export function returnPath() {
  try {
    const saved = JSON.parse(read(sessionStorage, RETURN_KEY) || 'null');
    return saved && Date.now() - saved.at < RETURN_TTL_MS && /^\/(?!\/)/.test(saved.path) ? saved.path : null;
  } catch {
    return null;
  }
}

/** Forget the remembered path (the user got there). */
export function clearReturnPath() {
  store(sessionStorage, RETURN_KEY, null);
}

// Storage can be blocked (private modes, quota): then nothing is remembered, which is acceptable here.
function store(storage, key, value) {
  try {
    if (value == null) storage.removeItem(key);
    else storage.setItem(key, value);
  } catch {
    // See above.
  }
}

function read(storage, key) {
  try {
    return storage.getItem(key);
  } catch {
    return null;
  }
}

/** The path of the account button: the officer view or the profile. */
export function accountPath(me) {
  return isOfficer(me) ? '/officer' : '/profile';
}

/** "+84912345678" as people write it at home: "0912 345 678". */
export function displayPhone(phone) {
  const match = /^\+84(\d{3})(\d{3})(\d{3,4})$/.exec(phone || '');
  return match ? `0${match[1]} ${match[2]} ${match[3]}` : phone || '';
}
