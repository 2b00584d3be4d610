// "Cần bổ sung giấy tờ": which papers the commune wants photographed again and why, one card per paper
// with the apply flow's capture (in-page camera or the phone's camera app, or a picked photo), the same
// compression in the worker and the same resumable upload, then one "Nộp bổ sung". The new pages live in
// memory only: they are uploaded as soon as they are taken, and the resubmission names their ids.

import { ApiError, errorKey } from './api.js';
import { clearText, el, setText, tx } from './dom.js';
import { messageLine, setBusy, uid } from './form.js';
import { has, localized } from './i18n.js';
import { cameraSupported, openCamera } from './photo/camera.js';
import { processPhoto } from './photo/process.js';
import { newShot } from './retake-page.js';

/** A slot id's name from the application's `procedure_slots`, as `{text, lang}`. */
export function slotName(app, slotId) {
  const label = app.procedure_slots?.[slotId]?.label;
  return label ? localized(label) : { text: slotId, lang: 'vi' };
}

/**
 * The supplement panel of `app` (status supplement_requested), whose `procedure_slots` give each paper's
 * page and file rules; `photo` is the catalog's compression settings (or null for the defaults);
 * `send(documents)` resubmits `{slot: [document ids]}` and rejects with an ApiError the panel shows.
 * Returns `{element, leave()}`.
 */
export function supplementPanel({ app, photo, send }) {
  const cards = app.supplement.slots.map((slotId) => retakeCard({
    procedureId: app.procedure_id, slotId, name: slotName(app, slotId), rule: app.procedure_slots?.[slotId] || {}, photo,
  }));
  const message = messageLine('error');
  const button = tx('button', 'case.resubmit', { type: 'button', className: 'button button--large button--block' });
  button.addEventListener('click', async () => {
    clearText(message);
    if (cards.some((card) => !card.ready())) {
      setText(message, 'case.resubmit_not_ready');
      return;
    }
    setBusy(button, true);
    setText(button, 'case.resubmitting');
    try {
      await send(Object.fromEntries(cards.map((card) => [card.slotId, card.documentIds()])));
    } catch (error) {
      showRefusal(error, cards, message);
    } finally {
      setBusy(button, false);
      setText(button, 'case.resubmit');
    }
  });
  const titleId = uid('supplement');
  const element = el(
    'section',
    { className: 'supplement', 'aria-labelledby': titleId },
    tx('h3', 'case.supplement_title', { className: 'supplement__title', id: titleId }),
    tx('p', 'case.supplement_lead', { className: 'supplement__lead' }),
    el('ul', { className: 'supplement__papers' }, app.supplement.slots.map((slotId) => {
      const name = slotName(app, slotId);
      return el('li', { lang: name.lang, dataset: { slot: slotId } }, name.text);
    })),
    app.supplement.reason
      ? el(
        'div',
        { className: 'supplement__reason' },
        tx('p', 'case.supplement_reason', { className: 'supplement__reason-label' }),
        el('blockquote', { className: 'supplement__reason-text' }, app.supplement.reason),
      )
      : null,
    tx('p', 'case.supplement_how', { className: 'note' }),
    cards.map((card) => card.element),
    message,
    button,
  );
  return { element, leave: () => cards.forEach((card) => card.leave()) };
}

// Field errors (documents.<slot>) go to their card; anything else under the button.
function showRefusal(error, cards, message) {
  const fields = error instanceof ApiError ? Object.entries(error.details?.fields || {}) : [];
  let placed = false;
  for (const [path, code] of fields) {
    // documents.<slot> for the paper, documents.<slot>.<n> for one of its pages
    const card = cards.find((candidate) => `${path}.`.startsWith(`documents.${candidate.slotId}.`));
    if (card) {
      card.fail(has(`fields.${code}`) ? `fields.${code}` : 'fields.invalid');
      placed = true;
    }
  }
  if (!placed && error?.status !== 401) setText(message, errorKey(error));
}

/**
 * One paper to photograph again: its new pages, each processed and uploaded at once. The complaint photos
 * (js/complaints/file.js) use it too: `titleKey` and `ruleKey` ({max}) name the card, `optional` allows none.
 */
export function retakeCard({
  procedureId, slotId, name, rule, photo, titleKey = 'case.retake_title', ruleKey = null, optional = false,
}) {
  const accept = rule.accept || ['image/jpeg'];
  const least = optional ? 0 : Math.max(1, rule.min_pages ?? 1);
  const most = rule.max_pages || Math.max(least, 1);
  const pdf = accept.includes('application/pdf');
  const help = rule.help ? localized(rule.help) : {};
  const shots = [];
  const waiting = []; // "Đang xử lý ảnh…" lines, one per photo in the compressor
  let camera = null;

  const cameraHost = el('div', { className: 'slot__camera', hidden: true });
  const list = el('ol', { className: 'pages' });
  const problem = el('p', { className: 'field__error', role: 'alert', hidden: true });
  const appInput = el('input', { type: 'file', accept: 'image/*', capture: 'environment', className: 'file-input' });
  const pickInput = el('input', { type: 'file', multiple: true, className: 'file-input', accept: pdf ? 'image/*,application/pdf' : 'image/*' });
  const shoot = tx('button', 'apply.take_photo', { type: 'button', className: 'button' });
  const pick = tx('button', pdf ? 'apply.pick_file' : 'apply.pick_photo', { type: 'button', className: 'button button--secondary' });
  const phoneCamera = tx('button', 'apply.camera_app', { type: 'button', className: 'button button--secondary', hidden: true });
  appInput.setAttribute('aria-label', phoneCamera.textContent);
  pickInput.setAttribute('aria-label', pick.textContent);
  const buttons = el('div', { className: 'slot__actions' }, shoot, pick, phoneCamera, appInput, pickInput);
  const headingId = uid('retake');
  const element = el(
    'section',
    { className: 'slot retake', dataset: { slot: slotId, field: `documents.${slotId}` }, 'aria-labelledby': headingId },
    setText(el('h4', { className: 'slot__title', id: headingId, lang: name.lang }), titleKey, { name: name.text }),
    help.text ? el('p', { className: 'field__hint', lang: help.lang }, help.text) : null,
    tx('p', ruleKey || (least === most ? 'apply.pages_exact' : 'apply.pages_range'), { className: 'slot__rule' }, { min: least, max: most }),
    list,
    cameraHost,
    buttons,
    problem,
  );

  const fail = (key) => setText(problem, key);
  const redraw = () => {
    list.replaceChildren(...shots.map((shot, index) => shot.draw(index)), ...waiting);
    buttons.hidden = Boolean(camera) || shots.length + waiting.length >= most;
  };

  const stopCamera = () => {
    camera?.close();
    camera = null;
    cameraHost.hidden = true;
  };

  const take = async (files, replacing) => {
    clearText(problem);
    for (const file of files) {
      if (!replacing && shots.length + waiting.length >= most) {
        fail('fields.too_many_pages');
        return;
      }
      const pending = tx('li', 'apply.processing', { className: 'page page--processing', role: 'status' });
      waiting.push(pending);
      redraw();
      try {
        const shot = await prepare(file);
        if (shot) place(shot, replacing);
      } finally {
        waiting.splice(waiting.indexOf(pending), 1);
        redraw();
      }
      replacing = null;
    }
  };

  // Compressed in the worker like every apply photo; refused here when the paper's rules say no.
  const prepare = async (file) => {
    const done = await processPhoto(file, photo?.max_edge ? { maxEdge: photo.max_edge, targetBytes: photo.target_bytes } : {});
    if (!accept.includes(done.contentType)) return fail(errorKey(new ApiError('upload_type_not_allowed')));
    if (rule.max_bytes && done.bytes > rule.max_bytes) return fail(errorKey(new ApiError('upload_too_large')));
    return newShot(done, { procedureId, slotId, retake: (shot) => capture(shot), drop: (shot) => discard(shot) });
  };

  const place = (shot, replacing) => {
    const at = replacing ? shots.indexOf(replacing) : -1;
    if (at >= 0) {
      shots.splice(at, 1, shot);
      replacing.stop();
    } else {
      shots.push(shot);
    }
    shot.upload();
  };

  const discard = (shot) => {
    shot.stop();
    shots.splice(shots.indexOf(shot), 1);
    redraw();
  };

  // A file input opens only inside the tap's own handler, so the fallback click happens right here.
  const capture = (replacing = null) => {
    clearText(problem);
    if (!cameraSupported()) {
      openPicker(appInput, replacing);
      return;
    }
    startCamera(replacing);
  };

  const startCamera = async (replacing) => {
    stopCamera();
    cameraHost.hidden = false;
    const finish = (files) => {
      stopCamera();
      redraw();
      if (files) take(files, replacing);
    };
    try {
      camera = await openCamera(cameraHost, { onCapture: (blob) => finish([blob]), onCancel: () => finish(null) });
      redraw();
      cameraHost.scrollIntoView?.({ block: 'center' });
    } catch {
      // Refused or missing: the phone's own camera app still works through the file input.
      finish(null);
      appInput.replacing = replacing;
      phoneCamera.hidden = false;
      fail('apply.camera_failed');
    }
  };

  shoot.addEventListener('click', () => capture());
  pick.addEventListener('click', () => openPicker(pickInput, null));
  phoneCamera.addEventListener('click', () => openPicker(appInput, appInput.replacing || null));
  for (const input of [appInput, pickInput]) {
    input.addEventListener('change', () => {
      const files = [...input.files];
      const replacing = input.replacing || null;
      input.value = '';
      input.replacing = null;
      if (files.length) take(files, replacing);
    });
  }
  redraw();

  return {
    element,
    slotId,
    ready: () => waiting.length === 0 && shots.length >= least && shots.every((shot) => shot.documentId()),
    documentIds: () => shots.map((shot) => shot.documentId()),
    fail,
    leave: () => {
      stopCamera();
      shots.forEach((shot) => shot.stop());
    },
  };
}

function openPicker(input, replacing) {
  input.replacing = replacing;
  input.click();
}
