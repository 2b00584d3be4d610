// The officer's landing view: a greeting, the communes they serve, and the application queue
// (the queue itself arrives with a later issue).

import { el, tx } from './dom.js';
import { loadThenRender } from './panels.js';
import { navigate } from './router.js';
import { displayPhone, fetchUser, isOfficer } from './session.js';
import { signOutSection } from './sign-out.js';

/** Show the officer view in `container`; returns its cleanup. */
export function mountOfficer(container) {
  return loadThenRender(container, fetchUser, (me) => {
    if (isOfficer(me)) container.replaceChildren(officerScreen(me));
    else navigate('/', { replace: true });
  });
}

function officerScreen(me) {
  const name = me.profile?.full_name || displayPhone(me.phone);
  const communes = Array.isArray(me.communes) ? me.communes : [];
  return el(
    'section',
    { className: 'screen' },
    tx('h2', 'officer.title', { className: 'screen__title' }),
    tx('p', 'officer.greeting', { className: 'screen__lead' }, { name }),
    el(
      'section',
      { 'aria-labelledby': 'officer-communes' },
      tx('h3', 'officer.communes_title', { className: 'subsection-title', id: 'officer-communes' }),
      communes.length
        ? el('ul', { className: 'commune-list' }, communes.map(communeItem))
        : tx('p', 'officer.no_communes', { className: 'placeholder' }),
    ),
    el(
      'section',
      { 'aria-labelledby': 'officer-queue' },
      tx('h3', 'officer.queue_title', { className: 'subsection-title', id: 'officer-queue' }),
      tx('p', 'officer.queue_empty', { className: 'placeholder' }),
    ),
    signOutSection(),
  );
}

function communeItem(commune) {
  return el(
    'li',
    { className: 'commune-list__item', dataset: { commune: commune.code } },
    el('span', { className: 'commune-list__name' }, commune.name),
    el('span', { className: 'commune-list__province' }, commune.province_name),
  );
}
