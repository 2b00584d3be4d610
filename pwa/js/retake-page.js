// One page photographed again for a supplement request (js/supplement.js): its thumbnail and sizes, a
// warning when it looks dark or blurry, and its upload through the submit uploads API with real progress,
// waiting out lost connections (js/upload.js) and a "Thử lại" when it finally fails.

import { errorKey } from './api.js';
import { el, setText, tx } from './dom.js';
import { formatBytes, percent } from './format.js';
import { uploadDocument } from './upload.js';

/** One new page: its thumbnail, size, upload progress and buttons; `upload()` sends it (again). */
export function newShot(result, { procedureId, slotId, retake, drop }) {
  const image = result.contentType.startsWith('image/') && result.contentType !== 'image/heic';
  const url = image ? URL.createObjectURL(result.blob) : null;
  const shot = { id: null, controller: null, status: { state: 'queued' } };
  const bar = el('progress', { className: 'page__progress', max: result.bytes || 1, value: 0 });
  const line = el('p', { className: 'page__status', role: 'status' });
  const again = tx('button', 'common.retry', { type: 'button', className: 'button button--secondary', hidden: true });
  const title = el('p', { className: 'page__title' });
  const warning = qualityKey(result.quality);
  const item = el(
    'li',
    { className: 'page' },
    url ? el('img', { className: 'page__thumb', src: url, alt: '', width: 96, height: 128 })
      : el('div', { className: 'page__file', 'aria-hidden': 'true' }, 'PDF'),
    el(
      'div',
      { className: 'page__body' },
      title,
      el('p', { className: 'page__size' }, result.originalBytes !== result.bytes
        ? `${formatBytes(result.originalBytes)} → ${formatBytes(result.bytes)}` : formatBytes(result.bytes)),
      warning ? tx('p', warning, { className: 'page__warning' }) : null,
      bar,
      line,
      el(
        'div',
        { className: 'page__actions' },
        again,
        tx('button', 'apply.retake', { type: 'button', className: 'button button--secondary', onclick: () => retake(api) }),
        tx('button', 'apply.remove_page', { type: 'button', className: 'button button--secondary', onclick: () => drop(api) }),
      ),
    ),
  );

  const show = (status) => {
    shot.status = status;
    item.dataset.upload = status.state;
    bar.hidden = status.state === 'failed';
    again.hidden = status.state !== 'failed';
    if (status.state === 'done') {
      bar.max = 1;
      bar.value = 1;
      setText(line, 'apply.uploaded');
    } else if (status.state === 'uploading') {
      bar.max = status.total || 1;
      bar.value = status.loaded || 0;
      setText(line, 'apply.uploading', { percent: percent(status.loaded, status.total) });
    } else if (status.state === 'waiting') {
      bar.value = 0;
      setText(line, status.offline ? 'apply.upload_offline' : 'apply.upload_retrying');
    } else if (status.state === 'failed') {
      setText(line, errorKey(status.error));
    } else {
      setText(line, 'apply.upload_queued');
    }
  };

  const upload = async () => {
    shot.controller = new AbortController();
    show({ state: 'uploading', loaded: 0, total: result.bytes });
    try {
      const done = await uploadDocument({
        procedureId,
        slotId,
        blob: result.blob,
        contentType: result.contentType,
        signal: shot.controller.signal,
        onProgress: ({ loaded, total }) => show({ state: 'uploading', loaded, total }),
        onRetry: ({ offline }) => show({ state: 'waiting', offline }),
      });
      shot.id = done.document_id;
      show({ state: 'done' });
    } catch (error) {
      if (error?.name !== 'AbortError') show({ state: 'failed', error });
    }
  };
  again.addEventListener('click', upload);

  const api = {
    upload,
    documentId: () => shot.id,
    draw: (index) => {
      setText(title, 'apply.page_n', { n: index + 1 });
      return item;
    },
    stop: () => {
      shot.controller?.abort();
      if (url) URL.revokeObjectURL(url);
    },
  };
  show(shot.status);
  return api;
}

function qualityKey(quality) {
  if (!quality?.dark && !quality?.blurry) return null;
  if (quality.dark && quality.blurry) return 'apply.photo_dark_blurry';
  return quality.dark ? 'apply.photo_dark' : 'apply.photo_blurry';
}
