// The form editor: form-js editor with a live preview of the form as case handlers will see it.
import { FormEditor } from '@bpmn-io/form-js-editor';
import { Form } from '@bpmn-io/form-js-viewer';
import '@bpmn-io/form-js-viewer/dist/assets/form-js.css';
import '@bpmn-io/form-js-editor/dist/assets/form-js-editor.css';
import '@bpmn-io/form-js-editor/dist/assets/properties-panel.css';
import { markReady, readConfig, readContent, setStatus, showProblems, wireToolbar } from './common.js';

async function mount(container) {
  const config = readConfig(container);
  const editor = new FormEditor({ container });
  const preview = new Form({ container: document.querySelector('[data-preview]') });
  window.vbStudio = { editor, preview, config };
  await editor.importSchema(JSON.parse(readContent()));
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
