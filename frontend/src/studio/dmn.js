// The decision table editor: dmn-js with Camunda's DMN extensions, opened on the decision table.
import DmnModeler from 'dmn-js/lib/Modeler';
import camundaModdle from 'camunda-dmn-moddle/resources/camunda.json';
import 'dmn-js/dist/assets/diagram-js.css';
import 'dmn-js/dist/assets/dmn-js-shared.css';
import 'dmn-js/dist/assets/dmn-js-drd.css';
import 'dmn-js/dist/assets/dmn-js-decision-table.css';
import 'dmn-js/dist/assets/dmn-js-decision-table-controls.css';
import 'dmn-js/dist/assets/dmn-js-literal-expression.css';
import 'dmn-js/dist/assets/dmn-font/css/dmn-embedded.css';
import { translator } from './i18n.js';
import nl from './nl/dmn.js';
import { markReady, readConfig, readContent, setStatus, showProblems, wireToolbar } from './common.js';

async function mount(container) {
  const config = readConfig(container);
  const texts = translator({ nl });
  // every view of dmn-js (requirements diagram, decision table, literal and boxed expression) has its own
  // injector, and takes its own modules
  const modules = { additionalModules: [texts.module] };
  const modeler = new DmnModeler({
    container,
    drd: modules, decisionTable: modules, literalExpression: modules, boxedExpression: modules,
    moddleExtensions: { camunda: camundaModdle },
  });
  window.vbStudio = { modeler, config, texts };
  await modeler.importXML(readContent());
  const table = modeler.getViews().find((view) => view.type === 'decisionTable');
  if (table) await modeler.open(table);
  wireToolbar(config, async () => (await modeler.saveXML({ format: true })).xml,
    (report) => showProblems(config, report));
  modeler.on('views.changed', () => markReady(container));
  markReady(container);
  setStatus(config.messages.ready, 'ok');
}

document.querySelectorAll('[data-editor]').forEach((container) => {
  mount(container).catch((err) => {
    container.dataset.ready = 'error';
    setStatus(err.message, 'error');
    console.error('dmn editor', err);
  });
});
