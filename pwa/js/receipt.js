// The receipt ("giấy biên nhận") after a successful submission: the application code, big and copyable,
// as a QR code too, the legal due date, the fee, the commune and what happens next. It is read from the
// draft kept on the phone, so it opens offline as well. It is also the natural moment to offer push
// notifications (js/push.js), never earlier.

import { ApiError } from './api.js';
import { getDraft } from './db.js';
import { el, setText, tx } from './dom.js';
import { formatDate, formatDateTime } from './format.js';
import { formatFee } from './home.js';
import { has, loadBundle, localized, t } from './i18n.js';
import { loadThenRender } from './panels.js';
import { pushAsk } from './push.js';
import { qrSvg } from './qr.js';
import { queryParam } from './router.js';
import { currentUserId } from './session.js';

/** Show the receipt of ?draft=<id> in `container`; returns its cleanup. */
export function mountReceipt(container) {
  return loadThenRender(
    container,
    async () => {
      const draft = await getDraft(queryParam('draft') || '');
      if (!draft?.application || draft.userId !== currentUserId()) throw new ApiError('not_found', 404);
      await loadBundle('status').catch(() => {}); // the progress link and the push offer; optional offline
      return draft.application;
    },
    (application) => container.replaceChildren(receipt(application)),
  );
}

function receipt(app) {
  const name = localized(app.procedure_name);
  return el(
    'section',
    { className: 'screen receipt' },
    tx('h2', 'receipt.title', { className: 'screen__title' }),
    tx('p', 'receipt.lead', { className: 'screen__lead' }),
    codeBox(app.code),
    el(
      'dl',
      { className: 'summary__list receipt__facts' },
      fact('receipt.procedure', el('dd', { lang: name.lang }, name.text)),
      fact('receipt.commune', el('dd', {}, app.commune_name || app.commune_code)),
      fact('receipt.submitted_at', el('dd', {}, formatDateTime(app.submitted_at))),
      fact('receipt.due_date', el('dd', { className: 'receipt__due', dataset: { dueDate: app.due_date } }, formatDate(app.due_date))),
      fact('receipt.fee', el('dd', { dataset: { fee: String(app.fee_vnd) } }, formatFee(app.fee_vnd))),
      fact('receipt.delivery', tx('dd', `apply.method_${app.delivery?.method || 'none'}`)),
    ),
    pushAsk(),
    tx('h3', 'receipt.next_title', { className: 'subsection-title' }),
    el(
      'ol',
      { className: 'next-steps' },
      tx('li', 'receipt.next_review'),
      tx('li', 'receipt.next_due', {}, { date: formatDate(app.due_date) }),
      tx('li', `receipt.next_${app.delivery?.method || 'pickup'}`),
    ),
    tx('p', 'receipt.after_hours', { className: 'note' }),
    el(
      'div',
      { className: 'receipt__links' },
      // The status screens' texts may be missing offline: then the link waits for a later visit.
      has('case.follow')
        ? tx('a', 'case.follow', { href: `/application?code=${encodeURIComponent(app.code)}`, className: 'button button--block' })
        : null,
      tx('a', 'receipt.my_applications', { href: '/applications', className: 'button button--secondary button--block' }),
      tx('a', 'receipt.home', { href: '/', className: 'button button--secondary button--block' }),
    ),
  );
}

function codeBox(code) {
  const done = el('p', { className: 'receipt__copied', role: 'status', hidden: true });
  const copy = tx('button', 'receipt.copy', { type: 'button', className: 'button button--secondary' });
  const codeText = el('p', { className: 'receipt__code', dataset: { code } }, code);
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(code);
      setText(done, 'receipt.copied');
    } catch {
      // No clipboard permission: select the code so the phone's own "Copy" is one tap away.
      window.getSelection()?.selectAllChildren(codeText);
      setText(done, 'receipt.copy_manually');
    }
  });
  return el(
    'div',
    { className: 'receipt__code-box' },
    tx('p', 'receipt.code_label', { className: 'receipt__code-label' }),
    codeText,
    copy,
    done,
    el('div', { className: 'receipt__qr' }, qrSvg(code, t('receipt.qr_label', { code }))),
  );
}

function fact(labelKey, value) {
  return el('div', { className: 'summary__row' }, tx('dt', labelKey), value);
}
