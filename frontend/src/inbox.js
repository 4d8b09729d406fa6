// Keeps the inbox current without a full reload: polls a small JSON endpoint and swaps the result list
// when its signature changes. Announces the change to screen readers.
const POLL = document.querySelector('[data-inbox-poll]');

function restoreFocus(region, activeId) {
  if (!activeId) return;
  const element = region.querySelector(`#${CSS.escape(activeId)}`);
  if (element) element.focus();
}

async function poll() {
  const url = new URL(POLL.dataset.url, window.location.href);
  url.search = window.location.search;
  url.searchParams.set('signature', POLL.dataset.signature);
  try {
    const response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (response.status === 401) { window.location.reload(); return; }
    if (!response.ok) return;
    const body = await response.json();
    if (!body.changed) return;
    const region = document.getElementById('inbox-results');
    const active = document.activeElement && region.contains(document.activeElement) ? document.activeElement.id : null;
    region.innerHTML = body.html;
    restoreFocus(region, active);
    for (const [name, value] of Object.entries(body.counts)) {
      document.querySelectorAll(`[data-count="${name}"]`).forEach((el) => { el.textContent = value; });
    }
    POLL.dataset.signature = body.signature;
    const live = document.getElementById('inbox-live');
    if (live) live.textContent = live.dataset.updatedText;
  } catch (err) {
    console.warn('inbox refresh', err);
  }
}

if (POLL) {
  const seconds = Number(POLL.dataset.seconds) || 15;
  window.setInterval(poll, seconds * 1000);
}
