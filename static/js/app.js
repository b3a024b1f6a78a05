// Progressive enhancement for every page (loaded as a module by templates/base.html). Every
// page works without it: this only adds GOV.UK Frontend and MoJ Frontend behaviour (error
// summary focus, service navigation menu, notification banners...) and turns
// <select data-autocomplete> into an accessible autocomplete.
//
// The packages are served by Django from node_modules (STATICFILES_DIRS), so the imports are
// relative to this file: /static/js/ -> /static/govuk/, /static/moj/, /static/autocomplete/.
import { initAll as initGovukFrontend } from "../govuk/govuk-frontend.min.js";
import { initAll as initMojFrontend } from "../moj/moj-frontend.min.js";

initGovukFrontend();
initMojFrontend();

// --- Autocomplete on long pick lists ---------------------------------------------------------

function optionText(option) {
  return (option.textContent || "").trim();
}

function enhanceSelect(accessibleAutocomplete, select) {
  const id = select.id;
  accessibleAutocomplete.enhanceSelectElement({
    selectElement: select,
    // An empty choice ("Choose a young person") shows as an empty box, not as text.
    defaultValue: "",
    showAllValues: true,
    autoselect: false,
    confirmOnBlur: false,
    displayMenu: "overlay",
    onConfirm: (chosen) => {
      const option = Array.from(select.options).find((o) => optionText(o) === (chosen || "").trim());
      if (option) option.selected = true;
    },
  });
  // The library keeps the last choice when the box is emptied: empty the select too, so the
  // form sends what the user sees.
  const input = document.getElementById(id);
  if (input && input !== select) {
    input.addEventListener("input", () => {
      if (input.value.trim() === "") select.value = "";
    });
  }
}

const selects = document.querySelectorAll("select[data-autocomplete]");
if (selects.length) {
  // A UMD bundle: as a module it sets self.accessibleAutocomplete. Loaded only when needed.
  import("../autocomplete/accessible-autocomplete.min.js")
    .then(() => {
      const { accessibleAutocomplete } = window;
      if (!accessibleAutocomplete) return;
      selects.forEach((select) => enhanceSelect(accessibleAutocomplete, select));
    })
    .catch((error) => {
      // The plain select still works.
      console.error("Autocomplete not loaded", error);
    });
}
