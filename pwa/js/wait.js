// "How long to wait" as people say it ("45 giây", "3 giờ 12 phút"), and a ticking countdown.

import { tCount } from './i18n.js';

const MINUTE = 60;
const HOUR = 3600;

/** A wait of `seconds` in words: seconds under a minute, else minutes (and seconds), else hours and minutes. */
export function formatWait(seconds) {
  const total = Math.max(0, Math.ceil(seconds));
  if (total < MINUTE) return tCount('wait.seconds', total);
  if (total < HOUR) {
    const rest = total % MINUTE;
    const minutes = tCount('wait.minutes', Math.floor(total / MINUTE));
    return rest ? `${minutes} ${tCount('wait.seconds', rest)}` : minutes;
  }
  // Rounded up to the minute: never tell someone to come back too early.
  let hours = Math.floor(total / HOUR);
  let minutes = Math.ceil((total % HOUR) / MINUTE);
  if (minutes === MINUTE) {
    hours += 1;
    minutes = 0;
  }
  const hourText = tCount('wait.hours', hours);
  return minutes ? `${hourText} ${tCount('wait.minutes', minutes)}` : hourText;
}

/**
 * Call `onTick(secondsLeft)` now and once a second until `untilMs` (a Date.now() time) has passed,
 * ending with onTick(0). Returns a function that stops it.
 */
export function countdown(untilMs, onTick) {
  let timer = null;
  const tick = () => {
    const left = Math.max(0, Math.ceil((untilMs - Date.now()) / 1000));
    onTick(left);
    if (left === 0) stop();
  };
  const stop = () => {
    if (timer !== null) clearInterval(timer);
    timer = null;
  };
  timer = setInterval(tick, 1000);
  tick();
  return stop;
}
