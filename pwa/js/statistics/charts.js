// The statistics report, drawn by hand: each target against the actual value (a bar with the target's
// mark), the months as small SVG bars and a line, and the same figures as a table for screen readers.
// SVG attributes, not style attributes: the CSP allows no inline style.

import { el, tx } from '../dom.js';
import { currentLanguage, t } from '../i18n.js';

const SVG = 'http://www.w3.org/2000/svg';
const SUPPRESSED = '<5';
// The order people read the targets in; the last one is days, not a share.
export const RATES = ['satisfied', 'fee_procedures_online', 'paid_online', 'fully_online', 'on_time', 'average_decision_days'];
const DAYS_SCALE = 20; // working days across the whole bar

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  node.append(...children);
  return node;
}

function locale() {
  return currentLanguage() === 'en' ? 'en-GB' : 'vi-VN';
}

/** A share 0..1 as "83,3 %" (or "83.3%"). */
export function percent(value) {
  return new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 1 }).format(value);
}

/** A count as people read it ("1.234"). */
export function count(value) {
  return new Intl.NumberFormat(locale()).format(value);
}

function days(value) {
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: 1 }).format(value);
}

/** A rate's value as text: a share, days, "fewer than 5 cases", or "no data". */
export function rateText(name, value) {
  if (value === SUPPRESSED) return t('stats.suppressed');
  if (value == null) return t('stats.no_data');
  return name === 'average_decision_days' ? t('stats.days', { days: days(value) }) : percent(value);
}

function targetText(rate) {
  if (rate.target == null) return t('stats.no_target');
  const key = rate.comparison === '>' ? 'stats.target_above' : 'stats.target_at_least';
  return t(key, { target: percent(rate.target) });
}

// One target: the actual value as a bar on 0..100 % (or 0..20 days), the target as a mark across it.
function targetBar(name, rate) {
  const shown = typeof rate.value === 'number';
  const scale = name === 'average_decision_days' ? DAYS_SCALE : 1;
  const width = shown ? Math.min(100, (rate.value / scale) * 100) : 0;
  const state = rate.met == null ? 'none' : rate.met ? 'met' : 'missed';
  const bar = svg('svg', { viewBox: '0 0 100 10', preserveAspectRatio: 'none', class: 'stat-bar', 'aria-hidden': 'true', focusable: 'false' },
    svg('rect', { x: 0, y: 0, width: 100, height: 10, class: 'stat-bar__track' }),
    svg('rect', { x: 0, y: 0, width, height: 10, class: `stat-bar__value stat-bar__value--${state}` }));
  if (rate.target != null) {
    const x = Math.min(99.5, rate.target * 100);
    bar.append(svg('rect', { x, y: 0, width: 1, height: 10, class: 'stat-bar__target' }));
  }
  return el(
    'li',
    { className: `stat-target stat-target--${state}`, dataset: { rate: name, met: String(rate.met) } },
    el('div', { className: 'stat-target__head' },
      tx('h4', `stats.rate.${name}`, { className: 'stat-target__name' }),
      el('span', { className: 'stat-target__value' }, rateText(name, rate.value))),
    bar,
    el('p', { className: 'stat-target__goal' }, targetText(rate),
      rate.met == null ? '' : ` · ${t(rate.met ? 'stats.met' : 'stats.missed')}`),
    tx('p', `stats.definition.${name}`, { className: 'stat-target__definition' }),
  );
}

/** The targets section: each of the seeds' targets against the actual value, with its definition. */
export function targetsSection(data) {
  return el(
    'section',
    { className: 'stats-block', 'aria-labelledby': 'stats-targets' },
    tx('h3', 'stats.targets_title', { className: 'subsection-title', id: 'stats-targets' }),
    el('ul', { className: 'stat-targets' }, RATES.map((name) => targetBar(name, data.rates[name]))),
    tx('p', 'stats.suppressed_note', { className: 'note' }, { n: data.suppressed_below }),
  );
}

/** The headline counts, exact integers. */
export function countsSection(data) {
  const facts = [
    ['received', data.received], ['decided', data.decided], ['on_time', data.on_time], ['late', data.late],
    ['fee_bearing', data.fee_bearing], ['paid_online', data.paid_online], ['paid_at_counter', data.paid_at_counter],
    ['complaints_received', data.complaints.received],
    ['complaints_answered_on_time', data.complaints.answered_on_time],
  ];
  return el(
    'section',
    { className: 'stats-block', 'aria-labelledby': 'stats-counts' },
    tx('h3', 'stats.counts_title', { className: 'subsection-title', id: 'stats-counts' }),
    el('dl', { className: 'stat-counts' }, facts.map(([key, value]) => el(
      'div',
      { className: 'stat-counts__item', dataset: { count: key } },
      tx('dt', `stats.count.${key}`),
      el('dd', {}, count(value)),
    ))),
    ratingsList(data.ratings),
  );
}

function ratingsList(ratings) {
  const total = Object.values(ratings).reduce((sum, n) => sum + n, 0);
  return el(
    'div',
    { className: 'stat-ratings' },
    tx('h4', 'stats.ratings_title', { className: 'stat-ratings__title' }),
    el('ul', { className: 'stat-ratings__list' }, ['5', '4', '3', '2', '1'].map((level) => el(
      'li',
      { className: 'stat-ratings__item', dataset: { level } },
      tx('span', `stats.rating.${level}`),
      svg('svg', { viewBox: '0 0 100 6', preserveAspectRatio: 'none', class: 'stat-bar stat-bar--thin', 'aria-hidden': 'true' },
        svg('rect', { x: 0, y: 0, width: 100, height: 6, class: 'stat-bar__track' }),
        svg('rect', { x: 0, y: 0, width: total ? (ratings[level] / total) * 100 : 0, height: 6, class: 'stat-bar__value' })),
      el('span', { className: 'stat-ratings__count' }, count(ratings[level])),
    ))),
  );
}

// Months as bars (received; the online part darker) and the on-time share as a line over them.
function monthsChart(series) {
  const width = 240;
  const height = 110;
  const slot = width / Math.max(series.length, 1);
  const top = Math.max(1, ...series.map((m) => m.received));
  const y = (n) => 100 - (n / top) * 90;
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'stat-months', 'aria-hidden': 'true', focusable: 'false' });
  const points = [];
  series.forEach((month, i) => {
    const x = i * slot + slot * 0.15;
    const w = slot * 0.7;
    chart.append(
      svg('rect', { x, y: y(month.received), width: w, height: 100 - y(month.received), class: 'stat-months__all' }),
      svg('rect', { x, y: y(month.received_online), width: w, height: 100 - y(month.received_online), class: 'stat-months__online' }),
      svg('text', { x: x + w / 2, y: 109, 'text-anchor': 'middle', class: 'stat-months__label' }, month.month.slice(5)),
    );
    if (typeof month.on_time_rate === 'number') points.push(`${x + w / 2},${100 - month.on_time_rate * 90}`);
  });
  chart.append(svg('line', { x1: 0, x2: width, y1: 10, y2: 10, class: 'stat-months__target' }));
  if (points.length > 1) chart.append(svg('polyline', { points: points.join(' '), class: 'stat-months__line' }));
  return chart;
}

function rateCell(value) {
  return typeof value === 'number' ? percent(value) : rateText('on_time', value);
}

/** The months: a chart for the eye, then the same numbers as a table (its caption says what it is). */
export function monthsSection(data) {
  const head = ['month', 'received', 'received_online', 'decided', 'on_time_rate', 'paid_online_rate'];
  const rows = data.series.map((m) => [m.month, count(m.received), count(m.received_online), count(m.decided),
    rateCell(m.on_time_rate), rateCell(m.paid_online_rate)]);
  return el(
    'section',
    { className: 'stats-block', 'aria-labelledby': 'stats-months' },
    tx('h3', 'stats.months_title', { className: 'subsection-title', id: 'stats-months' }),
    monthsChart(data.series),
    el('ul', { className: 'stat-legend', 'aria-hidden': 'true' },
      tx('li', 'stats.legend_all', { className: 'stat-legend__all' }),
      tx('li', 'stats.legend_online', { className: 'stat-legend__online' }),
      tx('li', 'stats.legend_on_time', { className: 'stat-legend__line' })),
    el('div', { className: 'stat-table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'stats-table-caption' },
      el('table', { className: 'stat-table' },
        tx('caption', 'stats.table_caption', { id: 'stats-table-caption' }),
        el('thead', {}, el('tr', {}, head.map((key) => tx('th', `stats.column.${key}`, { scope: 'col' })))),
        el('tbody', {}, rows.map((cells) => el('tr', {}, cells.map((text, i) => el(i ? 'td' : 'th', i ? {} : { scope: 'row' }, text))))))),
  );
}

/** Each procedure's legal processing time, and the shorter one for online applications where declared. */
export function processingSection(data) {
  const lang = currentLanguage();
  return el(
    'section',
    { className: 'stats-block', 'aria-labelledby': 'stats-processing' },
    tx('h3', 'stats.processing_title', { className: 'subsection-title', id: 'stats-processing' }),
    el('dl', { className: 'stat-processing' }, (data.processing || []).map((p) => el(
      'div',
      { className: 'stat-processing__item', dataset: { procedure: p.procedure_id } },
      el('dt', {}, p.name[lang] || p.name.vi),
      el('dd', {}, p.online_working_days != null && p.online_working_days < p.working_days
        ? t('stats.processing_both', { days: p.working_days, online: p.online_working_days })
        : t('stats.processing_one', { days: p.working_days })),
    ))),
  );
}

/** The whole report for one answer of the statistics API. */
export function report(data) {
  return [targetsSection(data), countsSection(data), monthsSection(data), processingSection(data)];
}
