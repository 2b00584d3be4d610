// Same-origin JSON calls to /api/. Failures become ApiError with a stable code,
// which the UI turns into text through the `errors.<code>` translations.

import { has, t } from './i18n.js';

// Set by the service worker when it answers from its saved copy.
const CACHE_HEADER = 'X-Motcua-Cache';

export class ApiError extends Error {
  constructor(code, status = 0, details = {}, serverMessage = '') {
    super(serverMessage || code);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

/** GET a JSON document; resolves to `{ data, fromCache }` or rejects with ApiError. */
export async function getJson(path) {
  return request(path, { method: 'GET' });
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
  const body = await readJson(response);
  if (!response.ok) throw errorFrom(response.status, body);
  return { data: body, fromCache: response.headers.get(CACHE_HEADER) === 'hit' };
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

/** The user-facing text for an error, in the current language. */
export function errorMessage(error) {
  const code = error instanceof ApiError ? error.code : 'unknown';
  return has(`errors.${code}`) ? t(`errors.${code}`) : t('errors.unknown');
}
