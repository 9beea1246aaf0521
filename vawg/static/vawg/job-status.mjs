// Shows a report build's progress without reloading: polls the JSON status every two seconds and reloads the
// page once the build has finished. Without JavaScript the page offers a plain "check again" link.
const box = document.getElementById("build-status");
const text = document.getElementById("build-status-text");

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
      text.replaceChildren(strong, `: ${status.message || "waiting"} (${status.progress}% done).`);
    }
  } catch {
    // A failed poll is retried; the "check again" link still works.
  }
  window.setTimeout(poll, 2000);
}

if (box && text && box.dataset.statusUrl) {
  window.setTimeout(poll, 2000);
}
