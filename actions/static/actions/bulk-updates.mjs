// "My updates" with JavaScript: each row is saved as a draft while the person types (a pause of a second and a
// half) and when they leave a field, through the row's JSON endpoint (the same service as the page's form). A
// save that fails for want of a connection is kept and sent again when the connection returns (and every few
// seconds until then), so a lost connection loses nothing. Each row says when it was last saved, in its own
// live region. Without JavaScript the page is one form with "Save drafts" and "Submit".
const form = document.querySelector("form[data-bulk-updates]");
const TYPING_PAUSE_MS = 1500;
const RETRY_MS = 5000;

function rowState(row) {
  const prefix = row.dataset.prefix;
  const fields = ["successes_and_challenges", "next_steps", "proposed_rating"].map((name) =>
    row.querySelector(`[name="${prefix}-${name}"]`),
  );
  return {
    row,
    prefix,
    fields: fields.filter(Boolean),
    version: row.querySelector("[data-version]"),
    status: row.querySelector("[data-save-status]"),
    timer: null,
    saving: false,
    current: null,
    dirty: false,
    pending: false,
  };
}

function say(state, text) {
  if (state.status) state.status.textContent = text;
}

async function save(state) {
  window.clearTimeout(state.timer);
  state.timer = null;
  if (state.saving) {
    state.dirty = true;
    return state.current;
  }
  state.current = send(state);
  return state.current;
}

async function send(state) {
  state.saving = true;
  state.dirty = false;
  const body = new FormData();
  body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
  body.append(`${state.prefix}-version`, state.version.value);
  for (const field of state.fields) body.append(field.name, field.value);
  try {
    const response = await fetch(state.row.dataset.draftUrl, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    const answer = await response.json().catch(() => ({}));
    state.pending = false;
    if (response.ok && answer.saved) {
      state.version.value = answer.version;
      say(state, `Draft saved at ${answer.saved_at}.`);
    } else if (response.status === 409) {
      say(state, `Not saved: ${answer.message || "someone else saved this update."} Use "Save drafts" to compare.`);
    } else {
      say(state, `Not saved: ${answer.message || "try again with Save drafts."}`);
    }
  } catch {
    // No connection (or the server did not answer): keep the change and send it again later.
    state.pending = true;
    say(state, "Not saved yet: no connection. Your changes will be saved when the connection returns.");
  } finally {
    state.saving = false;
  }
  if (state.dirty) await save(state);
}

if (form) {
  const states = [...form.querySelectorAll("[data-update-row]")].map(rowState);
  const note = document.querySelector("[data-autosave-note]");
  if (note) note.classList.remove("govuk-!-display-none");
  for (const state of states) {
    for (const field of state.fields) {
      field.addEventListener("input", () => {
        window.clearTimeout(state.timer);
        state.timer = window.setTimeout(() => save(state), TYPING_PAUSE_MS);
      });
      field.addEventListener("change", () => save(state));
    }
  }
  const retry = () => states.filter((state) => state.pending).forEach(save);
  // "Save drafts", "Submit" or a row's "Add file" while a row is being saved: wait for it first, so the form carries
  // the row's new version (else the person's own draft would come back as someone else's change), a file finds the
  // update the draft started, and the two requests do not race to write the session (and its messages).
  const waited = new WeakSet();
  document.addEventListener("submit", async (event) => {
    const target = event.target;
    if (target !== form && !target.id.startsWith("evidence-form-")) return;
    const busy = states.filter((state) => state.saving || state.timer !== null);
    if (waited.has(target) || busy.length === 0) return;
    event.preventDefault();
    await Promise.all(busy.map(save));
    waited.add(target);
    target.requestSubmit(event.submitter);
  });
  window.addEventListener("online", retry);
  window.setInterval(retry, RETRY_MS);
}
