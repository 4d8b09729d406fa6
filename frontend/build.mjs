// Bundles the JavaScript islands of the web app into engine/web/static/dist/ (run by `make frontend`).
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = path.resolve(here, '..', 'engine', 'web', 'static', 'dist');

await build({
  entryPoints: {
    'case-diagram': path.join(here, 'src', 'case-diagram.js'),
    'task-form': path.join(here, 'src', 'task-form.js'),
    'inbox': path.join(here, 'src', 'inbox.js'),
    'render': path.join(here, 'src', 'render.js'),
    'nlds': path.join(here, 'src', 'nlds.css'),
  },
  outdir,
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020'],
  sourcemap: false,
  legalComments: 'linked',
  logLevel: 'warning',
  loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.eot': 'file', '.svg': 'file' },
});
await import('./build-studio.mjs');  // the studio's bundles (frontend/src/studio/)
console.log(`frontend bundles written to ${outdir}`);
