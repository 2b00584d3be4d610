// "Hồ sơ đang soạn": the drafts kept on this phone for this user, unfinished or waiting to be sent, with
// "Tiếp tục" and "Xóa". Read from IndexedDB only, so it works offline.

import { deleteDraft, listDrafts } from './db.js';
import { stopUploads } from './draft-uploads.js';
import { el, tx } from './dom.js';
import { tabs } from './applications.js';
import { formatDateTime } from './format.js';
import { localized } from './i18n.js';
import { onOutboxChange } from './outbox.js';
import { loadThenRender } from './panels.js';
import { currentUserId } from './session.js';

/** Show this user's drafts in `container`; returns its cleanup. The list follows the outbox as it sends. */
export function mountDrafts(container) {
  const load = async () => (await listDrafts(currentUserId())).filter((draft) => draft.state !== 'sent');
  const show = (drafts) => {
    const list = el('ul', { className: 'card-list' }, drafts.map((draft) => el('li', {}, draftCard(draft))));
    container.replaceChildren(
      el(
        'section',
        { className: 'screen' },
        tx('h2', 'drafts.title', { className: 'screen__title' }),
        tabs('/drafts'),
        tx('p', 'drafts.on_this_phone', { className: 'note' }),
        drafts.length ? list : tx('p', 'drafts.empty', { className: 'placeholder' }),
      ),
    );
  };
  let stop = loadThenRender(container, load, show);
  const unsubscribe = onOutboxChange((event) => {
    if (event.status !== 'sent' && event.status !== 'rejected') return;
    stop();
    stop = loadThenRender(container, load, show);
  });
  return () => {
    stop();
    unsubscribe();
  };
}

function draftCard(draft) {
  const name = localized(draft.procedureName);
  const state = draftState(draft);
  const card = el(
    'article',
    { className: 'app-card', dataset: { draftId: draft.id, state } },
    el('h3', { className: 'app-card__name', lang: name.lang }, name.text),
    el(
      'dl',
      { className: 'procedure-card__facts' },
      el('div', { className: 'fact' }, tx('dt', 'drafts.state'), tx('dd', `drafts.state_${state}`, { className: `status status--${state}` })),
      el('div', { className: 'fact' }, tx('dt', 'drafts.updated'), el('dd', {}, formatDateTime(draft.updatedAt))),
    ),
  );
  const href = `/apply?draft=${encodeURIComponent(draft.id)}&step=${draft.state === 'queued' ? 4 : draft.step || 1}`;
  const open = tx('a', draft.state === 'queued' ? 'drafts.open_queued' : 'drafts.continue', { href, className: 'button' });
  const remove = tx('button', 'drafts.delete', { type: 'button', className: 'button button--secondary' });
  const confirm = tx('button', 'drafts.confirm_delete', { type: 'button', className: 'button button--danger', hidden: true });
  const keep = tx('button', 'drafts.keep', { type: 'button', className: 'button button--secondary', hidden: true });
  const warning = tx('p', draft.state === 'queued' ? 'drafts.delete_queued_warning' : 'drafts.delete_warning', { className: 'note', hidden: true });
  // Two taps, no browser dialog: a mis-tap on a small screen must not lose photos that exist nowhere else.
  const asking = (yes) => {
    for (const node of [confirm, keep, warning]) node.hidden = !yes;
    for (const node of [open, remove]) node.hidden = yes;
  };
  remove.addEventListener('click', () => asking(true));
  keep.addEventListener('click', () => asking(false));
  confirm.addEventListener('click', async () => {
    confirm.disabled = true;
    stopUploads(draft.id);
    await deleteDraft(draft.id);
    const item = card.closest('li');
    const list = item?.parentElement;
    item?.remove();
    if (list && !list.children.length) list.replaceWith(tx('p', 'drafts.empty', { className: 'placeholder' }));
  });
  card.append(warning, el('div', { className: 'app-card__actions' }, open, remove, confirm, keep));
  return card;
}

// 'queued' (waiting to be sent), 'returned' (the server asked for changes) or 'draft'.
function draftState(draft) {
  if (draft.state === 'queued') return 'queued';
  if (draft.lastError) return 'returned';
  return 'draft';
}
