// Idle session warning.
//
// Contract with templates/components/session_timeout_dialog.html (signed-in
// users only):
//
//   <dialog id="session-timeout-dialog" data-timeout-seconds="1800"
//           data-warning-seconds="120" data-login-url="/account/sign-in/?next=...">
//     <h2 id="session-timeout-title">, <p id="session-timeout-text"> containing
//     <span id="session-timeout-countdown">,
//     <form id="session-extend-form" method="post" action="/account/session/extend/">
//       with <button id="session-extend-button"> "Stay signed in",
//     and a separate sign-out form.
//   </dialog>
//
// (timeout - warning) seconds after the page loaded, the dialog opens as a
// modal with focus on "Stay signed in". The countdown in the text changes every
// second; screen readers are told the time left only once a minute and at 20
// seconds, through a visually hidden polite live region added here. "Stay
// signed in" (or Escape) POSTs the form with fetch; a 2xx JSON answer closes the
// dialog and starts the timer again, anything else submits the form normally.
// When the time runs out, the page goes to data-login-url.
//
// Syntax kept to what the GOV.UK Frontend bundle uses (no ?. or ??), so an
// older browser that runs ES modules does not lose initAll() to a SyntaxError.
//
// Nothing is made global. startSessionTimeout() returns { restart, stop } for
// tests that import this module.

const DIALOG_ID = 'session-timeout-dialog';
const DEFAULT_WARNING_SECONDS = 120;
// Announce at every whole minute and at this many seconds.
const FINAL_ANNOUNCEMENT_SECONDS = 20;
// Give up on the background request after this long and submit the form.
const EXTEND_TIMEOUT_MS = 10000;
// At most this long between the request for the page and this script running.
const MAX_PAGE_LOAD_MS = 10000;

const controllers = new WeakMap();

function plural(count, unit) {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

// 120 -> "2 minutes", 65 -> "1 minute 5 seconds", 59 -> "59 seconds".
export function formatDuration(totalSeconds) {
  const seconds = Math.max(0, Math.ceil(totalSeconds));
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  const parts = [];
  if (minutes > 0) parts.push(plural(minutes, 'minute'));
  if (rest > 0 || minutes === 0) parts.push(plural(rest, 'second'));
  return parts.join(' ');
}

// The next time (in seconds left) below `seconds` at which to announce.
function announcementBelow(seconds) {
  if (seconds > 60) return (Math.ceil(seconds / 60) - 1) * 60;
  if (seconds > FINAL_ANNOUNCEMENT_SECONDS) return FINAL_ANNOUNCEMENT_SECONDS;
  return null;
}

function readSeconds(element, name) {
  const value = Number.parseInt(element.dataset[name] || '', 10);
  return Number.isFinite(value) && value >= 0 ? value : null;
}

export function startSessionTimeout(dialog = document.getElementById(DIALOG_ID)) {
  if (!dialog) return null;
  if (controllers.has(dialog)) return controllers.get(dialog);

  const timeoutSeconds = readSeconds(dialog, 'timeoutSeconds');
  const loginUrl = dialog.dataset.loginUrl;
  const form = dialog.querySelector('#session-extend-form');
  if (!timeoutSeconds || !loginUrl || !form) return null;
  const configuredWarning = readSeconds(dialog, 'warningSeconds');
  const warningSeconds = Math.min(
    configuredWarning === null ? DEFAULT_WARNING_SECONDS : configuredWarning,
    timeoutSeconds,
  );
  const countdown = dialog.querySelector('#session-timeout-countdown');
  const button = dialog.querySelector('#session-extend-button');

  // Screen reader announcements, separate from the visible countdown.
  const status = document.createElement('p');
  status.className = 'govuk-visually-hidden';
  status.setAttribute('aria-live', 'polite');
  status.setAttribute('aria-atomic', 'true');
  dialog.append(status);

  let expiresAt = 0;
  let warningTimer = null;
  let tickTimer = null;
  let nextAnnouncement = null;
  let extending = false;
  let closingHere = false;
  let stopped = false;

  const secondsLeft = () => Math.max(0, Math.ceil((expiresAt - Date.now()) / 1000));

  function clearTimers() {
    clearTimeout(warningTimer);
    clearTimeout(tickTimer);
    warningTimer = null;
    tickTimer = null;
  }

  function closeDialog() {
    status.textContent = '';
    if (dialog.open) {
      closingHere = true;
      dialog.close();
    }
  }

  // Start counting again from `since` (ms since the epoch, by default now):
  // the time of the last request that refreshed the server session.
  function restart(since = Date.now()) {
    stopped = false;
    clearTimers();
    closeDialog();
    expiresAt = since + timeoutSeconds * 1000;
    const delay = Math.max(0, expiresAt - warningSeconds * 1000 - Date.now());
    warningTimer = setTimeout(showWarning, delay);
  }

  function stop() {
    stopped = true;
    clearTimers();
    closeDialog();
  }

  function expire() {
    clearTimers();
    stopped = true;
    window.location.assign(loginUrl);
  }

  function showWarning() {
    warningTimer = null;
    const left = secondsLeft();
    if (left <= 0) {
      expire();
      return;
    }
    if (countdown) countdown.textContent = formatDuration(left);
    // Opening the dialog reads its title and text (with the time left), so the
    // first announcement is the next whole minute (or 20 seconds).
    nextAnnouncement = announcementBelow(left);
    if (!dialog.open) {
      if (typeof dialog.showModal === 'function') {
        dialog.showModal();
      } else {
        dialog.setAttribute('open', '');
      }
    }
    if (button) button.focus();
    scheduleTick();
  }

  // Tick just after each whole second of the time left.
  function scheduleTick() {
    const msLeft = expiresAt - Date.now();
    const delay = msLeft > 0 ? (msLeft % 1000 || 1000) + 20 : 1000;
    tickTimer = setTimeout(tick, delay);
  }

  function tick() {
    tickTimer = null;
    const left = secondsLeft();
    if (left <= 0 && !extending) {
      expire();
      return;
    }
    if (countdown) countdown.textContent = formatDuration(left);
    if (nextAnnouncement !== null && left > 0 && left <= nextAnnouncement) {
      status.textContent = `You will be signed out in ${formatDuration(left)}.`;
      nextAnnouncement = announcementBelow(left);
    }
    scheduleTick();
  }

  // Catch up after the computer slept or the tab was in the background.
  function check() {
    if (stopped || extending || expiresAt === 0) return;
    if (secondsLeft() <= 0) {
      expire();
    } else if (warningTimer !== null && Date.now() >= expiresAt - warningSeconds * 1000) {
      clearTimeout(warningTimer);
      showWarning();
    }
  }

  async function extend() {
    if (extending || stopped) return;
    extending = true;
    const requestedAt = Date.now();
    let extended = false;
    try {
      const response = await fetch(form.action, {
        method: 'POST',
        body: new FormData(form),
        headers: { Accept: 'application/json' },
        credentials: 'same-origin',
        signal: typeof AbortSignal !== 'undefined' && typeof AbortSignal.timeout === 'function' ? AbortSignal.timeout(EXTEND_TIMEOUT_MS) : undefined,
      });
      const type = response.headers.get('Content-Type') || '';
      if (response.ok && type.includes('json')) {
        await response.json();
        extended = true;
      }
    } catch (error) {
      extended = false;
    }
    extending = false;
    if (extended) {
      restart(requestedAt);
    } else {
      // Let the server decide: extend and redirect back, or ask to sign in.
      stopped = true;
      clearTimers();
      form.submit();
    }
  }

  form.addEventListener('submit', (event) => {
    if (typeof window.fetch !== 'function') return;
    event.preventDefault();
    extend();
  });

  // Escape: stay signed in, never a silent dismissal.
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault();
    extend();
  });

  // Some browsers close the dialog on Escape even though 'cancel' was
  // cancelled (no user activation since it opened): treat that the same way.
  dialog.addEventListener('close', () => {
    if (closingHere) {
      closingHere = false;
      return;
    }
    extend();
  });

  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') check();
  });
  window.addEventListener('pageshow', check);

  // The server session was refreshed by the request for this page, made at
  // about the start of the navigation: performance.now() milliseconds ago.
  // Capped, because fake clocks in browser tests keep performance.now()
  // running across navigations.
  const sinceNavigation = window.performance && typeof performance.now === 'function' ? performance.now() : 0;
  restart(Date.now() - Math.min(Math.max(0, sinceNavigation), MAX_PAGE_LOAD_MS));

  const controller = { restart, stop };
  controllers.set(dialog, controller);
  return controller;
}
