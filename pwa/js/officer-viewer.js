// The officer console's document viewer: one page at a time, as large as the space allows, with zoom
// (buttons, Ctrl+wheel or a trackpad pinch, a two-finger pinch, double-click) and rotation in 90° steps,
// previous/next across every page of every slot, and keyboard shortcuts. Images are short-lived presigned
// links on the bucket: a page that fails to load most likely has an expired link, so the viewer asks the
// screen for fresh ones (once; a second failure right after shows a retry button). PDFs open in a new tab.

import { el, setText, tx } from './dom.js';
import { t } from './i18n.js';

const ZOOM_STEP = 1.25;
const ZOOM_MIN = 1; // 1 = the whole page fits the stage
const ZOOM_MAX = 6;
// A failure this soon after fresh links is not an expired link: stop asking and offer a retry.
const REFRESH_GAP_MS = 10_000;
const PDF = 'application/pdf';

/**
 * A viewer; `onExpired()` must fetch the application again and call `update()` with its documents.
 * Returns `{ element, update(documents, slotOrder, slotLabel), showSlot(slot), destroy() }`.
 */
export function createViewer({ onExpired }) {
  const state = {
    pages: [], // [{ slot, page, pages, doc }]
    index: 0,
    zoom: 1,
    rotation: new Map(), // document_id -> degrees, kept while the screen is open
    slotLabel: (slot) => ({ text: slot, lang: null }),
    refreshedAt: 0,
    pointers: new Map(),
    pinch: null,
  };

  const image = el('img', { className: 'viewer__image', alt: '', draggable: 'false', decoding: 'async' });
  const canvas = el('div', { className: 'viewer__canvas' }, image);
  const notice = el('div', { className: 'viewer__notice', hidden: true });
  const stage = el('div', {
    className: 'viewer__stage',
    tabindex: '0',
    role: 'group',
    'aria-roledescription': t('desk.viewer.stage_role'),
    'aria-describedby': null,
  }, canvas, notice);
  const position = el('p', { className: 'viewer__position', 'aria-live': 'polite' });
  const zoomLevel = el('output', { className: 'viewer__zoom', 'aria-live': 'polite' });

  const button = (icon, key, onClick) => {
    const node = el(
      'button',
      { type: 'button', className: 'viewer__button', title: t(key), dataset: { control: key.split('.').pop() } },
      el('span', { className: 'viewer__icon', 'aria-hidden': 'true' }, icon),
      tx('span', key, { className: 'viewer__label' }),
    );
    node.addEventListener('click', onClick);
    return node;
  };
  const prev = button('‹', 'desk.viewer.prev', () => go(state.index - 1));
  const next = button('›', 'desk.viewer.next', () => go(state.index + 1));
  const zoomOut = button('−', 'desk.viewer.zoom_out', () => zoomTo(state.zoom / ZOOM_STEP));
  const zoomIn = button('+', 'desk.viewer.zoom_in', () => zoomTo(state.zoom * ZOOM_STEP));
  const fit = button('⤢', 'desk.viewer.fit', () => zoomTo(1));
  const rotateLeft = button('↺', 'desk.viewer.rotate_left', () => rotate(-90));
  const rotateRight = button('↻', 'desk.viewer.rotate_right', () => rotate(90));
  const toolbar = el(
    'div',
    { className: 'viewer__toolbar', role: 'toolbar', 'aria-label': t('desk.viewer.toolbar') },
    el('div', { className: 'viewer__group' }, prev, next),
    el('div', { className: 'viewer__group' }, zoomOut, zoomLevel, zoomIn, fit),
    el('div', { className: 'viewer__group' }, rotateLeft, rotateRight),
  );
  const hint = tx('p', 'desk.viewer.keys_hint', { className: 'note viewer__hint', id: `viewer-hint-${Date.now()}` });
  stage.setAttribute('aria-describedby', hint.id);
  const slotList = el('ul', { className: 'viewer__slots' });
  const empty = tx('p', 'desk.viewer.no_documents', { className: 'placeholder', hidden: true });
  const element = el('div', { className: 'viewer' }, empty, position, toolbar, stage, hint, slotList);

  const current = () => state.pages[state.index] || null;
  const degrees = () => state.rotation.get(current()?.doc.document_id) || 0;

  // Sizes the canvas to the rotated, zoomed page so the stage scrolls over it, and centres the image in it.
  function layout() {
    const page = current();
    if (!page || image.hidden) return;
    // Until the page's own image has loaded, the sizes the server measured (the element may still hold the last page).
    const loaded = image.dataset.loaded === 'true' && image.getAttribute('src') === page.doc.url;
    const naturalWidth = (loaded && image.naturalWidth) || page.doc.width || 1;
    const naturalHeight = (loaded && image.naturalHeight) || page.doc.height || 1;
    const quarter = Math.abs(degrees() / 90) % 2 === 1;
    const boxWidth = quarter ? naturalHeight : naturalWidth;
    const boxHeight = quarter ? naturalWidth : naturalHeight;
    const fitScale = Math.min(stage.clientWidth / boxWidth, stage.clientHeight / boxHeight) || 1;
    canvas.style.width = `${Math.floor(boxWidth * fitScale * state.zoom)}px`;
    canvas.style.height = `${Math.floor(boxHeight * fitScale * state.zoom)}px`;
    image.style.width = `${naturalWidth * fitScale}px`;
    image.style.height = `${naturalHeight * fitScale}px`;
    image.style.transform = `translate(-50%, -50%) rotate(${degrees()}deg) scale(${state.zoom})`;
    zoomLevel.value = `${Math.round(state.zoom * 100)}%`;
    zoomOut.disabled = state.zoom <= ZOOM_MIN;
    zoomIn.disabled = state.zoom >= ZOOM_MAX;
  }

  // Zoom around the middle of what is on show, so the part being read stays in view.
  function zoomTo(value) {
    const zoom = Math.min(ZOOM_MAX, Math.max(ZOOM_MIN, value));
    if (zoom === state.zoom || !isImage(current())) return;
    const centreX = (stage.scrollLeft + stage.clientWidth / 2) / (stage.scrollWidth || 1);
    const centreY = (stage.scrollTop + stage.clientHeight / 2) / (stage.scrollHeight || 1);
    state.zoom = zoom;
    layout();
    stage.scrollLeft = centreX * stage.scrollWidth - stage.clientWidth / 2;
    stage.scrollTop = centreY * stage.scrollHeight - stage.clientHeight / 2;
  }

  function rotate(by) {
    const page = current();
    if (!isImage(page)) return;
    state.rotation.set(page.doc.document_id, (((degrees() + by) % 360) + 360) % 360);
    layout();
  }

  function go(index) {
    if (index < 0 || index >= state.pages.length) return;
    state.index = index;
    state.zoom = 1;
    render();
  }

  function showNotice(...children) {
    notice.replaceChildren(...children);
    notice.hidden = false;
  }

  function render() {
    const page = current();
    empty.hidden = state.pages.length > 0;
    for (const node of [position, toolbar, stage, hint]) node.hidden = !page;
    renderSlotList();
    if (!page) return;
    const label = state.slotLabel(page.slot);
    setText(position, 'desk.viewer.position', {
      slot: label.text, page: page.page, pages: page.pages, index: state.index + 1, total: state.pages.length,
    });
    prev.disabled = state.index === 0;
    next.disabled = state.index === state.pages.length - 1;
    stage.setAttribute('aria-label', t('desk.viewer.stage_label', { slot: label.text, page: page.page, pages: page.pages }));
    notice.hidden = true;
    const image_ = isImage(page);
    for (const control of [zoomOut, zoomIn, fit, rotateLeft, rotateRight]) control.disabled = !image_;
    image.hidden = !image_;
    canvas.hidden = !image_;
    stage.classList.toggle('viewer__stage--file', !image_);
    if (page.doc.missing) {
      image.removeAttribute('src');
      showNotice(tx('p', 'desk.viewer.missing', { className: 'viewer__notice-text' }));
    } else if (page.doc.content_type === PDF) {
      image.removeAttribute('src');
      showNotice(
        tx('p', 'desk.viewer.pdf', { className: 'viewer__notice-text' }),
        tx('a', 'desk.viewer.open_pdf', {
          href: page.doc.url, target: '_blank', rel: 'noopener', className: 'button',
        }),
      );
    } else {
      image.alt = t('desk.viewer.image_alt', { slot: label.text, page: page.page, pages: page.pages });
      // A failed image is asked for again even when the fresh link is the same (signed in the same second).
      if (image.getAttribute('src') !== page.doc.url || image.dataset.loaded === 'error') {
        image.dataset.loaded = 'false';
        image.removeAttribute('src');
        image.src = page.doc.url;
      }
      layout();
    }
  }

  function renderSlotList() {
    const groups = [];
    for (const [index, page] of state.pages.entries()) {
      if (page.page === 1) groups.push({ slot: page.slot, items: [] });
      groups[groups.length - 1].items.push({ index, page });
    }
    slotList.replaceChildren(...groups.map(({ slot, items }) => {
      const label = state.slotLabel(slot);
      return el(
        'li',
        { className: 'viewer__slot', dataset: { slot } },
        el('span', { className: 'viewer__slot-name', lang: label.lang }, label.text),
        el('span', { className: 'viewer__slot-pages' }, items.map(({ index, page }) => {
          const jump = tx('button', 'desk.viewer.page_button', {
            type: 'button',
            className: 'viewer__page-button',
            'aria-current': index === state.index ? 'true' : null,
            'aria-label': t('desk.viewer.page_label', { slot: label.text, page: page.page }),
            dataset: { page: String(page.page) },
          }, { page: page.page });
          jump.addEventListener('click', () => {
            go(index);
            stage.focus({ preventScroll: true });
          });
          return jump;
        })),
      );
    }));
  }

  image.addEventListener('load', () => {
    image.dataset.loaded = 'true';
    layout();
  });
  image.addEventListener('error', () => {
    if (!image.getAttribute('src')) return;
    image.dataset.loaded = 'error';
    const retry = tx('button', 'common.retry', { type: 'button', className: 'button' });
    retry.addEventListener('click', () => {
      state.refreshedAt = Date.now();
      onExpired();
    });
    if (Date.now() - state.refreshedAt > REFRESH_GAP_MS) {
      state.refreshedAt = Date.now();
      showNotice(tx('p', 'desk.viewer.expired', { className: 'viewer__notice-text', role: 'status' }));
      onExpired();
    } else {
      showNotice(tx('p', 'desk.viewer.failed', { className: 'viewer__notice-text', role: 'alert' }), retry);
    }
  });

  // Ctrl+wheel, and a trackpad pinch (which browsers send as a wheel with ctrlKey): zoom. Plain wheel scrolls.
  stage.addEventListener('wheel', (event) => {
    if (!event.ctrlKey) return;
    event.preventDefault();
    zoomTo(state.zoom * Math.exp(-event.deltaY * 0.01));
  }, { passive: false });
  stage.addEventListener('dblclick', () => zoomTo(state.zoom > 1 ? 1 : 2));

  // Two fingers: zoom by the change of distance between them (one finger still scrolls the stage).
  const distance = () => {
    const [a, b] = [...state.pointers.values()];
    return Math.hypot(a.x - b.x, a.y - b.y) || 1;
  };
  stage.addEventListener('pointerdown', (event) => {
    if (event.pointerType !== 'touch') return;
    state.pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (state.pointers.size === 2) state.pinch = { distance: distance(), zoom: state.zoom };
  });
  stage.addEventListener('pointermove', (event) => {
    if (!state.pointers.has(event.pointerId)) return;
    state.pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (state.pinch && state.pointers.size === 2) zoomTo(state.pinch.zoom * (distance() / state.pinch.distance));
  });
  const lift = (event) => {
    state.pointers.delete(event.pointerId);
    if (state.pointers.size < 2) state.pinch = null;
  };
  stage.addEventListener('pointerup', lift);
  stage.addEventListener('pointercancel', lift);

  const KEYS = {
    '+': () => zoomTo(state.zoom * ZOOM_STEP),
    '=': () => zoomTo(state.zoom * ZOOM_STEP),
    '-': () => zoomTo(state.zoom / ZOOM_STEP),
    0: () => zoomTo(1),
    r: () => rotate(90),
    R: () => rotate(-90),
    l: () => rotate(-90),
    PageDown: () => go(state.index + 1),
    PageUp: () => go(state.index - 1),
  };
  element.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.target.closest('input, textarea, select')) return;
    const action = KEYS[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  });

  const resize = new ResizeObserver(() => layout());
  resize.observe(stage);

  return {
    element,
    /** Show `documents` ({slot: [doc...]}) in `slotOrder` (other slots after); keeps the page on show if it is still there. */
    update(documents, slotOrder, slotLabel) {
      const onShow = current();
      state.slotLabel = slotLabel;
      const slots = [...slotOrder.filter((slot) => documents?.[slot]), ...Object.keys(documents || {}).filter((slot) => !slotOrder.includes(slot))];
      state.pages = slots.flatMap((slot) => (documents[slot] || []).map((doc, i, all) => ({ slot, page: i + 1, pages: all.length, doc })));
      const kept = onShow ? state.pages.findIndex((page) => page.doc.document_id === onShow.doc.document_id) : -1;
      state.index = kept >= 0 ? kept : 0;
      if (kept < 0) state.zoom = 1;
      render();
    },
    /** Show the first page of `slot`. */
    showSlot(slot) {
      const index = state.pages.findIndex((page) => page.slot === slot);
      if (index >= 0) go(index);
    },
    destroy() {
      resize.disconnect();
    },
  };
}

function isImage(page) {
  return Boolean(page && !page.doc.missing && page.doc.content_type !== PDF && page.doc.url);
}
