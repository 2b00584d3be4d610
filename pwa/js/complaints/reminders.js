// The inbox's one-time reminder to rate a settled application (issue 13: "the inbox reminds them once").
// Client-side and honest about it: among the newest notices, an application that was completed, rejected
// or withdrawn is looked up; if it still has no rating, one reminder is shown, and this device remembers
// that it reminded about it (per user, in localStorage), so it never appears again here, rated or not.

import { getJson } from '../api.js';
import { currentUserId } from '../session.js';

const SETTLING = new Set(['complete', 'reject', 'withdraw']);
const RATABLE = new Set(['completed', 'rejected', 'withdrawn']);
// Only the newest few: the reminder is about what just happened, and each costs one request.
const LOOK_AT = 3;
const KEEP = 200;
const KEY = 'motcua.rate_reminded';

function storageKey() {
  return `${KEY}.${currentUserId() || 'anonymous'}`;
}

function reminded() {
  try {
    const saved = JSON.parse(localStorage.getItem(storageKey()) || '[]');
    return Array.isArray(saved) ? saved : [];
  } catch {
    return [];
  }
}

function remember(codes) {
  try {
    localStorage.setItem(storageKey(), JSON.stringify([...reminded(), ...codes].slice(-KEEP)));
  } catch {
    // Storage blocked: the reminder may show again, which is the lesser harm.
  }
}

/** The settled, unrated applications to remind about now (each at most once per device), newest first. */
export async function rateReminders(notices) {
  const seen = new Set(reminded());
  const codes = [...new Set(notices
    .filter((notice) => SETTLING.has(notice.kind) || RATABLE.has(notice.status))
    .map((notice) => notice.application_id)
    .filter((code) => code && !code.startsWith('PA-') && !seen.has(code)))].slice(0, LOOK_AT);
  const apps = await Promise.all(codes.map((code) => getJson(`/api/status/applications/${encodeURIComponent(code)}`)
    .then(({ data }) => data, () => null)));
  const due = apps.filter((app) => app && RATABLE.has(app.status) && !app.rating);
  // A rated one needs no reminder later either; one that failed to load is tried again next visit.
  remember(apps.filter(Boolean).map((app) => app.code));
  return due;
}
