// For tools/render_diagrams.py: import one BPMN document headlessly and return its warnings and SVG.
import Viewer from 'bpmn-js/lib/Viewer';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import { importDiagram } from './diagram.js';

window.vbRender = async function (xml) {
  const container = document.getElementById('canvas');
  const viewer = new Viewer({ container });
  try {
    const { warnings, laidOut } = await importDiagram(viewer, xml);
    const { svg } = await viewer.saveSVG();
    return { error: null, warnings: warnings.map((w) => w.message || String(w)), laidOut, svg };
  } catch (err) {
    const warnings = (err.warnings || []).map((w) => w.message || String(w));
    return { error: err.message || String(err), warnings, laidOut: false, svg: null };
  } finally {
    viewer.destroy();
  }
};
window.vbRenderReady = true;
