// "Đăng xuất" and "Đăng xuất khỏi mọi thiết bị", shown on the profile and officer screens.

import { errorKey } from './api.js';
import { clearText, el, setText, tx } from './dom.js';
import { messageLine, setBusy } from './form.js';
import { navigate } from './router.js';
import { signOut } from './session.js';

/** The sign-out section: this device, or every device signed in with this number. */
export function signOutSection() {
  const message = messageLine('error');
  const here = tx('button', 'account.sign_out', { type: 'button', className: 'button button--secondary button--block' });
  const everywhere = tx('button', 'account.sign_out_all', {
    type: 'button',
    className: 'button button--secondary button--block',
  });
  const run = async (allDevices) => {
    clearText(message);
    setBusy(here, true);
    setBusy(everywhere, true);
    try {
      // This phone stops receiving the account's notices before the session ends (the server needs it).
      await import('./push.js').then((push) => push.unsubscribePush()).catch(() => {});
      await signOut(allDevices);
      navigate('/', { flash: allDevices ? 'account.signed_out_all' : 'account.signed_out' });
    } catch (error) {
      setText(message, errorKey(error));
      setBusy(here, false);
      setBusy(everywhere, false);
    }
  };
  here.addEventListener('click', () => run(false));
  everywhere.addEventListener('click', () => run(true));
  return el(
    'section',
    { className: 'account-actions', 'aria-labelledby': 'sign-out-title' },
    tx('h3', 'account.sign_out_title', { className: 'subsection-title', id: 'sign-out-title' }),
    here,
    everywhere,
    tx('p', 'account.sign_out_all_hint', { className: 'note' }),
    tx('p', 'account.sign_out_clears_drafts', { className: 'note' }),
    message,
  );
}
