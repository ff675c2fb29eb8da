// Progress of an import running in the background: an enhancement, never a requirement.
//
// Without this script the page says how far the import had got when it was loaded and offers
// a link to look again. With it, the bar and the words beside it follow the import every two
// seconds, and the page reloads (showing the report) once the import has finished.

const INTERVAL_MS = 2000;
const FINISHED = new Set(["completed", "failed", "awaiting_confirmation", "cancelled"]);

function init(panel) {
  const url = panel.dataset.progressUrl;
  const bar = panel.querySelector("progress");
  const words = panel.querySelector("[data-progress-words]");
  if (!url || !bar || !words || !window.fetch) return;

  async function poll() {
    let body;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      body = await response.json();
    } catch {
      return; // a dropped connection: try again at the next interval
    }
    if (FINISHED.has(body.status)) {
      window.location.reload();
      return;
    }
    if (body.rows_estimated) {
      bar.max = body.rows_estimated;
      bar.value = Math.min(body.rows_read, body.rows_estimated);
    }
    words.textContent = body.words;
  }

  window.setInterval(poll, INTERVAL_MS);
}

document.querySelectorAll("[data-progress-url]").forEach(init);
