// The citizen's profile: name, date of birth, CCCD number, home commune and current address.
// Errors from the server are shown next to the field they are about.

import { errorKey, sendJson } from './api.js';
import { placePicker } from './commune-picker.js';
import { loadDivisions } from './divisions.js';
import { clearText, el, setText, tx } from './dom.js';
import { clearFieldErrors, field, fieldGroup, input, messageLine, setBusy, showFieldErrors } from './form.js';
import { loadThenRender } from './panels.js';
import { navigate } from './router.js';
import { clearReturnPath, displayPhone, fetchUser, returnPath, setUser } from './session.js';
import { signOutSection } from './sign-out.js';

const CITIZEN_ID_LENGTH = 12;

/** Show the profile screen in `container`; returns its cleanup. */
export function mountProfile(container) {
  // The commune data (about 27 KB) is fetched only now, in parallel with the profile.
  return loadThenRender(
    container,
    () => Promise.all([fetchUser(), loadDivisions()]),
    ([me, divisions]) => container.replaceChildren(profileScreen(me, divisions)),
  );
}

function profileScreen(me, divisions) {
  const form = profileForm(me.profile || {}, divisions);
  return el(
    'section',
    { className: 'screen' },
    tx('h2', 'profile.title', { className: 'screen__title' }),
    me.profile_complete ? null : tx('p', 'profile.intro_new', { className: 'screen__lead' }),
    tx('p', 'profile.phone', { className: 'profile-phone' }, { phone: displayPhone(me.phone) }),
    form,
    tx('p', 'profile.trust_note', { className: 'note note--boxed' }),
    signOutSection(),
  );
}

function profileForm(profile, divisions) {
  const today = new Date().toISOString().slice(0, 10);
  const controls = {
    name: input({ name: 'full_name', autocomplete: 'name', autocapitalize: 'words', value: profile.full_name }),
    birth: input({ name: 'date_of_birth', type: 'date', min: '1900-01-01', max: today, value: profile.date_of_birth }),
    citizenId: input({
      name: 'citizen_id',
      inputmode: 'numeric',
      autocomplete: 'off',
      maxlength: CITIZEN_ID_LENGTH,
      value: profile.citizen_id,
    }),
    street: input({ name: 'street', autocomplete: 'street-address', value: profile.current_address?.street }),
    home: placePicker(divisions, 'permanent_residence', profile.permanent_residence),
    current: placePicker(divisions, 'current_address', profile.current_address),
  };
  // Only digits: people often copy the number with spaces.
  controls.citizenId.addEventListener('input', () => {
    controls.citizenId.value = controls.citizenId.value.replace(/\D/g, '').slice(0, CITIZEN_ID_LENGTH);
  });
  const error = messageLine('error');
  const saved = messageLine('ok');
  const submit = tx('button', 'profile.save', { type: 'submit', className: 'button button--block' });
  const form = el('form', { className: 'form', novalidate: true }, ...formFields(controls), error, saved, submit);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    save({ form, controls, error, saved, submit });
  });
  return form;
}

function formFields(c) {
  return [
    field({ path: 'full_name', label: 'profile.full_name', hint: 'profile.full_name_hint', control: c.name }),
    field({ path: 'date_of_birth', label: 'profile.date_of_birth', control: c.birth }),
    field({ path: 'citizen_id', label: 'profile.citizen_id', hint: 'profile.citizen_id_hint', control: c.citizenId }),
    fieldGroup({
      path: 'permanent_residence',
      legend: 'profile.permanent_residence',
      hint: 'profile.permanent_residence_hint',
      children: c.home.fields,
    }),
    fieldGroup({
      path: 'current_address',
      legend: 'profile.current_address',
      hint: 'profile.current_address_hint',
      children: [
        ...c.current.fields,
        field({ path: 'current_address.street', label: 'profile.street', hint: 'profile.street_hint', control: c.street }),
      ],
    }),
  ];
}

function profileBody(c) {
  return {
    full_name: c.name.value.trim(),
    date_of_birth: c.birth.value,
    citizen_id: c.citizenId.value.replace(/\D/g, ''),
    permanent_residence: c.home.value(),
    current_address: { ...c.current.value(), street: c.street.value.trim() },
  };
}

async function save({ form, controls, error, saved, submit }) {
  clearFieldErrors(form);
  clearText(error);
  clearText(saved);
  const unpicked = [...controls.home.check(), ...controls.current.check()];
  if (unpicked.length) {
    fail(error, 'profile.fix_fields', unpicked[0]);
    return;
  }
  setBusy(submit, true);
  try {
    const { data } = await sendJson('PUT', '/api/account/profile', profileBody(controls));
    setUser(data);
    // Sent here from an application form: go back to it now that the profile is complete.
    const back = data.profile_complete ? returnPath() : null;
    if (back) {
      clearReturnPath();
      navigate(back, { flash: 'profile.saved' });
      return;
    }
    setText(saved, 'profile.saved');
  } catch (problem) {
    if (problem.code === 'validation_failed') fail(error, 'profile.fix_fields', showFieldErrors(form, problem.details?.fields));
    else if (problem.status !== 401) setText(error, errorKey(problem));
  } finally {
    setBusy(submit, false);
  }
}

function fail(error, key, firstBadInput) {
  setText(error, key);
  if (firstBadInput) firstBadInput.focus();
}
