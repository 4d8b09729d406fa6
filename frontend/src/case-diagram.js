// The process diagram on the case page: completed, active and waiting elements are marked; the buttons
// beside it zoom in, out and back to the whole diagram (the mouse wheel and dragging also move it).
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import { importDiagram } from './diagram.js';

const MARKERS = { completed: 'vb-completed', active: 'vb-active', waiting: 'vb-waiting' };
const ZOOM_STEP = 1.25;

function zoomControls(canvas, controls) {
  if (!controls) return;
  const actions = {
    in: () => canvas.zoom(canvas.zoom() * ZOOM_STEP),
    out: () => canvas.zoom(canvas.zoom() / ZOOM_STEP),
    fit: () => canvas.zoom('fit-viewport', 'auto'),
  };
  controls.querySelectorAll('[data-zoom]').forEach((button) => {
    button.addEventListener('click', () => actions[button.dataset.zoom]());
    button.disabled = false;
  });
}

async function show(container) {
  const config = JSON.parse(document.getElementById(container.dataset.config).textContent);
  const status = container.closest('section').querySelector('[data-diagram-status]');
  const viewer = new NavigatedViewer({ container });
  try {
    const response = await fetch(config.xml_url, { credentials: 'same-origin' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    await importDiagram(viewer, await response.text());
    const registry = viewer.get('elementRegistry');
    const canvas = viewer.get('canvas');
    for (const [state, marker] of Object.entries(MARKERS)) {
      for (const id of config[state] || []) {
        if (registry.get(id)) canvas.addMarker(id, marker);
      }
    }
    canvas.zoom('fit-viewport', 'auto');
    zoomControls(canvas, container.closest('section').querySelector('[data-zoom-controls]'));
    container.dataset.ready = 'true';
    if (status) status.hidden = true;
  } catch (err) {
    container.dataset.ready = 'error';
    if (status) {
      status.textContent = status.dataset.errorText;
      status.hidden = false;
    }
    console.error('diagram', err);
  }
}

document.querySelectorAll('[data-case-diagram]').forEach(show);
