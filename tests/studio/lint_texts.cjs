// The studio's own modules, run in Node for tests/studio/test_lint_texts.py: the bpmnlint configuration
// the BPMN editor lints with (frontend/src/studio/lint-config.js), its Dutch table and translator
// (nl/bpmn.js, i18n.js), bundled by the front end's esbuild as the browser bundle is.
//
//   node tests/studio/lint_texts.cjs rules                  the enabled rules: [{name, severity, file}]
//   node tests/studio/lint_texts.cjs translate < texts.json  [[template, {replacements}], ...] -> Dutch texts
//   node tests/studio/lint_texts.cjs lint FILE.bpmn...       each file's findings: {file: [{id, rule, message}]}
const fs = require('node:fs');
const path = require('node:path');

const FRONTEND = path.resolve(__dirname, '..', '..', 'frontend');
const frontendRequire = (name) => require(require.resolve(name, { paths: [FRONTEND] }));

function studioModules() {
  const esbuild = frontendRequire('esbuild');
  const entry = `
    export { lintConfig } from './src/studio/lint-config.js';
    export { translator } from './src/studio/i18n.js';
    export { default as nl } from './src/studio/nl/bpmn.js';
    export { BpmnModdle } from 'bpmn-moddle';
    export { Linter } from 'bpmnlint';
  `;
  const built = esbuild.buildSync({
    stdin: { contents: entry, resolveDir: FRONTEND, loader: 'js' },
    bundle: true, platform: 'node', format: 'cjs', write: false, logLevel: 'silent',
  });
  const module = { exports: {} };
  new Function('module', 'exports', 'require', built.outputFiles[0].text)(module, module.exports, require);
  return module.exports;
}

async function main() {
  const [command, ...files] = process.argv.slice(2);
  const studio = studioModules();
  let result;
  if (command === 'rules') {
    result = Object.entries(studio.lintConfig.config.rules)
      .filter(([, severity]) => !['off', 0].includes(severity))
      .map(([name, severity]) => ({
        name, severity, file: require.resolve(`bpmnlint/rules/${name}`, { paths: [FRONTEND] }),
      }));
  } else if (command === 'translate') {
    globalThis.document = { documentElement: { lang: 'nl' } };  // what the Dutch studio page says
    const texts = studio.translator({ nl: studio.nl });
    const asked = JSON.parse(fs.readFileSync(0, 'utf8'));
    result = { texts: asked.map(([template, replacements]) => texts.translate(template, replacements)),
      missing: [...texts.missing] };
  } else if (command === 'lint') {
    const linter = new studio.Linter(studio.lintConfig);
    const moddle = new studio.BpmnModdle();
    result = {};
    for (const file of files) {
      const { rootElement } = await moddle.fromXML(fs.readFileSync(file, 'utf8'));
      const findings = await linter.lint(rootElement);
      result[file] = Object.entries(findings).flatMap(([rule, reports]) => reports.map(
        (report) => ({ id: report.id, rule, message: report.message })));
    }
  } else {
    throw new Error(`unknown command ${command}`);
  }
  process.stdout.write(JSON.stringify(result));
}

main().catch((error) => { console.error(error); process.exit(1); });
