// The studio's editors in the page's language (the <html lang> the server sets from the user's choice).
// bpmn-js, its properties panel and dmn-js ask their `translate` service for every text they show, so a
// Dutch page replaces that service. form-js has no such service: its palette and properties panel write
// their English texts straight into the page, so there the same table is applied to those two parts of the
// editor as they render (never to the form itself, whose labels are the process owner's).
// Every text asked for that the table lacks is kept in `missing`, so a test can demand the table is complete
// for what an editor shows.

export function pageLanguage() {
  return (document.documentElement.lang || 'en').slice(0, 2).toLowerCase();
}

function fill(template, replacements) {
  return template.replace(/{([^}]+)}/g, (whole, key) => (
    replacements && Object.prototype.hasOwnProperty.call(replacements, key) ? replacements[key] : whole));
}

// `tables`: {nl: {...}}; English (or any language without a table) keeps the editors' own texts.
export function translator(tables) {
  const table = tables[pageLanguage()] || null;
  const missing = new Set();
  const translated = new Set(table ? Object.values(table) : []);
  // a key with {placeholders} also matches a text in which they are already filled in
  const patterns = Object.entries(table || {}).filter(([key]) => /{\w+}/.test(key)).map(([key, value]) => {
    const names = [];
    const source = key.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/{(\w+)}/g, (m, name) => {
      names.push(name);
      return '(.+?)';
    });
    return { regex: new RegExp(`^${source}$`), names, value };
  });
  const lookup = (text) => {
    if (!table || translated.has(text)) return text;
    if (Object.prototype.hasOwnProperty.call(table, text)) return table[text];
    for (const { regex, names, value } of patterns) {
      const match = regex.exec(text);
      if (match) {
        const done = fill(value, Object.fromEntries(names.map((name, i) => [name, match[i + 1]])));
        translated.add(done);
        return done;
      }
    }
    missing.add(text);
    return text;
  };
  const translate = (template, replacements) => fill(lookup(template), replacements || {});
  return { language: table ? pageLanguage() : 'en', table, missing, lookup, translate,
    module: { translate: ['value', translate] } };
}

const ATTRIBUTES = ['title', 'placeholder', 'aria-label', 'data-title'];

// Applies the table to the texts and labelling attributes under `root`, now and whenever it re-renders;
// nothing under `skip` (a selector of what the process owner wrote, such as a field's label) is touched, and
// under `mixed` (a list of the editor's and the owner's texts, such as a default value's options) only what
// the table knows is.
export function translateDom(root, t, { skip, mixed } = {}) {
  if (!t.table || !root) return null;
  const own = (text, node) => {
    const key = text.trim();
    if (!key || !/[A-Za-z]/.test(key)) return null;
    const known = mixed && node.closest(mixed);
    if (known && !Object.prototype.hasOwnProperty.call(t.table, key)) return null;
    const done = t.lookup(key);
    return done === key ? null : text.replace(key, done);
  };
  // what the process owner typed is theirs: values, expressions and the parts named by `skip`
  const theirs = ['textarea', '[contenteditable]', '.cm-editor', skip].filter(Boolean).join(', ');
  const apply = (node) => {
    const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    if (!element || !root.contains(element) || element.closest(theirs)) return;
    if (node.nodeType === Node.TEXT_NODE) {
      const done = own(node.nodeValue, element);
      if (done !== null) node.nodeValue = done;
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    for (const name of ATTRIBUTES) {
      const value = node.getAttribute(name);
      if (value) { const done = own(value, node); if (done !== null) node.setAttribute(name, done); }
    }
    node.childNodes.forEach(apply);
  };
  apply(root);
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === 'characterData') apply(record.target);
      else if (record.type === 'attributes') apply(record.target);
      else record.addedNodes.forEach(apply);
    }
  });
  observer.observe(root, { subtree: true, childList: true, characterData: true, attributes: true,
    attributeFilter: ATTRIBUTES });
  return observer;
}
