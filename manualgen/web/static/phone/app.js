/* The phone app (issue 26): every form of the company, filled in on a phone, offline.
 *
 * One page (/forms/), four screens chosen by the address's #: the form list (#/), a form
 * (#/form/<form id>/<draft key>), the outbox (#/outbox) and the sent forms (#/sent).
 *
 * Where things are kept (IndexedDB, through the idb package):
 *   meta    'app' -> the last /forms/app.json (the forms' definitions), for offline use
 *   drafts  a form being filled in, saved as it is typed: {key, form, answers, ...}
 *   outbox  a form sent with "Send", until the office answers 200: {id, form, answers, ...}
 *   sent    what the office took, with its fate from /forms/sent/
 *   files   signatures (PNG) and photos (JPEG) as Blobs: {name, owner, blob}; a form's
 *           answer names its files, which go as parts of the same name
 *
 * Sending: each form gets an id made on the phone (crypto.randomUUID) when it enters the
 * outbox, and every try sends that same id, so the office never files it twice. The outbox
 * is sent on opening the app, when the phone comes back online, when the page is shown
 * again and from "Send now" (Safari has no Background Sync). A form leaves the outbox only
 * after a 200; a 400 keeps it there with the office's words, to be fixed.
 */
import { openDB } from '/static/vendor/idb.js';
import SignaturePad from '/static/vendor/signature_pad.js';

const APP_JSON = '/forms/app.json';
const SUBMIT = '/forms/submit/';
const SENT = '/forms/sent/';
const PAPER = '/forms/paper/';
const LONG_SIDE = 1600;                  // photos are scaled to at most this many pixels
const JPEG_QUALITY = 0.8;
const RETRY_MS = 30000;                  // while forms wait: try again this often

const $ = (selector, root = document) => root.querySelector(selector);
const main = $('#app');

// ------------------------------------------------------------------ storage

const db = openDB('manualgen-forms', 1, {
  upgrade(d) {
    d.createObjectStore('meta');
    d.createObjectStore('drafts', { keyPath: 'key' });
    d.createObjectStore('outbox', { keyPath: 'id' });
    d.createObjectStore('sent', { keyPath: 'id' });
    d.createObjectStore('files', { keyPath: 'name' }).createIndex('owner', 'owner');
  },
});

/** A version 4 UUID made on the phone (crypto.randomUUID needs https or localhost). */
function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

async function deleteFiles(owner) {
  const tx = (await db).transaction('files', 'readwrite');
  for (const key of await tx.store.index('owner').getAllKeys(owner)) tx.store.delete(key);
  await tx.done;
}

/** The forms' definitions: from the office when it answers, else the copy kept here. */
async function loadForms() {
  try {
    const response = await fetch(APP_JSON, { credentials: 'same-origin' });
    if (response.ok) {
      const data = await response.json();
      await (await db).put('meta', data, 'app');
      return data;
    }
  } catch (e) { /* offline: use the copy below */ }
  return (await db).get('meta', 'app');
}

/** The CSRF token Django checks, from its cookie (named by the page). */
function csrfToken() {
  const name = document.querySelector('meta[name=csrf-cookie]').content;
  const found = document.cookie.split('; ').find((c) => c.startsWith(`${name}=`));
  return found ? decodeURIComponent(found.slice(name.length + 1)) : '';
}

// ------------------------------------------------------------------ small DOM helpers

/** An element with attributes (on* as listeners) and children (strings or nodes). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
const when = (iso) => new Date(iso).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
const answered = (v) => !(v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0));

// ------------------------------------------------------------------ state and routing

let app = null;                          // the last app.json
let current = null;                      // the form on screen: {draft, form, byId}
let saveTimer = null;

function formById(id) { return app && app.forms.find((f) => f.id === id); }

async function route() {
  await flushDraft();
  current = null;
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  for (const a of document.querySelectorAll('.tabs a')) a.removeAttribute('aria-current');
  const tab = { outbox: 'outbox', sent: 'sent' }[parts[0]] || 'list';
  document.querySelector(`.tabs a[data-tab=${tab}]`).setAttribute('aria-current', 'page');
  if (parts[0] === 'new' && formById(parts[1])) return startDraft(formById(parts[1]));
  if (parts[0] === 'form') return showForm(parts[1], parts[2]);
  refreshBanner();
  if (parts[0] === 'outbox') return showOutbox();
  if (parts[0] === 'sent') return showSent();
  return showList();
}

function screen(title, ...children) {
  main.replaceChildren(h('h1', { text: title }),
    ...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  document.title = `${title} - Safety forms`;
  window.scrollTo(0, 0);
}

// ------------------------------------------------------------------ the form list

async function showList() {
  if (!app) {
    return screen('Safety forms', h('p', { text: 'The forms have not reached this phone yet. '
      + 'Open this page once with a signal (Wi-Fi or mobile data); after that it works without one.' }));
  }
  const drafts = (await (await db).getAll('drafts')).sort((a, b) => b.updated.localeCompare(a.updated));
  const byCategory = new Map();
  for (const form of app.forms) {
    const name = categoryName(form.category);
    if (!byCategory.has(name)) byCategory.set(name, []);
    byCategory.get(name).push(form);
  }
  screen(`Forms of ${app.company}`,
    h('p', { class: 'lead', text: 'Pick a form to fill in. It is kept on this phone as you type, and sent to the office when there is a signal.' }),
    drafts.length ? h('section', { class: 'card' }, h('h2', { text: 'Not finished' }),
      h('ul', { class: 'links' }, drafts.map((d) => h('li', {},
        h('a', { href: `#/form/${encodeURIComponent(d.form)}/${d.key}` }, d.title || d.form,
          h('small', { text: ` started ${when(d.started)}` })))))) : null,
    [...byCategory].map(([name, forms]) => h('section', { class: 'card' }, h('h2', { text: name }),
      h('ul', { class: 'links' }, forms.map((f) => h('li', {},
        h('a', { href: `#/new/${encodeURIComponent(f.id)}` }, f.title)))))),
    paperCard(),
    h('p', { id: 'storage-note', class: 'note', hidden: true }),
  );
  showStorageNote();
}

function categoryName(category) {
  if (!category) return 'Other forms';
  const words = String(category).replace(/[-_]/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

let pending = null;                      // a new draft, not stored until something is typed

function startDraft(form) {
  const now = new Date().toISOString();
  pending = { key: uuid(), form: form.id, revision: form.revision, title: form.title,
    started: now, updated: now, answers: {} };
  // The hash change draws it (an opened and left form leaves no draft behind).
  location.replace(`#/form/${encodeURIComponent(form.id)}/${pending.key}`);
}

// ------------------------------------------------------------------ a form

async function showForm(formId, key, fresh = null) {
  const draft = fresh || (pending && pending.key === key ? pending : await (await db).get('drafts', key));
  if (!fresh && draft === pending) { pending = null; fresh = draft; }
  const form = formById(formId) || (draft && formById(draft.form));
  if (!draft || !form) {
    return screen('This form is gone', h('p', { text: 'It was sent or deleted on this phone.' }),
      h('p', {}, h('a', { href: '#/' }, 'Back to the forms')));
  }
  const byId = {};
  for (const s of form.sections) for (const f of s.fields) {
    byId[f.id] = f;
    for (const c of f.fields || []) byId[c.id] = c;
  }
  current = { draft, form, byId, stored: !fresh };
  const problems = h('div', { id: 'problems', class: 'problems', role: 'alert', tabindex: '-1', hidden: true });
  const body = h('form', { id: 'the-form', novalidate: true, onsubmit: (e) => { e.preventDefault(); send(); } },
    form.sections.map((section, i) => h('section', {
      class: 'card', 'data-when': section.when ? JSON.stringify(section.when) : null,
      'aria-labelledby': `s-${i}` },
    h('h2', { id: `s-${i}`, text: section.title }),
    section.help ? h('p', { class: 'help', text: section.help }) : null,
    section.fields.map((f) => renderField(f, [f.id], null)))),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, 'Send'),
      h('p', { id: 'saved', class: 'muted', role: 'status', 'aria-live': 'polite' },
        current.stored ? `Kept on this phone (${when(draft.updated)}).` : ''),
      h('button', { type: 'button', class: 'link danger', onclick: deleteDraft }, 'Delete this draft')));
  body.addEventListener('input', onInput);
  body.addEventListener('change', onInput);
  screen(form.title,
    h('p', { class: 'muted' }, h('a', { href: '#/' }, 'All forms'), ` · revision ${form.revision}`),
    draft.error ? h('p', { class: 'error', text: `The office could not take this form: ${draft.error}` }) : null,
    problems, body);
  refreshConditions();
  if (draft.errorField) showErrors([{ path: draft.errorField.split('.'), message: draft.error }]);
}

const fid = (path) => `f-${path.join('-')}`;

function getAt(path) {
  let node = current.draft.answers;
  for (const p of path) { if (node == null) return undefined; node = node[p]; }
  return node;
}

function setAt(path, value) {
  let node = current.draft.answers;
  for (let i = 0; i < path.length - 1; i += 1) {
    if (node[path[i]] == null) node[path[i]] = typeof path[i + 1] === 'number' ? [] : {};
    node = node[path[i]];
  }
  node[path[path.length - 1]] = value;
}

/** The label of a control; a required one is marked by the stylesheet (the words "required"
 * after it) and says so itself with aria-required. */
function labelFor(f, forId, id) {
  return h('label', { for: forId, id, class: f.required ? 'is-required' : null }, f.label);
}

/** One field: its label, control, help and the place for its error. */
function renderField(f, path, rowPath) {
  const id = fid(path);
  const describedBy = [f.help ? `h-${id}` : null, `e-${id}`].filter(Boolean).join(' ');
  const common = { id, 'data-path': JSON.stringify(path), 'aria-describedby': describedBy,
    'aria-required': f.required ? 'true' : null };
  const value = getAt(path);
  let control;
  let labelled = true;                   // a <label for> names the control
  switch (f.kind) {
    case 'long_text':
      control = h('textarea', { ...common, rows: 3 });
      control.value = value ?? '';
      break;
    case 'date': case 'time': case 'text':
      control = h('input', { ...common, type: f.kind === 'text' ? 'text' : f.kind, value: value ?? '' });
      break;
    case 'number':
      control = h('input', { ...common, type: 'number', step: 'any', inputmode: 'decimal', value: value ?? '' });
      break;
    case 'person': case 'site': case 'equipment': case 'hazard': case 'task':
      control = [h('input', { ...common, type: 'text', list: `l-${id}`, autocomplete: 'off', value: value ?? '' }),
        h('datalist', { id: `l-${id}` }, (f.choices || []).map((c) => h('option', { value: c.value }, c.label !== c.value ? c.label : '')))];
      break;
    case 'choice': case 'yes_no': case 'rating': {
      const choices = choicesOf(f);
      if (f.kind === 'choice' && choices.length > 5) {
        control = h('select', common, h('option', { value: '' }, 'Choose...'),
          choices.map((c) => h('option', { value: c.value, selected: value === c.value }, c.label)));
      } else {
        labelled = false;
        control = options(f, path, 'radio', choices, (c) => value === c.value, common);
      }
      break;
    }
    case 'multi_choice':
      labelled = false;
      control = options(f, path, 'checkbox', choicesOf(f), (c) => (value || []).includes(c.value), common);
      break;
    case 'people': {
      labelled = false;
      const listed = (f.choices || []).map((c) => c.value);
      const others = (value || []).filter((v) => !listed.includes(v)).join(', ');
      control = options(f, path, 'checkbox', f.choices || [], (c) => (value || []).includes(c.value), common,
        h('div', { class: 'field' }, h('label', { for: `${id}-others` }, 'Others (names, separated by commas)'),
          h('input', { type: 'text', id: `${id}-others`, 'data-path': JSON.stringify(path), 'data-others': '', value: others })));
      break;
    }
    case 'signature': case 'signatures':
      labelled = false;
      control = signatureControl(f, path, common);
      break;
    case 'photo': case 'photos':
      control = photoControl(f, path, common);
      break;
    case 'group':
      return groupField(f, path);
    default:
      control = h('input', { ...common, type: 'text', value: value ?? '' });
  }
  return h('div', {
    class: 'field', id: `w-${id}`, 'data-when': f.when ? JSON.stringify(f.when) : null,
    'data-row': rowPath ? JSON.stringify(rowPath) : null },
  labelled ? labelFor(f, id, `lbl-${id}`) : null,
  control,
  f.help ? h('p', { class: 'help', id: `h-${id}`, text: f.help }) : null,
  h('p', { class: 'error', id: `e-${id}`, hidden: true }));
}

function choicesOf(f) {
  if (f.kind === 'yes_no') return [{ value: 'yes', label: 'Yes' }, { value: 'no', label: 'No' }];
  if (f.kind === 'rating') {
    return [{ value: 'A', label: 'A: act now' }, { value: 'B', label: 'B: within 7 days' },
      { value: 'C', label: 'C: within 30 days' }];
  }
  return (f.choices || []).map((c) => (typeof c === 'string' ? { value: c, label: c } : c));
}

/** Radio buttons or checkboxes in a fieldset named by the field's label. */
function options(f, path, type, choices, checked, common, ...extra) {
  const id = common.id;
  return h('fieldset', { id, class: `options ${choices.length <= 3 ? 'inline' : ''}`,
    role: type === 'radio' ? 'radiogroup' : 'group', 'aria-labelledby': `lbl-${id}`,
    'aria-describedby': common['aria-describedby'], 'aria-required': common['aria-required'],
    'data-path': common['data-path'] },
  h('legend', { id: `lbl-${id}`, class: f.required ? 'is-required' : null }, f.label),
  choices.map((c, i) => h('label', { class: 'option' },
    h('input', { type, name: id, id: `${id}-${i}`, value: c.value, checked: checked(c),
      'data-path': JSON.stringify(path), 'data-kind': f.kind }), ` ${c.label}`)),
  ...extra);
}

/** A group of the Word form's table: a fieldset a row, fixed rows or rows added freely. */
function groupField(f, path) {
  const id = fid(path);
  const rows = getAt(path) || [];
  const fixed = Array.isArray(f.rows) && f.rows.length > 0;
  const out = h('fieldset', { class: 'group', id: `w-${id}`, 'aria-labelledby': `lbl-${id}`,
    'data-when': f.when ? JSON.stringify(f.when) : null },
  h('legend', { id: `lbl-${id}` }, f.label));
  const row = (i, label) => {
    const rowPath = [...path, i];
    return h('fieldset', { class: 'row', id: `w-${fid(rowPath)}`, 'aria-labelledby': `r-${fid(rowPath)}` },
      h('legend', { id: `r-${fid(rowPath)}`, text: label }),
      (f.fields || []).map((c) => renderField(c, [...rowPath, c.id], rowPath)),
      fixed ? null : h('button', { type: 'button', class: 'link danger',
        onclick: () => { rows.splice(i, 1); setAt(path, rows); rerender(); } }, `Remove ${label}`));
  };
  if (fixed) {
    let i = 0;
    for (const r of f.rows) {
      if (typeof r === 'object' && r.heading) { out.append(h('h3', { text: r.heading })); continue; }
      const label = typeof r === 'object' ? (r.label || r.row) : r;
      if (!rows[i] || rows[i].row !== label) { rows[i] = { ...(rows[i] || {}), row: label }; }
      out.append(row(i, label));
      i += 1;
    }
    setAt(path, rows);
  } else {
    rows.forEach((_, i) => out.append(row(i, `${f.label}: ${i + 1}`)));
    out.append(h('button', { type: 'button', class: 'secondary',
      onclick: () => { rows.push({}); setAt(path, rows); rerender(`${fid([...path, rows.length - 1])}`); } },
    `Add a line to ${f.label}`));
  }
  out.append(h('p', { class: 'error', id: `e-${id}`, hidden: true }));
  return out;
}

/** Draw the form again from the answers (after a row or a file was added), keeping the
 * place on the page; focus the first control of `focusRow` when given. */
function rerender(focusRow) {
  const y = window.scrollY;
  const { draft, form } = current;
  showForm(form.id, draft.key, draft).then(() => {
    current.stored = true;
    window.scrollTo(0, y);
    if (focusRow) { const first = document.querySelector(`#w-${focusRow} input, #w-${focusRow} textarea, #w-${focusRow} select`); if (first) first.focus(); }
  });
  scheduleSave();
}

function onInput(event) {
  const el = event.target;
  if (!el.dataset || !el.dataset.path || el.type === 'file') return;
  const path = JSON.parse(el.dataset.path);
  const f = fieldAt(path);
  let value;
  if (el.type === 'radio') value = el.value;
  else if (el.type === 'checkbox' || 'others' in el.dataset) {
    const box = document.getElementById(fid(path));
    value = [...box.querySelectorAll('input[type=checkbox]:checked')].map((c) => c.value);
    const others = document.getElementById(`${fid(path)}-others`);
    if (others) value.push(...others.value.split(',').map((s) => s.trim()).filter(Boolean));
  } else if (f && f.kind === 'number') value = el.value === '' ? '' : Number(el.value);
  else value = el.value;
  setAt(path, value);
  clearError(path);
  refreshConditions();
  scheduleSave();
}

function fieldAt(path) {
  const last = [...path].reverse().find((p) => typeof p === 'string');
  return current.byId[last];
}

/** Is a field's or section's `when` met: any answer (yes for yes/no) or `equals` one? */
function conditionMet(cond, rowPath) {
  if (!cond) return true;
  const row = rowPath ? getAt(rowPath) : null;
  const value = row && cond.field in row ? row[cond.field] : current.draft.answers[cond.field];
  if (cond.equals !== undefined && cond.equals !== null) {
    return Array.isArray(value) ? value.includes(cond.equals) : String(value ?? '') === String(cond.equals);
  }
  const f = current.byId[cond.field];
  if (f && f.kind === 'yes_no') return value === 'yes';
  return answered(value);
}

function refreshConditions() {
  for (const el of main.querySelectorAll('[data-when]')) {
    const rowPath = el.dataset.row ? JSON.parse(el.dataset.row) : null;
    el.hidden = !conditionMet(JSON.parse(el.dataset.when), rowPath);
  }
}

// ------------------------------------------------------------------ saving drafts

function scheduleSave() {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(saveDraft, 250);
}

async function saveDraft() {
  saveTimer = null;
  if (!current) return;
  const { draft } = current;
  draft.updated = new Date().toISOString();
  await (await db).put('drafts', draft);
  current.stored = true;
  const saved = $('#saved');
  if (saved) saved.textContent = `Kept on this phone (${when(draft.updated)}).`;
}

async function flushDraft() {
  if (saveTimer) { clearTimeout(saveTimer); await saveDraft(); }
}

async function deleteDraft(event) {
  const button = event.currentTarget;
  if (button.dataset.sure !== 'yes') {
    button.dataset.sure = 'yes';
    button.textContent = 'Yes, delete this draft and its photos';
    return;
  }
  const { draft } = current;
  clearTimeout(saveTimer); saveTimer = null;
  await (await db).delete('drafts', draft.key);
  await deleteFiles(draft.key);
  current = null;
  location.hash = '#/';
}

// ------------------------------------------------------------------ signatures

let pad = null;

/** Ask for a signature in the dialog; resolves {name, blob} or null when cancelled. */
function askSignature(title, askName) {
  const dialog = $('#pad');
  const canvas = $('#pad-canvas');
  $('#pad-title').textContent = title;
  $('#pad-name-field').hidden = !askName;
  $('#pad-name').value = '';
  for (const e of ['#pad-error', '#pad-name-error']) $(e).hidden = true;
  dialog.showModal();
  // The canvas drawn at the phone's pixel density, as wide as the dialog.
  const ratio = Math.max(window.devicePixelRatio || 1, 1);
  canvas.width = canvas.offsetWidth * ratio;
  canvas.height = canvas.offsetHeight * ratio;
  canvas.getContext('2d').scale(ratio, ratio);
  if (!pad) pad = new SignaturePad(canvas, { backgroundColor: 'rgb(255,255,255)', penColor: '#0b2a4a' });
  pad.clear();
  (askName ? $('#pad-name') : $('#pad-clear')).focus();
  return new Promise((resolve) => {
    const finish = (result) => {
      $('#pad-done').onclick = null; $('#pad-cancel').onclick = null; dialog.oncancel = null;
      dialog.close();
      resolve(result);
    };
    $('#pad-clear').onclick = () => pad.clear();
    $('#pad-cancel').onclick = () => finish(null);
    dialog.oncancel = (e) => { e.preventDefault(); finish(null); };
    $('#pad-done').onclick = async () => {
      const name = $('#pad-name').value.trim();
      const noName = askName && !name;
      $('#pad-name-error').hidden = !noName;
      $('#pad-name-error').textContent = 'Type the name of the person signing.';
      $('#pad-error').hidden = !pad.isEmpty();
      $('#pad-error').textContent = 'Sign in the box first.';
      if (noName) { $('#pad-name').focus(); return; }
      if (pad.isEmpty()) return;
      const blob = await new Promise((r) => { canvas.toBlob(r, 'image/png'); });
      finish({ name, blob });
    };
  });
}

async function storeFile(blob, ext) {
  const name = `${ext === 'png' ? 'signature' : 'photo'}-${uuid().slice(0, 13)}.${ext}`;
  await (await db).put('files', { name, owner: current.draft.key, blob });
  return name;
}

/** A preview of a stored file (an object URL, freed when the image has loaded). */
function preview(name, alt) {
  const img = h('img', { alt, class: 'thumb' });
  db.then((d) => d.get('files', name)).then((file) => {
    if (!file) return;
    img.src = URL.createObjectURL(file.blob);
    img.onload = () => URL.revokeObjectURL(img.src);
  });
  return img;
}

function signatureControl(f, path, common) {
  const id = common.id;
  const value = getAt(path);
  const many = f.kind === 'signatures';
  const box = h('div', { id, role: 'group', class: 'signatures', 'aria-labelledby': `lbl-${id}`,
    'aria-describedby': common['aria-describedby'], 'data-path': common['data-path'] },
  h('span', { class: `label ${f.required ? 'is-required' : ''}`, id: `lbl-${id}` }, f.label));
  const signers = many ? (value || []) : (value ? [{ name: '', signature: value }] : []);
  signers.forEach((s, i) => box.append(h('div', { class: 'signed' },
    preview(s.signature, many ? `Signature of ${s.name}` : `Signature: ${f.label}`),
    many ? h('span', { class: 'who', text: s.name }) : null,
    h('button', { type: 'button', class: 'link danger', onclick: async () => {
      await (await db).delete('files', s.signature);
      if (many) { signers.splice(i, 1); setAt(path, signers); } else setAt(path, '');
      rerender();
    } }, many ? `Remove ${s.name}'s signature` : 'Remove the signature'))));
  if (many || !value) {
    box.append(h('button', { type: 'button', class: 'secondary sign', onclick: async () => {
      const got = await askSignature(f.label, many);
      if (!got) return;
      const part = await storeFile(got.blob, 'png');
      if (many) setAt(path, [...signers, { name: got.name, signature: part }]);
      else setAt(path, part);
      clearError(path);
      rerender();
    } }, many ? (signers.length ? 'Add another signature' : 'Add a signature') : 'Sign'));
  }
  return box;
}

// ------------------------------------------------------------------ photos

const HEIC = 'This photo is in the iPhone\'s HEIC format, which this browser cannot open, so it was not added. '
  + 'Take the photo with the button here, or on the iPhone set Settings > Camera > Formats to "Most Compatible".';

/** A photo from the camera or the gallery as a JPEG Blob at most 1600 px on its long side;
 * a picture the browser cannot decode (HEIC outside Safari) is refused in words. */
async function toJpeg(file) {
  let picture = null;
  try { picture = await createImageBitmap(file); } catch (e) { picture = null; }
  if (!picture) {
    picture = await new Promise((resolve) => {
      const img = new Image();
      img.onload = () => resolve(img);
      img.onerror = () => resolve(null);
      img.src = URL.createObjectURL(file);
    });
  }
  if (!picture) {
    if (/hei[cf]/i.test(file.type) || /\.hei[cf]$/i.test(file.name)) throw new Error(HEIC);
    throw new Error(`"${file.name}" is not a photo this phone can read, so it was not added.`);
  }
  const w = picture.width; const hgt = picture.height;
  const scale = Math.min(1, LONG_SIDE / Math.max(w, hgt));
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(w * scale); canvas.height = Math.round(hgt * scale);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(picture, 0, 0, canvas.width, canvas.height);
  if (picture.close) picture.close();
  return new Promise((resolve) => { canvas.toBlob(resolve, 'image/jpeg', JPEG_QUALITY); });
}

function photoControl(f, path, common) {
  const id = common.id;
  const many = f.kind === 'photos';
  const value = getAt(path);
  const names = many ? (value || []) : (value ? [value] : []);
  const input = h('input', { ...common, type: 'file', accept: 'image/*', capture: 'environment', multiple: many,
    onchange: async () => {
      const problems = [];
      const added = [];
      for (const file of input.files) {
        try { added.push(await storeFile(await toJpeg(file), 'jpg')); } catch (e) { problems.push(e.message); }
      }
      if (added.length) setAt(path, many ? [...names, ...added] : added[0]);
      if (!many && added.length && names[0]) await (await db).delete('files', names[0]);
      if (problems.length) { showErrors([{ path, message: problems.join(' ') }]); if (!added.length) return; }
      rerender();
    } });
  return [input, h('div', { class: 'photos' }, names.map((name, i) => h('div', { class: 'signed' },
    preview(name, `Photo ${i + 1}: ${f.label}`),
    h('button', { type: 'button', class: 'link danger', onclick: async () => {
      await (await db).delete('files', name);
      setAt(path, many ? names.filter((n) => n !== name) : '');
      rerender();
    } }, `Remove photo ${i + 1}`))))];
}

// ------------------------------------------------------------------ checking and sending

/** The answers of the fields asked (those whose `when` is met), and what is missing. */
function collect(form, answers) {
  const out = {};
  const missing = [];
  const need = (f, value, path) => {
    if (f.required && !answered(value)) {
      const what = { signature: 'Sign here.', signatures: 'At least one person signs.', photo: 'Add a photo.', photos: 'Add a photo.' }[f.kind] || 'Answer this.';
      missing.push({ path, message: what, label: f.label });
    }
  };
  const met = (cond, row) => {
    if (!cond) return true;
    const value = row && cond.field in row ? row[cond.field] : answers[cond.field];
    if (cond.equals !== undefined && cond.equals !== null) return Array.isArray(value) ? value.includes(cond.equals) : String(value ?? '') === String(cond.equals);
    return form.byId[cond.field] && form.byId[cond.field].kind === 'yes_no' ? value === 'yes' : answered(value);
  };
  for (const section of form.sections) {
    if (!met(section.when, null)) continue;
    for (const f of section.fields) {
      if (!met(f.when, null)) continue;
      const value = answers[f.id];
      if (f.kind !== 'group') { need(f, value, [f.id]); if (answered(value)) out[f.id] = value; continue; }
      const rows = (value || []).map((row, i) => {
        const kept = row.row !== undefined ? { row: row.row } : {};
        for (const c of f.fields || []) {
          if (!met(c.when, row)) continue;
          need(c, row[c.id], [f.id, i, c.id]);
          if (answered(row[c.id])) kept[c.id] = row[c.id];
        }
        return kept;
      });
      need(f, rows, [f.id]);
      out[f.id] = rows;
    }
  }
  return { answers: out, missing };
}

/** The names of the files an answer names (signature and photo parts). */
function filesOf(answers, form) {
  const names = [];
  const add = (f, v) => {
    if (!answered(v)) return;
    if (f.kind === 'signature' || f.kind === 'photo') names.push(v);
    else if (f.kind === 'photos') names.push(...v);
    else if (f.kind === 'signatures') names.push(...v.map((s) => s.signature));
  };
  for (const s of form.sections) for (const f of s.fields) {
    if (f.kind === 'group') for (const row of answers[f.id] || []) for (const c of f.fields || []) add(c, row[c.id]);
    else add(f, answers[f.id]);
  }
  return names;
}

function clearError(path) {
  const e = document.getElementById(`e-${fid(path)}`);
  if (e) { e.hidden = true; e.textContent = ''; }
  const c = document.getElementById(fid(path));
  if (c) c.removeAttribute('aria-invalid');
}

function showErrors(list) {
  for (const { path, message } of list) {
    let p = path;
    let e = document.getElementById(`e-${fid(p)}`);
    while (!e && p.length > 1) { p = p.slice(0, -1); e = document.getElementById(`e-${fid(p)}`); }
    if (!e) continue;
    e.textContent = message; e.hidden = false;
    const c = document.getElementById(fid(p));
    if (c) c.setAttribute('aria-invalid', 'true');
  }
  const first = list[0] && document.getElementById(fid(list[0].path));
  if (first) { first.scrollIntoView({ block: 'center' }); (first.matches('fieldset, div') ? first.querySelector('input, button') || first : first).focus(); }
}

/** "Send": check the answers, put the form in the outbox with its own id, try at once. */
async function send() {
  const { draft, form } = current;
  const { answers, missing } = collect({ ...form, byId: current.byId }, draft.answers);
  const box = $('#problems');
  if (missing.length) {
    box.replaceChildren(h('p', { text: `${plural(missing.length, 'answer is', 'answers are')} missing. They are marked below.` }));
    box.hidden = false;
    showErrors(missing);
    return;
  }
  clearTimeout(saveTimer); saveTimer = null;
  const item = { id: draft.outboxId || uuid(), form: form.id, revision: form.revision, title: form.title,
    made: draft.made || new Date().toISOString(), answers, files: filesOf(answers, form), owner: draft.key,
    queued: new Date().toISOString(), kind: 'form' };
  const tx = (await db).transaction(['outbox', 'drafts'], 'readwrite');
  tx.objectStore('outbox').put(item);
  tx.objectStore('drafts').delete(draft.key);
  await tx.done;
  current = null;
  location.hash = '#/outbox';
  sendOutbox();
}

let sending = null;

/** Send what waits, one form at a time; never two runs at once. */
function sendOutbox() {
  if (!sending) {
    document.documentElement.dataset.sending = 'yes';
    sending = sendAll().finally(() => {
      sending = null;
      document.documentElement.dataset.sending = 'no';
      refreshBanner();
      if (!current && location.hash.startsWith('#/outbox')) showOutbox();
    });
  }
  return sending;
}

// A form the office took leaves the outbox for the Sent list, its files with it.
async function moveToSent(item, answer) {
  const tx = (await db).transaction(['outbox', 'sent', 'files'], 'readwrite');
  tx.objectStore('sent').put({ id: item.id, form: item.form, title: item.title, made: item.made,
    sentAt: new Date().toISOString(), status: answer.status || 'received', file: answer.file || '',
    kind: item.kind, category: answer.category, needsDate: answer.needs_date });
  tx.objectStore('outbox').delete(item.id);
  const files = tx.objectStore('files');
  for (const key of await files.index('owner').getAllKeys(item.owner)) files.delete(key);
  await tx.done;
}

// A form tried before may have reached the office with its answer lost on the way back:
// ask first, so its photos are not sent over the phone's data a second time.
async function alreadyTaken(item) {
  if (item.kind === 'paper' || !item.tried) return null;
  const response = await fetch(`${SENT}?ids=${encodeURIComponent(item.id)}`, { credentials: 'same-origin' });
  if (!response.ok) return null;
  const state = (await response.json())[item.id] || '';
  return state === 'received' || state === 'filed' ? state : null;
}

async function sendAll() {
  if (!navigator.onLine) return;
  for (const item of await (await db).getAll('outbox')) {
    if (item.error) continue;            // the office refused it: it waits to be fixed
    let taken = null;
    try { taken = await alreadyTaken(item); } catch (e) { taken = null; }
    if (taken) { await moveToSent(item, { status: taken }); continue; }
    item.tried = true;
    await (await db).put('outbox', item);
    const data = new FormData();
    const names = item.kind === 'paper' ? [item.file] : item.files;
    if (item.kind === 'paper') {
      const f = await (await db).get('files', item.file);
      if (f) data.append('file', f.blob, item.file);
    } else {
      data.append('meta', JSON.stringify({ id: item.id, form: item.form, revision: item.revision, made: item.made, answers: item.answers }));
      for (const name of names) {
        const f = await (await db).get('files', name);
        if (f) data.append(name, f.blob, name);
      }
    }
    let response;
    try {
      response = await fetch(item.kind === 'paper' ? PAPER : SUBMIT, { method: 'POST', body: data,
        credentials: 'same-origin', headers: { 'X-CSRFToken': csrfToken() } });
    } catch (e) {
      item.problem = 'Not sent yet: the office could not be reached. It will be tried again.';
      await (await db).put('outbox', item);
      return;                            // offline or the office is down: try later
    }
    let answer = {};
    try { answer = await response.json(); } catch (e) { answer = {}; }
    if (response.ok) {
      await moveToSent(item, answer);
    } else if (response.status === 400) {
      item.error = answer.error || 'The office could not read this form.';
      item.errorField = answer.field || null;
      item.problem = null;
      await (await db).put('outbox', item);
    } else {
      item.problem = response.status === 403
        ? 'Not sent yet: the office did not accept this phone. Open the company\'s forms link again, then press Send now.'
        : `Not sent yet: the office answered with an error (${response.status}). It will be tried again.`;
      await (await db).put('outbox', item);
      return;
    }
  }
}

// ------------------------------------------------------------------ outbox and sent

async function showOutbox() {
  const items = (await (await db).getAll('outbox')).sort((a, b) => a.queued.localeCompare(b.queued));
  screen('Outbox',
    h('p', { class: 'lead', text: items.length
      ? 'These forms are kept on this phone until the office has them. They go by themselves when there is a signal.'
      : 'Nothing is waiting. Every form you sent has reached the office.' }),
    items.length ? h('p', {}, h('button', { type: 'button', class: 'primary', onclick: sendNow }, 'Send now')) : null,
    h('ul', { class: 'cards' }, items.map((item) => h('li', { class: `card ${item.error ? 'refused' : ''}` },
      h('h2', { text: item.title }),
      h('p', { class: 'muted', text: `Filled in ${when(item.made)}` }),
      item.error ? [h('p', { class: 'error', text: `The office could not take it: ${item.error}` }),
        h('button', { type: 'button', class: 'secondary', onclick: () => fixItem(item) }, 'Fix it')]
        : h('p', { class: 'waiting', text: item.problem || (navigator.onLine ? 'Sending...' : 'Waiting for a signal.') })))));
}

/** A refused form back into a draft, keeping its id so the office still files it once. */
async function fixItem(item) {
  const now = new Date().toISOString();
  const draft = { key: item.owner, form: item.form, revision: item.revision, title: item.title, started: item.made,
    updated: now, answers: item.answers, outboxId: item.id, made: item.made, error: item.error, errorField: item.errorField };
  const tx = (await db).transaction(['outbox', 'drafts'], 'readwrite');
  tx.objectStore('drafts').put(draft);
  tx.objectStore('outbox').delete(item.id);
  await tx.done;
  location.hash = `#/form/${encodeURIComponent(item.form)}/${draft.key}`;
}

const FATE = { received: 'Received by the office', filed: 'Filed in the year\'s submission', unknown: 'The office has no record of it yet' };

async function showSent() {
  const d = await db;
  let items = (await d.getAll('sent')).sort((a, b) => b.sentAt.localeCompare(a.sentAt));
  const draw = () => screen('Sent',
    h('p', { class: 'lead', text: items.length ? 'What the office has of the forms sent from this phone.' : 'No form has been sent from this phone yet.' }),
    h('ul', { class: 'cards' }, items.map((s) => h('li', { class: 'card' },
      h('h2', { text: s.title || 'Photo of a paper form' }),
      h('p', { class: 'muted', text: `Sent ${when(s.sentAt)}` }),
      h('p', { class: String(s.status).startsWith('failed') ? 'error' : 'ok', 'data-status': s.status,
        text: s.kind === 'paper' ? `Filed in ${categoryName(s.category)}${s.needsDate ? ': its date is asked on the Submission page' : ''}`
          : (FATE[s.status] || `Not filed: ${String(s.status).replace(/^failed:\s*/, '')}`) })))));
  draw();
  const ids = items.filter((s) => s.kind !== 'paper').slice(0, 50).map((s) => s.id);
  if (!ids.length || !navigator.onLine) return;
  try {
    const response = await fetch(`${SENT}?ids=${ids.join(',')}`, { credentials: 'same-origin' });
    if (!response.ok) return;
    const fates = await response.json();
    for (const s of items) if (fates[s.id] && fates[s.id] !== s.status) { s.status = fates[s.id]; await d.put('sent', s); }
    items = (await d.getAll('sent')).sort((a, b) => b.sentAt.localeCompare(a.sentAt));
    if (location.hash.startsWith('#/sent')) draw();
  } catch (e) { /* offline: what is known is shown */ }
}

async function sendNow() {
  await sendOutbox();
  if (location.hash.startsWith('#/outbox')) showOutbox();
}

// ------------------------------------------------------------------ a paper form's photo

function paperCard() {
  const input = h('input', { type: 'file', id: 'paper', accept: 'image/*', capture: 'environment',
    onchange: async () => {
      const note = $('#paper-note');
      for (const file of input.files) {
        try {
          const blob = await toJpeg(file);
          const owner = uuid();
          const name = `paper-${owner.slice(0, 13)}.jpg`;
          const tx = (await db).transaction(['files', 'outbox'], 'readwrite');
          tx.objectStore('files').put({ name, owner, blob });
          tx.objectStore('outbox').put({ id: owner, kind: 'paper', title: 'Photo of a paper form', file: name, owner,
            made: new Date().toISOString(), queued: new Date().toISOString() });
          await tx.done;
          note.textContent = 'Added to the outbox. It is filed by the code printed on the form.';
        } catch (e) { note.textContent = e.message; }
      }
      input.value = '';
      refreshBanner();
      sendOutbox();
    } });
  return h('section', { class: 'card' }, h('h2', { text: 'Filled in on paper?' }),
    h('div', { class: 'field' }, h('label', { for: 'paper' }, 'Take a photo of a paper form'), input,
      h('p', { class: 'help', text: 'The square code on the form tells the office which form it is.' }),
      h('p', { id: 'paper-note', role: 'status' })));
}

// ------------------------------------------------------------------ banner, network, storage

async function refreshBanner() {
  const count = await (await db).count('outbox');
  const banner = $('#banner');
  const badge = $('#outbox-count');
  badge.hidden = count === 0;
  badge.textContent = String(count);
  $('#net').textContent = navigator.onLine ? '' : 'Offline';
  if (!count) { banner.hidden = true; return; }
  banner.replaceChildren(...[
    h('span', { text: `${plural(count, 'form', 'forms')} waiting to be sent${navigator.onLine ? '' : ': they go when this phone has a signal'}` }),
    // the outbox screen has its own "Send now"
    location.hash.startsWith('#/outbox') ? null : h('button', { type: 'button', onclick: sendNow }, 'Send now'),
  ].filter(Boolean));
  banner.hidden = false;
}

async function showStorageNote() {
  const note = $('#storage-note');
  if (!note) return;
  let kept = false;
  try {
    kept = await navigator.storage.persisted() || await navigator.storage.persist();
  } catch (e) { kept = false; }
  if (kept) return;
  note.textContent = 'This phone may clear the forms kept here when it runs short of space. '
    + 'On iPhone add this page to the Home Screen (Share, then Add to Home Screen) so your forms are kept.';
  note.hidden = false;
}

window.addEventListener('online', () => { refreshBanner(); sendOutbox(); });
window.addEventListener('offline', refreshBanner);
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') sendOutbox();
  else flushDraft();
});
window.addEventListener('pagehide', () => { flushDraft(); });
window.addEventListener('hashchange', route);
setInterval(async () => {
  if (navigator.onLine && document.visibilityState === 'visible' && await (await db).count('outbox')) sendOutbox();
}, RETRY_MS);

async function start() {
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/forms/sw.js', { scope: '/forms/' }).catch(() => undefined);
    navigator.serviceWorker.ready.then(() => { document.documentElement.dataset.offline = 'ready'; });
  }
  app = await loadForms();
  await route();
  await refreshBanner();
  document.documentElement.dataset.started = 'yes';
  sendOutbox();
}

start();
