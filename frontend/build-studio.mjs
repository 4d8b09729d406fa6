// The process owner's studio and the operations heatmap (frontend/src/studio/), bundled beside the web app's
// islands. The form editor gets its own build: @bpmn-io/form-js-editor needs preact <= 10.15.1 while
// bpmn-js needs a newer one, so in that bundle every preact import (the form viewer's too) is the editor's.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = path.resolve(here, '..', 'engine', 'web', 'static', 'dist');
const src = path.join(here, 'src', 'studio');
const common = {
  outdir,
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020'],
  sourcemap: false,
  legalComments: 'linked',
  logLevel: 'warning',
  loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.eot': 'file', '.svg': 'file' },
};

await build({
  ...common,
  entryPoints: {
    'studio-bpmn': path.join(src, 'bpmn.js'),
    'studio-dmn': path.join(src, 'dmn.js'),
    'studio-test': path.join(src, 'test.js'),
    heatmap: path.join(src, 'heatmap.js'),
  },
});

await build({
  ...common,
  entryPoints: { 'studio-form': path.join(src, 'form.js') },
  alias: { preact: path.join(here, 'node_modules', '@bpmn-io', 'form-js-editor', 'node_modules', 'preact') },
});
