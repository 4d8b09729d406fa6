// The BPMN editor: bpmn-js Modeler with the Camunda 7 (Camunda Platform) properties panel, so candidate
// groups, forms, due dates, assignees, decisions, called processes, timers, conditions and messages are
// shown, editable and kept on save. bpmnlint's recommended rules run in the browser; the server's problems
// are drawn on their elements.
import BpmnModeler from 'bpmn-js/lib/Modeler';
import {
  BpmnPropertiesPanelModule,
  BpmnPropertiesProviderModule,
  CamundaPlatformPropertiesProviderModule,
} from 'bpmn-js-properties-panel';
import CamundaBehaviorsModule from 'camunda-bpmn-js-behaviors/lib/camunda-platform';
import camundaModdle from 'camunda-bpmn-moddle/resources/camunda.json';
import lintModule from 'bpmn-js-bpmnlint';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css';
import '@bpmn-io/properties-panel/dist/assets/properties-panel.css';
import 'bpmn-js-bpmnlint/dist/assets/css/bpmn-js-bpmnlint.css';
import { layoutProcess } from 'bpmn-auto-layout';
import { hasDiagramInterchange } from '../diagram.js';
import { lintConfig } from './lint-config.js';
import { translator } from './i18n.js';
import nl from './nl/bpmn.js';
import { markReady, readConfig, readContent, setStatus, showProblems, wireToolbar } from './common.js';

const CAMUNDA_URI = 'http://camunda.org/schema/1.0/bpmn';

// Some tools bind the prefix `camunda` to another namespace (Activiti's). The Camunda extension this editor
// loads owns that prefix, so such a file is given another prefix for that namespace before it is opened:
// the same namespace under a new name, nothing else changes.
export function freeCamundaPrefix(xml) {
  const root = new DOMParser().parseFromString(xml, 'application/xml').documentElement;
  const bound = root && root.lookupNamespaceURI ? root.lookupNamespaceURI('camunda') : null;
  if (!bound || bound === CAMUNDA_URI) return xml;
  let prefix = 'ext';
  for (let n = 1; new RegExp(`xmlns:${prefix}=`).test(xml); n += 1) prefix = `ext${n}`;
  return xml
    .replace(/xmlns:camunda=/g, `xmlns:${prefix}=`)
    .replace(/(<\/?)camunda:/g, `$1${prefix}:`)
    .replace(/(\s)camunda:([\w.-]+\s*=)/g, `$1${prefix}:$2`);
}

const PROBLEM_MARKERS = { error: 'vb-problem-error', warning: 'vb-problem-warning' };

function drawProblems(modeler, problems, previous) {
  const canvas = modeler.get('canvas');
  const registry = modeler.get('elementRegistry');
  const overlays = modeler.get('overlays');
  for (const { id, marker } of previous.splice(0)) {
    if (registry.get(id)) canvas.removeMarker(id, marker);
  }
  overlays.remove({ type: 'vb-problem' });
  const byElement = {};
  for (const problem of problems) {
    if (!problem.element_id || !registry.get(problem.element_id)) continue;
    (byElement[problem.element_id] = byElement[problem.element_id] || []).push(problem);
  }
  for (const [id, list] of Object.entries(byElement)) {
    const severity = list.some((p) => (p.severity || 'error') === 'error') ? 'error' : 'warning';
    canvas.addMarker(id, PROBLEM_MARKERS[severity]);
    previous.push({ id, marker: PROBLEM_MARKERS[severity] });
    const badge = document.createElement('div');
    badge.className = `vb-problem-badge vb-problem-badge--${severity}`;
    badge.textContent = '!';
    badge.title = list.map((p) => p.message).join('\n');
    badge.dataset.problemFor = id;
    overlays.add(id, 'vb-problem', { position: { top: -12, right: 12 }, html: badge });
  }
}

async function mount(container) {
  const config = readConfig(container);
  const texts = translator({ nl });
  const modeler = new BpmnModeler({
    container,
    propertiesPanel: { parent: document.querySelector('[data-properties]') },
    additionalModules: [
      BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, CamundaPlatformPropertiesProviderModule,
      CamundaBehaviorsModule, lintModule, texts.module,
    ],
    moddleExtensions: { camunda: camundaModdle },
    linting: { bpmnlint: lintConfig, active: true },
  });
  window.vbStudio = { modeler, config, texts };
  let xml = freeCamundaPrefix(readContent());
  if (!hasDiagramInterchange(xml)) xml = await layoutProcess(xml);
  const { warnings } = await modeler.importXML(xml);
  if (warnings.length) console.warn('import warnings', warnings.map((w) => w.message));
  // Fit, then leave room for the palette, which lies over the left of the canvas.
  const canvas = modeler.get('canvas');
  canvas.zoom(Math.min(1, canvas.zoom('fit-viewport', 'auto') * 0.85), 'auto');
  canvas.scroll({ dx: 60, dy: 0 });

  const markers = [];
  const select = (id) => {
    const element = modeler.get('elementRegistry').get(id);
    if (!element) return;
    modeler.get('canvas').scrollToElement(element);
    modeler.get('selection').select(element);
  };
  const lintIssues = () => {
    const issues = modeler.get('linting')._issues || {};
    const list = [];
    for (const [id, entries] of Object.entries(issues)) {
      for (const entry of entries) {
        // in the page's language, as the overlay shows it (nl/bpmnlint.js)
        const message = `${texts.translate(entry.message)} (${entry.rule})`;
        list.push({ file: config.file_name, element_id: id, message, severity: 'warning', check: 'bpmnlint' });
      }
    }
    return list;
  };
  const afterReport = (report) => {
    report.lint = lintIssues();
    const mine = showProblems(config, report, select);
    drawProblems(modeler, mine.filter((p) => p.check !== 'bpmnlint'), markers);
  };
  wireToolbar(config, async () => (await modeler.saveXML({ format: true })).xml, afterReport);
  modeler.on('commandStack.changed', () => setStatus(config.messages.unsaved, 'dirty'));
  markReady(container);
  setStatus(config.messages.ready, 'ok');
}

document.querySelectorAll('[data-editor]').forEach((container) => {
  mount(container).catch((err) => {
    container.dataset.ready = 'error';
    setStatus(err.message, 'error');
    console.error('bpmn editor', err);
  });
});
