// Same-origin JSON calls to /api/. Failures become ApiError with a stable code,
// which the UI turns into text through the `errors.<code>` translations.

import { has } from './i18n.js';

// Set by the service worker when it answers from its saved copy.
const CACHE_HEADER = 'X-Motcua-Cache';
// The server's readable double-submit cookie; `__Host-` outside local runs.
const CSRF_COOKIES = ['__Host-motcua_csrf', 'motcua_csrf'];

let unauthorizedHandler = () => {};

export class ApiError extends Error {
  constructor(code, status = 0, details = {}, serverMessage = '') {
    super(serverMessage || code);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

/** Called with the ApiError of every 401 answer, before the caller sees it. */
export function onUnauthorized(handler) {
  unauthorizedHandler = handler;
}

/** GET a JSON document; resolves to `{ data, fromCache }` or rejects with ApiError. */
export async function getJson(path) {
  return request(path, { method: 'GET' });
}

/**
 * POST/PUT/PATCH/DELETE `body` as JSON with the CSRF header (plus any `extraHeaders`, e.g. Idempotency-Key);
 * resolves to `{ data, status }` (data null when empty).
 */
export async function sendJson(method, path, body, extraHeaders = {}) {
  const headers = { ...extraHeaders, 'Content-Type': 'application/json' };
  const token = csrfToken();
  if (token) headers['X-CSRF-Token'] = token;
  return request(path, { method, headers, body: JSON.stringify(body ?? {}) });
}

/** The CSRF cookie's value, or '' when there is none (signed out). */
export function csrfToken() {
  const cookies = new Map(
    document.cookie.split(';').map((pair) => {
      const at = pair.indexOf('=');
      return [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
    }),
  );
  const name = CSRF_COOKIES.find((candidate) => cookies.get(candidate));
  return name ? decodeURIComponent(cookies.get(name)) : '';
}

async function request(path, options) {
  // Only paths on this origin: cookies must never travel elsewhere.
  if (!path.startsWith('/') || path.startsWith('//')) throw new ApiError('unknown');
  let response;
  try {
    response = await fetch(path, {
      ...options,
      credentials: 'same-origin',
      headers: { Accept: 'application/json', ...(options.headers || {}) },
    });
  } catch {
    throw new ApiError('network');
  }
  const body = response.status === 204 ? null : await readJson(response);
  if (!response.ok) {
    const error = errorFrom(response.status, body);
    if (response.status === 401) unauthorizedHandler(error);
    throw error;
  }
  return { data: body, status: response.status, fromCache: response.headers.get(CACHE_HEADER) === 'hit' };
}

async function readJson(response) {
  try {
    return await response.json();
  } catch {
    // A proxy error page or an empty body: treat as "no JSON" rather than crash.
    return null;
  }
}

function errorFrom(status, body) {
  const error = body && typeof body === 'object' ? body.error : null;
  if (!error || typeof error.code !== 'string') return new ApiError('unknown', status);
  return new ApiError(error.code, status, error.details || {}, error.message || '');
}

/** The translation key for an error's user-facing text. */
export function errorKey(error) {
  const code = error instanceof ApiError ? error.code : 'unknown';
  return has(`errors.${code}`) ? `errors.${code}` : 'errors.unknown';
}
