// Shared by the studio's editors: the page's configuration, calls to /api/v1/studio (session cookie plus
// the CSRF token), the status line and the list of problems and scenario results under the editor.
export function readConfig(container) {
  return JSON.parse(document.getElementById(container.dataset.config).textContent);
}

export function readContent() {
  return JSON.parse(document.getElementById('editor-content').textContent);
}

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : '';
}

export async function api(url, method, body) {
  const response = await fetch(url, {
    method,
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': csrfToken() },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let payload = null;
  try { payload = await response.json(); } catch (err) { payload = null; }
  if (!response.ok) {
    const error = new Error((payload && payload.message) || `HTTP ${response.status}`);
    error.payload = payload;
    throw error;
  }
  return payload;
}

export function setStatus(text, state) {
  const status = document.querySelector('[data-status]');
  if (!status) return;
  status.textContent = text;
  status.dataset.state = state || '';
}

function item(text, className) {
  const li = document.createElement('li');
  li.className = className;
  li.textContent = text;
  return li;
}

// Problems of the whole workspace; those of this file are listed first and can be focused on the diagram.
export function showProblems(config, report, onSelect) {
  const list = document.querySelector('[data-problems]');
  const empty = document.querySelector('[data-problems-empty]');
  list.replaceChildren();
  const all = [...(report.errors || []), ...(report.warnings || []), ...(report.lint || [])];
  const mine = all.filter((p) => p.file === config.file_name);
  const others = all.filter((p) => p.file !== config.file_name);
  for (const problem of [...mine, ...others]) {
    const severity = problem.severity || 'error';
    const where = problem.file === config.file_name ? '' : `${problem.file}: `;
    const line = problem.line ? ` (${config.messages.line} ${problem.line})` : '';
    const label = problem.check === 'bpmnlint' ? `[${config.messages.lint}] ` : '';
    const li = item(`${label}${where}${problem.element_id ? problem.element_id + ': ' : ''}${problem.message}${line}`,
      `problem problem--${severity}`);
    li.dataset.elementId = problem.element_id || '';
    li.dataset.severity = severity;
    if (problem.element_id && problem.file === config.file_name && onSelect) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'link-button utrecht-link-button utrecht-link-button--html-button utrecht-link-button--inline';
      button.textContent = config.messages.show;
      button.setAttribute('aria-label', problem.element_id);
      button.addEventListener('click', () => onSelect(problem.element_id));
      li.prepend(button, ' ');
    }
    list.appendChild(li);
  }
  empty.textContent = config.messages.no_problems;
  empty.hidden = all.length > 0;
  return mine;
}

export function showTests(config, report) {
  const panel = document.querySelector('[data-tests-panel]');
  const list = document.querySelector('[data-tests]');
  panel.hidden = false;
  list.replaceChildren();
  if (!report.ran) {
    list.appendChild(item(config.messages.tests_not_run, 'problem problem--error'));
    return;
  }
  if (!report.results.length) {
    list.appendChild(item(config.messages.tests_none, 'problem'));
    return;
  }
  for (const result of report.results) {
    const li = item(`${result.file} – ${result.name}: ${result.passed ? config.messages.passed : config.messages.failed_test}`,
      `problem problem--${result.passed ? 'ok' : 'error'}`);
    li.dataset.passed = String(result.passed);
    if (result.reasons.length) {
      const reasons = document.createElement('ul');
      result.reasons.forEach((r) => reasons.appendChild(item(r, 'reason')));
      li.appendChild(reasons);
    }
    list.appendChild(li);
  }
}

// The toolbar: save, validate (unsaved text), run scenario tests (unsaved text). `getContent` returns the
// editor's current text; `afterReport` draws the problems on the editor.
export function wireToolbar(config, getContent, afterReport) {
  const buttons = Object.fromEntries([...document.querySelectorAll('[data-action]')].map((b) => [b.dataset.action, b]));
  const draftState = document.querySelector('[data-draft-state]');
  const busy = async (button, work) => {
    Object.values(buttons).forEach((b) => { b.disabled = true; });
    try { await work(); } catch (err) {
      setStatus(config.messages.failed + err.message, 'error');
      console.warn('studio', err);
    } finally { Object.values(buttons).forEach((b) => { b.disabled = false; }); }
  };
  buttons.save.addEventListener('click', () => busy(buttons.save, async () => {
    const content = await getContent();
    const report = await api(config.file_url, 'PUT', { content });
    afterReport(report);
    draftState.textContent = report.draft ? config.messages.draft : config.messages.clean;
    setStatus(report.valid ? config.messages.saved : config.messages.saved_with_errors, report.valid ? 'ok' : 'error');
  }));
  buttons.validate.addEventListener('click', () => busy(buttons.validate, async () => {
    const content = await getContent();
    const report = await api(config.validate_url, 'POST', { files: [{ file_name: config.file_name, content }] });
    afterReport(report);
    setStatus(report.valid ? config.messages.valid : config.messages.invalid, report.valid ? 'ok' : 'error');
  }));
  buttons.tests.addEventListener('click', () => busy(buttons.tests, async () => {
    const content = await getContent();
    const report = await api(config.tests_url, 'POST', { files: [{ file_name: config.file_name, content }] });
    afterReport(report);
    showTests(config, report);
    const text = !report.ran ? config.messages.tests_not_run
      : (report.passed ? (report.results.length ? config.messages.tests_passed : config.messages.tests_none)
        : config.messages.tests_failed);
    setStatus(text, report.ran && report.passed ? 'ok' : 'error');
  }));
}

export function markReady(container) {
  container.dataset.ready = 'true';
}
