// Step 2: the papers. One section per slot the answers call for; each page is photographed (in-page camera
// where there is one, else the phone's camera app) or picked, shrunk on the phone, shown with its size
// before and after and a warning when it looks dark or blurry, saved in IndexedDB and uploaded at once
// with a real progress bar. Pages taken offline wait on the phone and go up when the connection returns.

import { ApiError, errorKey } from './api.js';
import { addPage, removePage } from './db.js';
import { clearText, el, setText, tx } from './dom.js';
import { onPageUpload, resumeUploads, uploadPage, uploadState } from './draft-uploads.js';
import { showFieldError, showFieldErrors, uid } from './form.js';
import { formatBytes, percent } from './format.js';
import { localized, t } from './i18n.js';
import { cameraSupported, openCamera } from './photo/camera.js';
import { processPhoto } from './photo/process.js';
import { activeSlots, validateDocuments } from './procedure-rules.js';

/** The documents step for `ctx` (see apply.js): `{element, check(), showErrors(fields), leave()}`. */
export function documentsStep(ctx) {
  const { procedure, draft } = ctx;
  const slots = activeSlots(procedure, draft.answers);
  const views = slots.map(({ slot, required }) => slotView(ctx, slot, required));
  const byPage = (pageId) => views.find((view) => view.hasPage(pageId));
  const unsubscribe = onPageUpload((event) => {
    if (event.draftId === draft.id) byPage(event.pageId)?.update(event);
  });
  resumeUploads(draft, slots.map(({ slot }) => slot.id));
  const element = el(
    'div',
    { className: 'documents' },
    tx('p', 'apply.documents_intro', { className: 'screen__lead' }),
    views.map((view) => view.element),
  );
  return {
    element,
    check: () => {
      const busy = views.filter((view) => view.busy()).map((view) => [`documents.${view.slotId}`, 'still_processing']);
      return { ...validateDocuments(procedure, draft.answers, draft.pages), ...Object.fromEntries(busy) };
    },
    showErrors: (fields) => showFieldErrors(element, fields),
    leave: () => {
      unsubscribe();
      for (const view of views) view.leave();
    },
  };
}

function slotView(ctx, slot, required) {
  const { draft } = ctx;
  const label = localized(slot.label);
  const help = slot.help ? localized(slot.help) : null;
  const headingId = uid('slot');
  const list = el('ol', { className: 'pages' });
  const cameraHost = el('div', { className: 'slot__camera', hidden: true });
  const error = el('p', { className: 'field__error', hidden: true, role: 'alert' });
  const accept = slot.accept || ['image/jpeg'];
  // The file inputs stay out of sight; big buttons open them (a tap's gesture lets input.click() open the picker).
  const pickKey = accept.includes('application/pdf') ? 'apply.pick_file' : 'apply.pick_photo';
  const cameraInput = el('input', {
    type: 'file', accept: 'image/*', capture: 'environment', className: 'file-input', 'aria-label': t('apply.camera_app'),
  });
  const galleryInput = el('input', {
    type: 'file', multiple: true, className: 'file-input', 'aria-label': t(pickKey),
    accept: accept.includes('application/pdf') ? 'image/*,application/pdf' : 'image/*',
  });
  const cameraApp = tx('button', 'apply.camera_app', { type: 'button', className: 'button button--secondary', hidden: true });
  const takeButton = tx('button', 'apply.take_photo', { type: 'button', className: 'button' });
  const galleryButton = tx('button', pickKey, { type: 'button', className: 'button button--secondary' });
  cameraApp.addEventListener('click', () => cameraInput.click());
  galleryButton.addEventListener('click', () => galleryInput.click());
  const actions = el('div', { className: 'slot__actions' }, takeButton, galleryButton, cameraApp, cameraInput, galleryInput);
  const section = el(
    'section',
    { className: 'slot', dataset: { field: `documents.${slot.id}`, slot: slot.id }, 'aria-labelledby': headingId },
    el('h3', { className: 'slot__title', id: headingId, lang: label.lang }, label.text),
    help ? el('p', { className: 'field__hint', lang: help.lang }, help.text) : null,
    pagesRule(slot, required),
    list,
    cameraHost,
    actions,
    error,
  );
  const state = { busy: 0, camera: null, urls: new Map(), items: new Map(), processing: [] };
  const pages = () => draft.pages[slot.id] || [];

  const render = () => {
    // A thumbnail's URL lives as long as its page: revoking it on every redraw would break images still loading.
    const current = new Set(pages().map((page) => page.pageId));
    for (const [pageId, url] of state.urls) {
      if (!current.has(pageId)) {
        URL.revokeObjectURL(url);
        state.urls.delete(pageId);
      }
    }
    state.items = new Map();
    const items = pages().map((page, index) => {
      const item = pageItem(page, index, state, {
        retake: () => capture(page.pageId),
        remove: () => remove(page),
        retry: () => uploadPage(draft, slot.id, page).catch(() => {}),
      });
      state.items.set(page.pageId, item);
      return item.element;
    });
    list.replaceChildren(...items, ...state.processing);
    // While the camera is open its own buttons are the ones to press.
    actions.hidden = Boolean(state.camera) || pages().length + state.busy >= (slot.max_pages || Infinity);
  };

  const fail = (code) => setText(error, code.includes('.') ? code : errorKey(new ApiError(code)));
  const addFiles = async (files, replace = null) => {
    clearText(error);
    for (const file of files) {
      if (!replace && pages().length + state.busy >= (slot.max_pages || Infinity)) {
        showFieldError(section, 'too_many_pages');
        break;
      }
      const waiting = tx('li', 'apply.processing', { className: 'page page--processing', role: 'status' });
      state.busy += 1;
      state.processing.push(waiting);
      render();
      try {
        await addOne(file, replace);
      } finally {
        state.busy -= 1;
        state.processing = state.processing.filter((node) => node !== waiting);
        render();
      }
      replace = null;
    }
  };

  const addOne = async (file, replace) => {
    const result = await processPhoto(file, { maxEdge: ctx.photo.max_edge, targetBytes: ctx.photo.target_bytes });
    if (!accept.includes(result.contentType)) return fail('upload_type_not_allowed');
    if (slot.max_bytes && result.bytes > slot.max_bytes) return fail('upload_too_large');
    await ctx.saveNow(); // pages belong to a saved draft
    const page = {
      pageId: crypto.randomUUID(),
      blob: result.blob,
      contentType: result.contentType,
      originalBytes: result.originalBytes,
      bytes: result.bytes,
      width: result.width || null,
      height: result.height || null,
      quality: result.quality || null,
    };
    const meta = await addPage(draft.id, slot.id, page, replace);
    const entry = { ...meta, blob: page.blob };
    const updated = [...pages()];
    const at = replace ? updated.findIndex((old) => old.pageId === replace) : -1;
    if (at >= 0) updated.splice(at, 1, entry);
    else updated.push(entry);
    draft.pages[slot.id] = updated;
    uploadPage(draft, slot.id, entry).catch(() => {}); // progress and failures arrive as events
    return entry;
  };

  const remove = async (page) => {
    clearText(error);
    await removePage(draft.id, page.pageId);
    draft.pages[slot.id] = pages().filter((other) => other.pageId !== page.pageId);
    render();
  };

  const closeCamera = () => {
    state.camera?.close();
    state.camera = null;
    cameraHost.hidden = true;
    render();
  };

  // Must run inside the tap's handler: a file input opens only on a user's gesture.
  const capture = (replace = null) => {
    clearText(error);
    if (!cameraSupported()) {
      cameraInput.dataset.replace = replace || '';
      cameraInput.click();
      return;
    }
    openInPage(replace);
  };

  const openInPage = async (replace) => {
    closeCamera();
    cameraHost.hidden = false;
    try {
      state.camera = await openCamera(cameraHost, {
        onCapture: (blob) => {
          closeCamera();
          addFiles([blob], replace);
        },
        onCancel: () => {
          state.camera = null;
          cameraHost.hidden = true;
          render();
        },
      });
      render();
      cameraHost.scrollIntoView?.({ block: 'center' });
    } catch {
      // No camera, or permission refused: the phone's own camera app still works through the file input.
      closeCamera();
      cameraInput.dataset.replace = replace || '';
      cameraApp.hidden = false;
      fail('apply.camera_failed');
    }
  };

  takeButton.addEventListener('click', () => capture());
  for (const fileInput of [cameraInput, galleryInput]) {
    fileInput.addEventListener('change', () => {
      const files = [...fileInput.files];
      const replace = fileInput.dataset.replace || null;
      fileInput.value = '';
      fileInput.dataset.replace = '';
      if (files.length) addFiles(files, replace);
    });
  }
  render();

  return {
    element: section,
    slotId: slot.id,
    busy: () => state.busy > 0,
    hasPage: (pageId) => state.items.has(pageId),
    update: (event) => state.items.get(event.pageId)?.update(event),
    leave: () => {
      closeCamera();
      for (const url of state.urls.values()) URL.revokeObjectURL(url);
    },
  };
}

function pagesRule(slot, required) {
  const min = required ? Math.max(1, slot.min_pages ?? 1) : 0;
  const max = slot.max_pages || min;
  const key = required ? (min === max ? 'apply.pages_exact' : 'apply.pages_range') : 'apply.pages_optional';
  return tx('p', key, { className: 'slot__rule' }, { min, max });
}

function pageItem(page, index, state, actions) {
  const thumb = thumbnail(page, index, state);
  const status = el('p', { className: 'page__status', role: 'status' });
  const retry = tx('button', 'common.retry', { type: 'button', className: 'button button--secondary', hidden: true, onclick: actions.retry });
  const progress = el('progress', { className: 'page__progress', max: page.bytes || 1, value: 0 });
  const warning = qualityWarning(page.quality);
  const element = el(
    'li',
    { className: 'page', dataset: { pageId: page.pageId } },
    thumb,
    el(
      'div',
      { className: 'page__body' },
      tx('p', 'apply.page_n', { className: 'page__title' }, { n: index + 1 }),
      el('p', { className: 'page__size' }, sizeText(page)),
      warning,
      progress,
      status,
      el(
        'div',
        { className: 'page__actions' },
        retry,
        tx('button', 'apply.retake', { type: 'button', className: 'button button--secondary', onclick: actions.retake }),
        tx('button', 'apply.remove_page', { type: 'button', className: 'button button--secondary', onclick: actions.remove }),
      ),
    ),
  );
  const update = (event) => {
    showUpload(element, progress, status, event);
    retry.hidden = event.state !== 'stopped';
  };
  if (page.documentId) update({ state: 'done' });
  else if (page.error) update({ state: 'failed', error: page.error });
  else update(uploadState(page.pageId) || { state: 'queued' });
  return { element, update };
}

function thumbnail(page, index, state) {
  if (!page.blob || !page.contentType.startsWith('image/') || page.contentType === 'image/heic') {
    return el('div', { className: 'page__file', 'aria-hidden': 'true' }, page.contentType === 'application/pdf' ? 'PDF' : '?');
  }
  if (!state.urls.has(page.pageId)) state.urls.set(page.pageId, URL.createObjectURL(page.blob));
  const url = state.urls.get(page.pageId);
  return el('img', { className: 'page__thumb', src: url, alt: '', width: 96, height: 128 });
}

// "3,4 MB → 280 KB" when the phone shrank it; just the size when it went as it was.
function sizeText(page) {
  if (page.originalBytes && page.originalBytes !== page.bytes) return `${formatBytes(page.originalBytes)} → ${formatBytes(page.bytes)}`;
  return formatBytes(page.bytes);
}

function qualityWarning(quality) {
  if (!quality || (!quality.dark && !quality.blurry)) return null;
  const key = quality.dark && quality.blurry ? 'apply.photo_dark_blurry' : quality.dark ? 'apply.photo_dark' : 'apply.photo_blurry';
  return tx('p', key, { className: 'page__warning' });
}

function showUpload(element, progress, status, event) {
  element.dataset.upload = event.state;
  progress.hidden = event.state === 'failed';
  if (event.state === 'done') {
    progress.max = 1;
    progress.value = 1;
    setText(status, 'apply.uploaded');
  } else if (event.state === 'uploading') {
    progress.max = event.total || 1;
    progress.value = event.loaded || 0;
    setText(status, 'apply.uploading', { percent: percent(event.loaded, event.total) });
  } else if (event.state === 'waiting') {
    progress.value = 0;
    setText(status, event.offline || !navigator.onLine ? 'apply.upload_offline' : 'apply.upload_retrying');
  } else if (event.state === 'failed') {
    setText(status, errorKey(new ApiError(event.error)));
  } else if (event.state === 'stopped') {
    setText(status, 'apply.upload_stopped');
  } else {
    setText(status, navigator.onLine ? 'apply.upload_queued' : 'apply.upload_offline');
  }
}
