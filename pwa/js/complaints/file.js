// "Gửi phản ánh, kiến nghị" (/feedback/new): about one of the citizen's applications (?code=), or to a
// commune (the commune picker first). One thing per screen for people who rarely use forms: where it goes,
// what happened (with a counter), its kind (optional), up to 3 photos (optional) through the one capture
// widget and upload gate (js/supplement.js retakeCard), then the receipt with its code and due date.

import { errorKey, sendJson } from '../api.js';
import { placePicker } from '../commune-picker.js';
import { loadDivisions } from '../divisions.js';
import { clearText, el, setText, tx } from '../dom.js';
import { field, fieldGroup, messageLine, setBusy, showFieldErrors, uid } from '../form.js';
import { loadThenRender } from '../panels.js';
import { loadCatalog } from '../procedures.js';
import { navigate, queryParam } from '../router.js';
import { fetchUser } from '../session.js';
import { retakeCard } from '../supplement.js';
import { API, CATEGORIES, TEXT_MAX } from './shared.js';


/** Show the filing steps in `container`; returns its cleanup. */
export function mountNewComplaint(container) {
  const application = queryParam('code');
  const screen = {
    container, application, step: 0, commune: null, text: '', category: null, photos: null, sent: null, left: false,
  };
  const stop = loadThenRender(container, () => prepare(application), (ready) => {
    Object.assign(screen, ready);
    screen.steps = application ? [textStep, categoryStep, photosStep] : [communeStep, textStep, categoryStep, photosStep];
    draw(screen);
  });
  return () => {
    screen.left = true;
    stop();
    screen.photos?.leave();
  };
}

// Complaint photos go through the one upload gate under the purpose and slot the catalog names for them.
async function prepare(application) {
  const [catalog, me, divisions] = await Promise.all([
    loadCatalog(), fetchUser(), application ? null : loadDivisions(),
  ]);
  const gate = catalog.complaint_photo;
  return { gate: gate && { procedureId: gate.procedure_id, slot: gate.slot, photo: catalog.photo }, me, divisions };
}

function draw(screen) {
  if (screen.left) return;
  const total = screen.steps.length;
  const body = screen.steps[screen.step](screen);
  screen.container.replaceChildren(el(
    'section',
    { className: 'screen complaint-new', dataset: { step: body.name } },
    tx('h2', 'complaints.new_title', { className: 'screen__title' }),
    screen.application ? tx('p', 'complaints.about_application', { className: 'screen__lead' }, { code: screen.application }) : null,
    tx('p', 'complaints.step', { className: 'complaint-step' }, { n: screen.step + 1, total }),
    body.element,
  ));
  body.element.querySelector('h3')?.focus?.();
}

function go(screen, delta) {
  screen.step = Math.max(0, Math.min(screen.steps.length - 1, screen.step + delta));
  draw(screen);
  window.scrollTo(0, 0);
}

// "Tiếp tục" (or the last step's own button) and "Quay lại" under each step's form.
function stepForm(screen, name, titleKey, leadKey, children, onNext, submitKey = 'complaints.next') {
  const message = messageLine('error');
  const next = tx('button', submitKey, { type: 'submit', className: 'button button--large button--block' });
  const back = screen.step > 0
    ? tx('button', 'complaints.back', { type: 'button', className: 'button button--secondary button--block', onclick: () => go(screen, -1) })
    : null;
  const form = el(
    'form',
    { className: 'form complaint-form', novalidate: true, dataset: { form: name } },
    tx('h3', titleKey, { className: 'subsection-title', tabindex: '-1' }),
    leadKey ? tx('p', leadKey, { className: 'complaint-lead' }) : null,
    children,
    message,
    next,
    back,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearText(message);
    onNext({ form, message, next });
  });
  return { name, element: form };
}

function communeStep(screen) {
  const home = screen.me?.profile?.permanent_residence || {};
  const picker = placePicker(screen.divisions, 'commune', screen.commune || home);
  return stepForm(screen, 'commune', 'complaints.commune_title', 'complaints.commune_lead', picker.fields, ({ form }) => {
    const bad = picker.check();
    const chosen = picker.value();
    if (bad.length || !chosen.commune_code) {
      showFieldErrors(form, { 'commune.commune_code': 'complaints.commune_required' });
      (bad[0] || form.querySelector('input'))?.focus();
      return;
    }
    screen.commune = chosen;
    go(screen, 1);
  });
}

function textStep(screen) {
  const box = el('textarea', {
    className: 'input input--textarea', id: uid('complaint-text'), name: 'text', rows: '6', maxlength: String(TEXT_MAX),
  });
  box.value = screen.text;
  const counter = el('p', { className: 'complaint-counter', 'aria-live': 'polite' });
  const count = () => setText(counter, 'complaints.text_count', { count: box.value.length, max: TEXT_MAX });
  box.addEventListener('input', () => {
    screen.text = box.value;
    count();
  });
  count();
  const wrapper = field({ path: 'text', label: 'complaints.text_label', hint: 'complaints.text_hint', control: box });
  wrapper.append(counter);
  return stepForm(screen, 'text', 'complaints.text_title', 'complaints.text_lead', wrapper, ({ form }) => {
    const text = box.value.trim();
    if (!text || text.length > TEXT_MAX) {
      showFieldErrors(form, { text: text ? 'complaints.text_too_long' : 'complaints.text_required' });
      box.focus();
      return;
    }
    screen.text = text;
    go(screen, 1);
  });
}

function categoryStep(screen) {
  const group = uid('complaint-category');
  const choice = (value) => el(
    'label',
    { className: 'choice', dataset: { value: value || 'none' } },
    el('input', { type: 'radio', className: 'choice__input', name: group, value: value || '', checked: (screen.category || null) === value }),
    el('span', { className: 'choice__mark', 'aria-hidden': 'true' }),
    el('span', { className: 'choice__text' }, tx('span', `complaints.category.${value || 'none'}`, { className: 'choice__title' })),
  );
  const choices = fieldGroup({ path: 'category', legend: 'complaints.category_legend',
    children: el('div', { className: 'choices' }, [null, ...CATEGORIES].map(choice)) });
  return stepForm(screen, 'category', 'complaints.category_title', 'complaints.category_lead', choices, ({ form }) => {
    screen.category = form.querySelector(`input[name="${group}"]:checked`)?.value || null;
    go(screen, 1);
  });
}

function photosStep(screen) {
  if (!screen.photos && screen.gate) {
    screen.photos = retakeCard({
      procedureId: screen.gate.procedureId, slotId: screen.gate.slot.id, name: { text: '', lang: 'vi' },
      rule: screen.gate.slot, photo: screen.gate.photo,
      titleKey: 'complaints.photos_card', ruleKey: 'complaints.photos_rule', optional: true,
    });
  }
  return stepForm(screen, 'photos', 'complaints.photos_title', 'complaints.photos_lead', screen.photos?.element,
    (parts) => send(screen, parts), 'complaints.submit');
}

async function send(screen, { form, message, next }) {
  const card = screen.photos;
  if (card && !card.ready()) {
    setText(message, 'complaints.photos_waiting');
    return;
  }
  const photos = card ? card.documentIds() : [];
  const body = {
    text: screen.text,
    ...(screen.category ? { category: screen.category } : {}),
    ...(photos.length ? { photos } : {}),
    ...(screen.application ? { application_code: screen.application } : { commune_code: screen.commune.commune_code }),
  };
  // A retry of the same complaint (a lost answer) keeps its key, so it is filed once; a changed one gets a new key.
  const json = JSON.stringify(body);
  if (screen.sent?.json !== json) screen.sent = { json, key: crypto.randomUUID() };
  setBusy(next, true);
  setText(next, 'complaints.sending');
  try {
    const { data } = await sendJson('POST', API, body, { 'Idempotency-Key': screen.sent.key });
    navigate(`/feedback/receipt?code=${encodeURIComponent(data.code)}`, { replace: true });
  } catch (problem) {
    if (problem?.status === 401) return;
    const fields = problem?.details?.fields || {};
    if (Object.keys(fields).some((path) => path.startsWith('photos'))) card?.fail('fields.' + Object.values(fields)[0]);
    // The daily limit is not "too fast": say how many and until when.
    const daily = problem?.code === 'rate_limited' && problem.details?.limit === 'feedback_daily';
    setText(message, daily ? 'complaints.daily_limit' : errorKey(problem));
    setBusy(next, false);
    setText(next, 'complaints.submit');
    form.querySelector('[role="alert"]')?.scrollIntoView?.({ block: 'center' });
  }
}
