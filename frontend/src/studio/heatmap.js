// The heatmap: the process diagram with, on each element, the cases there now (colour) and the median
// time spent there.
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import { importDiagram } from '../diagram.js';

export function duration(seconds) {
  if (seconds === null || seconds === undefined) return '';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${(seconds / 3600).toFixed(1)} u`;
  return `${(seconds / 86400).toFixed(1)} d`;
}

function level(now, max) {
  if (!now || !max) return 0;
  return Math.min(5, Math.max(1, Math.ceil((now / max) * 5)));
}

async function show(container) {
  const config = JSON.parse(document.getElementById(container.dataset.config).textContent);
  const status = container.parentElement.querySelector('[data-diagram-status]');
  document.querySelectorAll('[data-median]').forEach((cell) => {
    cell.textContent = cell.dataset.median === '' ? '–' : duration(Number(cell.dataset.median));
  });
  const viewer = new NavigatedViewer({ container });
  try {
    await importDiagram(viewer, config.xml);
    const registry = viewer.get('elementRegistry');
    const canvas = viewer.get('canvas');
    const overlays = viewer.get('overlays');
    for (const [id, figures] of Object.entries(config.elements)) {
      if (!registry.get(id)) continue;
      const heat = level(figures.now, config.max_now);
      if (heat) canvas.addMarker(id, `vb-heat-${heat}`);
      const badge = document.createElement('div');
      badge.className = 'vb-heat-badge';
      badge.dataset.heatFor = id;
      const parts = [];
      if (figures.now) parts.push(`${figures.now} ${config.labels.now}`);
      if (figures.median_seconds !== null) parts.push(`${config.labels.median} ${duration(figures.median_seconds)}`);
      if (!parts.length) continue;
      badge.textContent = parts.join(' · ');
      overlays.add(id, { position: { bottom: -4, left: 0 }, html: badge });
    }
    canvas.zoom('fit-viewport', 'auto');
    container.dataset.ready = 'true';
    if (status) status.hidden = true;
  } catch (err) {
    container.dataset.ready = 'error';
    if (status) { status.textContent = status.dataset.errorText; status.hidden = false; }
    console.error('heatmap', err);
  }
}

document.querySelectorAll('[data-heatmap]').forEach(show);
