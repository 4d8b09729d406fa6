// The scenario test editor: the test file as text (JSON or YAML), saved and run from here.
import { markReady, readConfig, readContent, setStatus, showProblems, wireToolbar } from './common.js';

function mount(container) {
  const config = readConfig(container);
  const area = document.createElement('textarea');
  area.className = 'code studio-text';
  area.spellcheck = false;
  area.setAttribute('aria-label', config.file_name);
  area.value = readContent();
  container.appendChild(area);
  area.addEventListener('input', () => setStatus(config.messages.unsaved, 'dirty'));
  wireToolbar(config, async () => area.value, (report) => showProblems(config, report));
  markReady(container);
  setStatus(config.messages.ready, 'ok');
}

document.querySelectorAll('[data-editor]').forEach(mount);
