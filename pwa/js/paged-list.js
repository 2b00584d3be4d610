// A list that grows a page at a time: "Xem thêm" asks the server for the page after the cursor it gave.
// Used by "Hồ sơ của tôi", the inbox and the officer's queue.

import { errorKey } from './api.js';
import { clearText, el, setText, tx } from './dom.js';
import { setBusy } from './form.js';

/**
 * Fill `list` with `first.items` and return [list, error line, "load more" button].
 * `fetchNext(cursor)` resolves to the next `{ items, cursor }`; `renderItem` draws one entry.
 */
export function pagedList(list, first, { renderItem, fetchNext, moreKey }) {
  const error = el('p', { className: 'message message--error', role: 'alert', hidden: true });
  const more = tx('button', moreKey, { type: 'button', className: 'button button--secondary button--block' });
  let { cursor } = first;
  const add = (items) => list.append(...items.map((item) => el('li', {}, renderItem(item))));
  add(first.items);
  more.hidden = !cursor;
  more.addEventListener('click', async () => {
    clearText(error);
    setBusy(more, true);
    try {
      const next = await fetchNext(cursor);
      add(next.items);
      cursor = next.cursor;
      more.hidden = !cursor;
    } catch (problem) {
      if (problem.status !== 401) setText(error, errorKey(problem)); // a 401 already went to sign-in
    } finally {
      setBusy(more, false);
    }
  });
  return [list, error, more];
}
