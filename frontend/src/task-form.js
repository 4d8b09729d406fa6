// The form of a task or a start event, rendered by the form-js viewer. The page posts the values as JSON
// in a hidden field; the server validates again and, when it refuses, renders the page once more with the
// submitted values and its errors, which are shown next to their fields here.
import { Form } from '@bpmn-io/form-js-viewer';
import '@bpmn-io/form-js-viewer/dist/assets/form-js.css';
import flatpickr from 'flatpickr';
import { Dutch } from 'flatpickr/dist/l10n/nl.js';
import { numberFieldModule, validateNumbers } from './number-field.js';

// form-js's date picker is flatpickr (the same module instance): on a Dutch page its month and day names
// are Dutch and weeks start on Monday.
if (document.documentElement.lang === 'nl') flatpickr.localize(Dutch);

// A date field's placeholder spells its format ("dd-mm-yyyy", from the browser's locale): the letters in the
// page's language.
const DATE_FORMAT = /^(?:dd|mm|yyyy)(?:[-/.](?:dd|mm|yyyy)){2}$/;

function translator(messages) {
  const rules = (messages || []).map((m) => ({ re: new RegExp(m.pattern), text: m.text }));
  return (message) => {
    for (const rule of rules) {
      const match = rule.re.exec(message);
      if (match) return rule.text.replace(/\{(\d+)\}/g, (_, n) => match[Number(n)] || '');
    }
    return message;
  };
}

// "list[0].street" -> { path: "list.street", indexes: [0] }
function parseErrorKey(key) {
  const indexes = [];
  const path = key.replace(/\[(\d+)\]/g, (_, n) => { indexes.push(Number(n)); return ''; });
  return { path, indexes };
}

function fieldIdsByPath(form) {
  const registry = form.get('formFieldRegistry');
  const paths = form.get('pathRegistry');
  const ids = {};
  for (const field of registry.getAll()) {
    if (!field.key) continue;
    const valuePath = paths.getValuePath(field);
    if (valuePath && valuePath.length) ids[valuePath.join('.')] = field.id;
  }
  return ids;
}

function getPath(data, path) {
  return (path || []).reduce((value, key) => (value == null ? undefined : value[key]), data);
}

function sameValue(a, b) {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

// The server's errors, by field id and repeat indexes. They stay on a field as long as it holds the value
// the server refused, so form-js's own (re)validation neither hides them nor lets the same value through.
function serverErrors(form, errors, translate) {
  const ids = fieldIdsByPath(form);
  const byField = {};
  const unplaced = [];
  for (const [key, messages] of Object.entries(errors || {})) {
    const { path, indexes } = parseErrorKey(key);
    const id = ids[path];
    const texts = messages.map(translate);
    if (!id) { unplaced.push(...texts); continue; }
    byField[[id, ...indexes].join('/')] = texts;
  }
  return { byField, unplaced };
}

function withServerErrors(validate, byField, submitted) {
  return (fieldInstance, value) => {
    const errors = validate(fieldInstance, value);
    const key = [fieldInstance.id, ...Object.values(fieldInstance.indexes || {})].join('/');
    const server = byField[key];
    if (server && sameValue(value, getPath(submitted, fieldInstance.valuePath))) {
      return [...errors, ...server.filter((m) => !errors.includes(m))];
    }
    return errors;
  };
}

// form-js writes a few words of its own ("Select", "Search", ...): show them in the page's language.
// Preact owns the text nodes, so the select's placeholder is replaced by CSS from a data attribute
// (see app.css) rather than by rewriting its text, which would detach it from later updates.
function localiseWidgets(container, ui) {
  if (!ui) return;
  const apply = () => {
    container.querySelectorAll('.fjs-select-placeholder:not([data-vb-placeholder])').forEach((el) => {
      if (ui[el.textContent]) el.dataset.vbPlaceholder = ui[el.textContent];
    });
    container.querySelectorAll('[placeholder]').forEach((el) => {
      const placeholder = el.getAttribute('placeholder');
      const text = DATE_FORMAT.test(placeholder) && ui.yyyy ? placeholder.replace('yyyy', ui.yyyy) : ui[placeholder];
      if (text && text !== placeholder) el.setAttribute('placeholder', text);
    });
    container.querySelectorAll('[aria-label]').forEach((el) => {
      const label = el.getAttribute('aria-label');
      const row = /^Remove list item (\d+)$/.exec(label);
      const text = row ? (ui['Remove list item {n}'] || '').replace('{n}', row[1]) : ui[label];
      if (text) el.setAttribute('aria-label', text);
    });
    // The add button of a dynamic list: its words by CSS from a data attribute (see app.css), its name by
    // aria-label, as Preact owns its text node.
    container.querySelectorAll('button.fjs-repeat-render-add:not([data-vb-label])').forEach((el) => {
      if (!ui['Add new']) return;
      el.dataset.vbLabel = ui['Add new'];
      el.setAttribute('aria-label', ui['Add new']);
    });
    // form-js's "powered by bpmn.io" link: visible, but not a stop in every form's tab order
    container.querySelectorAll('a.fjs-powered-by-link:not([tabindex])').forEach((el) => el.setAttribute('tabindex', '-1'));
  };
  apply();
  // Attributes too: Preact renumbers the remove buttons' labels when a row is removed.
  new MutationObserver(apply).observe(container, {
    childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ['aria-label'],
  });
}

function focusFirstInvalid(container) {
  const invalid = container.querySelector('[aria-invalid="true"], .fjs-has-errors input, .fjs-has-errors textarea, .fjs-has-errors [tabindex]');
  if (invalid) invalid.focus();
}

// Escape closes an open dropdown (a select's options) and leaves the focus where it is. form-js keeps the
// list open as long as its box has the focus, so the list is hidden (app.css, data-vb-escaped) and the keys
// it would act on are held back until the person opens it again with an arrow key, or leaves the box.
function closeDropdownsOnEscape(container) {
  let escaped = null;
  const reopen = () => {
    if (escaped) delete escaped.dataset.vbEscaped;
    escaped = null;
  };
  window.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      const field = document.activeElement && document.activeElement.closest('.fjs-form-field');
      if (field && container.contains(field) && field.querySelector('.fjs-dropdownlist')) {
        escaped = field;
        field.dataset.vbEscaped = 'true';
        event.preventDefault();
      }
      return;
    }
    if (!escaped) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') { reopen(); return; }
    if (event.key === 'Enter') event.stopPropagation();  // would pick the hidden list's option
  }, true);
  container.addEventListener('focusout', reopen);
  container.addEventListener('mousedown', reopen, true);
}

// Enter in a date box takes the typed date and closes the calendar; form-js then draws the field anew and the
// focus falls to the page. Put it back in the same box (found again by its id), so the keyboard user stays put.
function keepFocusInDateFields(container) {
  container.addEventListener('keydown', (event) => {
    const box = event.target;
    if (event.key !== 'Enter' || !box.matches || !box.matches('input.flatpickr-input')) return;
    const { id } = box;
    setTimeout(() => {
      const active = document.activeElement;
      if (active && active !== document.body && container.contains(active)) return;
      const again = id && document.getElementById(id);
      if (again) again.focus();
    }, 0);
  }, true);
}

async function mount(container) {
  const config = JSON.parse(document.getElementById(container.dataset.config).textContent);
  const translate = translator(config.messages);
  // debounce: false, so every keystroke is in the form's data at once. With form-js's default (300 ms) a
  // number field sends its value again 300 ms after it is left; the form is then redrawn from its data and
  // wipes what was just typed into the next box and not yet taken up.
  // Number fields read the notation of the page's language (number-field.js).
  const lang = document.documentElement.lang === 'en' ? 'en' : 'nl';
  const form = new Form({
    container, debounce: false, properties: { readOnly: !!config.read_only },
    additionalModules: [numberFieldModule(lang, config.numbers || {})],
  });
  // Keep form-js's own validation, but speak the user's language.
  const validator = form.get('validator');
  const validate = validateNumbers(validator.validateFieldInstance.bind(validator), form.get('formFieldRegistry'));
  validator.validateFieldInstance = (...args) => validate(...args).map(translate);

  await form.importSchema(config.schema, config.data || {});
  const { byField, unplaced } = serverErrors(form, config.errors, translate);
  if (Object.keys(byField).length) {
    validator.validateFieldInstance = withServerErrors(validator.validateFieldInstance, byField, config.data || {});
    await new Promise((resolve) => setTimeout(resolve, 0));  // let form-js render its field instances
    form.validate();  // shows them now, next to their fields
    setTimeout(() => focusFirstInvalid(container), 0);  // as after a refused submit in the browser
  }
  const summary = document.querySelector('[data-unplaced-errors]');
  if (summary && unplaced.length) {
    summary.hidden = false;
    const list = summary.querySelector('ul');
    unplaced.forEach((text) => { const li = document.createElement('li'); li.textContent = text; list.appendChild(li); });
  }
  localiseWidgets(container, config.ui);
  closeDropdownsOnEscape(container);
  keepFocusInDateFields(container);
  container.dataset.ready = 'true';
  const status = container.parentElement.querySelector('[data-form-status]');
  if (status) status.hidden = true;

  const htmlForm = container.closest('form');
  if (!htmlForm || config.read_only) return;
  htmlForm.addEventListener('submit', (event) => {
    const { data, errors, files } = form.submit();
    if (Object.keys(errors).length) {
      event.preventDefault();
      // after form-js has drawn the errors (Preact renders later), else the focus stays on the button
      setTimeout(() => focusFirstInvalid(container), 0);
      return;
    }
    const variables = htmlForm.querySelector('input[name="variables"]');
    if (!files || !files.size) {
      variables.value = JSON.stringify(data);
      return;
    }
    // A file picked in the form becomes a document of the case first; the case data holds its id, not its bytes.
    event.preventDefault();
    uploadPickedFiles(config, config.schema, data, files, htmlForm).then(() => {
      variables.value = JSON.stringify(data);
      htmlForm.submit();
    }).catch((err) => {
      const status = container.parentElement.querySelector('[data-form-status]');
      if (status) { status.textContent = err.message; status.hidden = false; }
    });
  });
}

async function uploadOne(url, file, category, csrf) {
  const body = new FormData();
  body.append('file', file, file.name);
  if (category) body.append('category', category);
  const response = await fetch(url, {
    method: 'POST', body, credentials: 'same-origin', headers: { Accept: 'application/json', 'X-CSRFToken': csrf },
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(`${file.name}: ${answer.message || response.status}`);
  return answer.id;
}

// Replace every `files::…` key form-js put in the data by the ids of the uploaded documents.
async function uploadPickedFiles(config, schema, data, files, htmlForm) {
  const csrf = htmlForm.querySelector('input[name="csrf_token"]').value;
  for (const component of schema.components || []) {
    const key = component.key;
    if (component.type !== 'filepicker' || typeof data[key] !== 'string' || !files.has(data[key])) continue;
    const category = (component.properties || {}).category;
    const ids = [];
    for (const file of files.get(data[key])) ids.push(await uploadOne(config.documents_url, file, category, csrf));
    const multiple = component.multiple === true || component.multiple === 'true';
    data[key] = multiple ? ids : ids[0];
  }
}

document.querySelectorAll('[data-task-form]').forEach((container) => {
  mount(container).catch((err) => {
    container.dataset.ready = 'error';
    const status = container.parentElement.querySelector('[data-form-status]');
    if (status) { status.textContent = status.dataset.errorText; status.hidden = false; }
    console.error('form', err);
  });
});
