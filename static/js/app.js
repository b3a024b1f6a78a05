// Progressive enhancement for every page (loaded as a module by templates/base.html). Every
// page works without it: this only adds GOV.UK Frontend and MoJ Frontend behaviour (error
// summary focus, service navigation menu, notification banners...) and turns pickers
// (<select data-picker-url>) into type-aheads that ask the server.
//
// The packages are served by Django from node_modules (STATICFILES_DIRS), so the imports are
// relative to this file: /static/js/ -> /static/govuk/, /static/moj/, /static/autocomplete/.
import { initAll as initGovukFrontend } from "../govuk/govuk-frontend.min.js";
import { initAll as initMojFrontend } from "../moj/moj-frontend.min.js";

initGovukFrontend();
initMojFrontend();

// --- Pickers: a type-ahead that asks the server ----------------------------------------------
//
// A picker (safeguarding/pickers.py) is a <select data-picker-url> holding only the current
// choice, and before it a search box with a Find button for browsers without JavaScript. Here
// the select becomes an accessible-autocomplete whose options come from the picker's endpoint
// (POST, so what is typed stays out of URLs and logs), and the search box goes.

const DEBOUNCE_MS = 250;
const MIN_LENGTH = 2;

function escapeHtml(text) {
  return String(text).replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c],
  );
}

function optionText(option) {
  return (option ? option.textContent || "" : "").trim();
}

// source(query, populateResults) for accessible-autocomplete: asks the endpoint once typing
// pauses; an answer to an older query is dropped (its request aborted).
function pickerSource(select, state) {
  const token = select.form?.querySelector("input[name=csrfmiddlewaretoken]")?.value || "";
  let timer = null;
  let controller = null;
  return (query, populateResults) => {
    clearTimeout(timer);
    if (controller) controller.abort();
    state.searching = true;
    state.failed = false;
    timer = setTimeout(async () => {
      controller = new AbortController();
      const { signal } = controller;
      try {
        const response = await fetch(select.dataset.pickerUrl, {
          method: "POST",
          headers: { "X-CSRFToken": token, Accept: "application/json" },
          body: new URLSearchParams({ q: query }),
          credentials: "same-origin",
          signal,
        });
        if (!response.ok) throw new Error(`The search answered ${response.status}`);
        const { results } = await response.json();
        state.searching = false;
        populateResults(results);
      } catch {
        if (signal.aborted) return;
        state.searching = false;
        state.failed = true;
        populateResults([]);
      }
    }, DEBOUNCE_MS);
  };
}

function enhancePicker(accessibleAutocomplete, select) {
  const id = select.id;
  const plural = select.dataset.pickerPlural || "matches";
  const state = { searching: false, failed: false };
  accessibleAutocomplete.enhanceSelectElement({
    selectElement: select,
    source: pickerSource(select, state),
    minLength: MIN_LENGTH,
    // An empty choice ("Choose a young person") shows as an empty box, not as text.
    defaultValue: "",
    autoselect: false,
    confirmOnBlur: false,
    displayMenu: "overlay",
    tNoResults: () => {
      if (state.searching) return "Searching…";
      if (state.failed) return "The search did not work: try again";
      return `No ${plural} found`;
    },
    templates: {
      // A result is {value, label, hint, text}; the box shows its text (as the option does).
      inputValue: (result) => (result && typeof result === "object" ? result.text : result || ""),
      suggestion: (result) => {
        if (!result || typeof result !== "object") return escapeHtml(result || "");
        const hint = result.hint
          ? `<span class="app-picker__hint">${escapeHtml(result.hint)}</span>`
          : "";
        return `${escapeHtml(result.label)}${hint}`;
      },
    },
    onConfirm: (result) => {
      if (!result || typeof result !== "object") return;
      let option = Array.from(select.options).find((o) => o.value === result.value);
      if (!option) {
        option = new Option(result.text, result.value);
        select.add(option);
      }
      option.selected = true;
    },
  });
  // With the type-ahead working, the search box and its Find button are not needed: gone, so
  // that Enter in another box submits the form rather than a search.
  document.getElementById(`${id}_finder`)?.remove();
  // The select keeps its last choice while the box is edited: once the box no longer shows
  // that choice, empty the select too, so the form sends what the user sees.
  const input = document.getElementById(id);
  if (input && input !== select) {
    input.addEventListener("input", () => {
      if (input.value.trim() !== optionText(select.selectedOptions[0])) select.value = "";
    });
  }
}

// The accessible-autocomplete bundle (UMD: as a module it sets self.accessibleAutocomplete),
// loaded once, only when a page has a picker.
let autocomplete = null;
function loadAutocomplete() {
  autocomplete ??= import("../autocomplete/accessible-autocomplete.min.js").then(
    () => window.accessibleAutocomplete,
  );
  return autocomplete;
}

function enhancePickers(scope) {
  const pickers = scope.querySelectorAll("select[data-picker-url]");
  if (!pickers.length) return Promise.resolve();
  return loadAutocomplete()
    .then((accessibleAutocomplete) => {
      if (!accessibleAutocomplete) return;
      pickers.forEach((select) => enhancePicker(accessibleAutocomplete, select));
    })
    .catch((error) => {
      // The search box and Find button still work.
      console.error("Autocomplete not loaded", error);
    });
}

enhancePickers(document);

// --- "Add another young person" without a round trip ------------------------------------------
//
// A form with rows (safeguarding/formsets.py) has an "Add another" submit button
// (data-add-row="<formset prefix>"), the rows in [data-rows], and an empty row in a <template>
// (Django's empty_form: "__prefix__" for the row's index, "__number__" for its number). Without
// JavaScript the button sends the page back with a row more. Here it copies the template at
// the end instead, counts it in the formset's TOTAL_FORMS, enhances its pickers and moves the
// focus to it (the MoJ "add another" pattern, without reloading the page). "Remove" stays a
// submit button: the page comes back without the row, the others renumbered, as typed.
//
// Enter in a text box presses the form's first submit button. Without JavaScript that is the
// first picker's hidden Find; once the pickers have lost their Find, it would be a Remove or
// Add another button, so a hidden plain submit button goes first: Enter sends the form.

function enhanceAddRow(button) {
  const { form } = button;
  const prefix = button.dataset.addRow;
  const rows = form?.querySelector(`[data-rows="${prefix}"]`);
  const template = form?.querySelector(`template[data-empty-row="${prefix}"]`);
  const total = form?.querySelector(`input[name="${prefix}-TOTAL_FORMS"]`);
  if (!rows || !template || !total) return;
  const max = Number(rows.dataset.maxRows || 20);
  button.type = "button";
  button.addEventListener("click", () => {
    const index = Number(total.value);
    if (!(index < max)) return;
    rows.insertAdjacentHTML(
      "beforeend",
      template.innerHTML
        .replaceAll("__prefix__", String(index))
        .replaceAll("__number__", String(index + 1)),
    );
    total.value = String(index + 1);
    button.hidden = index + 1 >= max;
    const row = rows.lastElementChild;
    enhancePickers(row).then(() => {
      row.querySelector("input:not([type=hidden]), select, textarea")?.focus();
    });
  });
}

document.querySelectorAll("button[data-add-row]").forEach((button) => {
  const { form } = button;
  if (form && !form.querySelector("button[data-default-submit]")) {
    const send = document.createElement("button");
    send.type = "submit";
    send.hidden = true;
    send.dataset.defaultSubmit = "";
    send.textContent = "Send";
    form.prepend(send);
  }
  enhanceAddRow(button);
});
