// The form editor: form-js editor with a live preview of the form as case handlers will see it. Its
// properties panel has a column of its own beside the form, wide enough for its labels and expressions.
import { FormEditor } from '@bpmn-io/form-js-editor';
import { Form } from '@bpmn-io/form-js-viewer';
import '@bpmn-io/form-js-viewer/dist/assets/form-js.css';
import '@bpmn-io/form-js-editor/dist/assets/form-js-editor.css';
import '@bpmn-io/form-js-editor/dist/assets/properties-panel.css';
import { translateDom, translator } from './i18n.js';
import nl from './nl/form.js';
import { markReady, readConfig, readContent, setStatus, showProblems, wireToolbar } from './common.js';

async function mount(container) {
  const config = readConfig(container);
  const texts = translator({ nl });
  const properties = document.querySelector('[data-properties]');
  const editor = new FormEditor({ container, propertiesPanel: { parent: properties } });
  const preview = new Form({ container: document.querySelector('[data-preview]') });
  window.vbStudio = { editor, preview, config, texts };
  await editor.importSchema(JSON.parse(readContent()));
  // the palette and the properties panel speak the page's language; the form's own texts stay as written
  // (the header names the selected field by its label; list items by their option labels)
  translateDom(properties, texts, {
    skip: '.bio-properties-panel-header-label, .bio-properties-panel-collapsible-entry-header-title',
    mixed: 'option',
  });
  translateDom(container.querySelector('.fjs-palette-container'), texts);
  let pending = null;
  const refresh = () => {
    clearTimeout(pending);
    pending = setTimeout(async () => {
      await preview.importSchema(editor.saveSchema(), {});
      document.querySelector('[data-preview]').dataset.ready = 'true';
    }, 150);
  };
  editor.on('changed', () => { setStatus(config.messages.unsaved, 'dirty'); refresh(); });
  refresh();
  wireToolbar(config, async () => `${JSON.stringify(editor.saveSchema(), null, 2)}\n`,
    (report) => showProblems(config, report));
  markReady(container);
  setStatus(config.messages.ready, 'ok');
}

document.querySelectorAll('[data-editor]').forEach((container) => {
  mount(container).catch((err) => {
    container.dataset.ready = 'error';
    setStatus(err.message, 'error');
    console.error('form editor', err);
  });
});
