// In-page camera with an A4 framing guide, where the browser offers getUserMedia. It is an extra:
// when it is missing or refused, the caller falls back to <input type=file capture="environment">.

import { el, tx } from '../dom.js';

// Rear camera, asking for Full HD: enough for an A4 page at a readable size after compression.
const CONSTRAINTS = {
  audio: false,
  video: { facingMode: 'environment', width: { ideal: 1920 }, height: { ideal: 1080 } },
};
// A camera that grants access but never delivers a frame must not leave the user waiting forever.
const FIRST_FRAME_TIMEOUT_MS = 10000;
// The frame goes through processPhoto afterwards; encode it nearly losslessly here.
const FRAME_QUALITY = 0.92;

/** True when this browser can show a live camera (secure context with getUserMedia). */
export function cameraSupported() {
  return Boolean(globalThis.isSecureContext && navigator.mediaDevices?.getUserMedia);
}

/**
 * Show a live preview with an A4 guide in `container` -> `{capture(), close(), element}`.
 * `capture()` resolves to a full-resolution JPEG Blob of the current frame; `close()` stops the camera
 * and removes the preview. With `onCapture(blob)` / `onCancel()` it also shows shutter / cancel buttons.
 * Rejects (camera missing, permission refused, no frame) after cleaning up, so the caller can fall back.
 */
export async function openCamera(container, { onCapture = null, onCancel = null } = {}) {
  if (!cameraSupported()) throw new Error('camera_unsupported');
  const stream = await navigator.mediaDevices.getUserMedia(CONSTRAINTS);
  const video = el('video', { className: 'camera__video', playsinline: true, muted: true, autoplay: true });
  // The attribute alone does not mute a video created from script; autoplay needs the property.
  video.muted = true;
  video.srcObject = stream;
  const view = buildView(video);
  container.append(view.element);

  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    for (const track of stream.getTracks()) track.stop();
    video.srcObject = null;
    view.element.remove();
  };
  try {
    await firstFrame(video);
    // The screen may have been left while the permission prompt was up: nobody would close it then.
    if (!view.element.isConnected) throw new Error('camera_detached');
  } catch (error) {
    close();
    throw error;
  }
  // The preview box takes the stream's shape, so the guide frames what capture() will really keep;
  // it changes when the phone turns. (A style property, not markup: the CSP allows it.)
  const fit = () => {
    const { videoWidth, videoHeight } = video;
    if (videoWidth && videoHeight) view.frame.style.aspectRatio = `${videoWidth} / ${videoHeight}`;
  };
  fit();
  video.addEventListener('resize', fit);

  const capture = () => grabFrame(video);
  if (onCapture) {
    view.actions.append(shutterButton(capture, onCapture));
  }
  if (onCancel) {
    view.actions.append(tx('button', 'camera.cancel', {
      type: 'button',
      className: 'button button--secondary camera__cancel',
      onclick: () => {
        close();
        onCancel();
      },
    }));
  }
  return { capture, close, element: view.element };
}

function buildView(video) {
  // The guide is decorative: the hint says the same in words.
  const guide = el('div', { className: 'camera__guide', 'aria-hidden': 'true' });
  const hint = tx('p', 'camera.hint', { className: 'camera__hint' });
  const actions = el('div', { className: 'camera__actions' });
  const frame = el('div', { className: 'camera__frame' }, video, guide);
  const element = el('div', { className: 'camera' }, frame, hint, actions);
  return { element, frame, actions };
}

function shutterButton(capture, onCapture) {
  const button = tx('button', 'camera.capture', { type: 'button', className: 'button camera__shutter' });
  button.addEventListener('click', async () => {
    // One frame per press: a double tap must not add the same page twice.
    button.disabled = true;
    try {
      onCapture(await capture());
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

function firstFrame(video) {
  if (video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA && video.videoWidth) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      video.removeEventListener('loadeddata', ready);
      reject(new Error('camera_no_frame'));
    }, FIRST_FRAME_TIMEOUT_MS);
    function ready() {
      clearTimeout(timer);
      resolve();
    }
    video.addEventListener('loadeddata', ready, { once: true });
    // Autoplay can be refused (power saving); the stream still delivers frames to a paused element.
    video.play().catch(() => {});
  });
}

// The video's own resolution (the track's), not the on-screen size of the preview.
function grabFrame(video) {
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  if (!canvas.width || !canvas.height) return Promise.reject(new Error('camera_no_frame'));
  canvas.getContext('2d', { alpha: false }).drawImage(video, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('camera_no_frame'))), 'image/jpeg', FRAME_QUALITY);
  });
}
