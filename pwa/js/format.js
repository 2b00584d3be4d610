// Numbers, sizes and dates as people read them in the current language (vi-VN or en), and text that
// arrives with the data in both languages.

import { currentLanguage } from './i18n.js';

const LOCALES = { vi: 'vi-VN', en: 'en-GB' };
// Deadlines and times are shown as they are at the commune: Vietnam's time.
const TIME_ZONE = 'Asia/Ho_Chi_Minh';

function locale() {
  return LOCALES[currentLanguage()] || LOCALES.vi;
}

/** A byte count as "280 KB" or "3,4 MB" (decimal units, as phones show file sizes). */
export function formatBytes(bytes) {
  const number = (value, digits) => new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(value);
  if (bytes >= 1_000_000) return `${number(bytes / 1_000_000, 1)} MB`;
  if (bytes >= 1000) return `${number(Math.round(bytes / 1000), 0)} KB`;
  return `${number(bytes, 0)} B`;
}

/** A calendar date "2026-11-25" in words ("Thứ Tư, 25 tháng 11, 2026"); the text itself when it is not a date. */
export function formatDate(isoDate) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate || '');
  if (!match) return isoDate || '';
  // A date has no time zone: format it at UTC so no offset moves it to the day before.
  const date = new Date(Date.UTC(+match[1], +match[2] - 1, +match[3]));
  return new Intl.DateTimeFormat(locale(), {
    weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC',
  }).format(date);
}

/** A calendar date "2026-11-25" as on paper forms, "25/11/2026"; the text itself when it is not a date. */
export function formatDay(isoDate) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate || '');
  return match ? `${match[3]}/${match[2]}/${match[1]}` : isoDate || '';
}

/** A moment (ISO 8601 with offset) as a short date and time in Vietnam's time. */
export function formatDateTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso || '';
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short', timeZone: TIME_ZONE }).format(date);
}

/** A percentage 0-100 of `part` in `whole`, rounded down so 100 % means really done. */
export function percent(part, whole) {
  return whole > 0 ? Math.min(100, Math.floor((part / whole) * 100)) : 0;
}
