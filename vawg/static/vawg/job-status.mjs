// Shows a background job's progress (a report build, a large import) without reloading: polls the page's JSON
// status every two seconds and reloads the page once the job has finished. Without JavaScript the page offers a
// plain "check again" link. The page marks the box with id="job-status" and data-status-url, and its text with
// id="job-status-text"; the status answers {finished, state_label, message, progress (optional, in percent)}.
const box = document.getElementById("job-status");
const text = document.getElementById("job-status-text");

async function poll() {
  try {
    const response = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (response.ok) {
      const status = await response.json();
      if (status.finished) {
        window.location.reload();
        return;
      }
      const strong = document.createElement("strong");
      strong.textContent = status.state_label;
      const percent = status.progress === undefined ? "" : ` (${status.progress}% done)`;
      text.replaceChildren(strong, `: ${status.message || "waiting"}${percent}.`);
    }
  } catch {
    // A failed poll is retried; the "check again" link still works.
  }
  window.setTimeout(poll, 2000);
}

if (box && text && box.dataset.statusUrl) {
  window.setTimeout(poll, 2000);
}
