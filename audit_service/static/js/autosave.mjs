// Autosave for the audit form: an enhancement, never a requirement.
//
// The form works without this script ("Save draft" is a normal post). With it,
// changes are saved in the background about 20 seconds after the last save
// and whenever a field loses focus. Each save sends the form's version; the
// server answers with the new version, which is written back into the form so
// that the next save (background or button) is not mistaken for a stale page.
// If someone else saved first, the server refuses (409): autosaving stops, the
// changes stay on the page, and the status line offers the comparison page.

const INTERVAL_MS = 20000;

function init(form) {
  const url = form.dataset.autosaveUrl;
  const status = document.getElementById("autosave-status");
  const versionInput = form.querySelector("input[name='version']");
  if (!url || !status || !versionInput || !window.fetch) return;

  let dirty = false;
  let saving = false;
  let stopped = false;
  let submitting = false;
  let timer = null;
  let afterSave = null;

  function say(text) {
    status.textContent = text;
  }

  function offerComparison(message) {
    stopped = true;
    status.textContent = "";
    const text = document.createElement("span");
    text.textContent = message + " Your changes are still on this page and have not been saved. ";
    const button = document.createElement("button");
    button.type = "submit";
    button.name = "intent";
    button.value = "save";
    button.id = "autosave-compare";
    button.className = "govuk-button govuk-button--warning govuk-!-margin-bottom-0";
    button.textContent = "Compare your changes with the saved version";
    status.append(text, button);
  }

  async function save() {
    if (!dirty || saving || stopped || submitting) return;
    saving = true;
    dirty = false;
    const body = new URLSearchParams(new FormData(form));
    body.delete("intent");
    try {
      const response = await fetch(url, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      let data = {};
      try {
        data = await response.json();
      } catch (_) {
        data = {};
      }
      if (response.ok && data.status === "saved") {
        versionInput.value = String(data.version);
        say("Draft saved at " + data.saved_at);
      } else if (response.status === 409 && data.status === "conflict") {
        offerComparison("This audit was saved in another window or by someone else.");
      } else if (response.status === 409) {
        stopped = true;
        say(data.message || "This audit can no longer be changed.");
      } else if (response.status === 400 && data.errors) {
        dirty = true;
        say("The draft could not be saved automatically: " +
            data.errors.map((e) => e.message).join("; ") + ". Use Save draft to see where.");
      } else {
        dirty = true;
        say("The draft could not be saved automatically. Your changes are still on this page; " +
            "use Save draft, or sign in again if you have been signed out.");
      }
    } catch (_) {
      dirty = true;
      say("The draft could not be saved automatically. Check your connection; " +
          "your changes are still on this page.");
    } finally {
      saving = false;
      const next = afterSave;
      afterSave = null;
      if (next) next();
    }
  }

  function changed() {
    dirty = true;
    if (!timer) {
      timer = window.setInterval(save, INTERVAL_MS);
    }
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("focusout", (event) => {
    if (event.target.matches("textarea, input")) save();
  });
  form.addEventListener("submit", (event) => {
    // Leaving a field starts a background save; a button pressed while that
    // save is on its way would post the old version and meet a false conflict.
    // Wait for the save (which writes back the new version), then send.
    if (saving) {
      event.preventDefault();
      afterSave = () => form.requestSubmit(event.submitter || undefined);
      return;
    }
    submitting = true;
    if (timer) window.clearInterval(timer);
  });
  window.addEventListener("beforeunload", (event) => {
    if ((dirty || saving) && !submitting) {
      event.preventDefault();
    }
  });
}

const form = document.getElementById("audit-form");
if (form) init(form);
