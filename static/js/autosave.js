// Save as you go, with JavaScript (assessment sections: templates/assessments/section.html).
// A form with data-autosave posts itself (with autosave=1) a few seconds after typing stops,
// and says when it last saved in a status region that screen readers announce politely. The
// server saves what is there as it is (cases/assessments/views.py, SectionView), and each save
// is activity, so a long answer being typed does not end in a sign-out for idleness. Without
// JavaScript the page's own buttons save, as they always do.
const WAIT_MS = 5000;

for (const form of document.querySelectorAll("form[data-autosave]")) {
  const status = form.querySelector("[data-autosave-status]");
  let timer = null;
  let dirty = false;
  let busy = false;

  const say = (text) => {
    if (status) status.textContent = text;
  };

  const save = async () => {
    if (busy) {
      timer = setTimeout(save, WAIT_MS);
      return;
    }
    busy = true;
    dirty = false;
    const body = new FormData(form);
    body.set("autosave", "1");
    try {
      const response = await fetch(form.action || window.location.href, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        redirect: "manual",
      });
      if (response.ok) {
        const data = await response.json();
        say(`Saved at ${data.at}`);
      } else {
        say(
          "Not saved: you may have been signed out. Select “Save and come back later” before you leave this page.",
        );
      }
    } catch {
      say("Not saved: check your connection, then select “Save and come back later”.");
    }
    busy = false;
    if (dirty) timer = setTimeout(save, WAIT_MS);
  };

  form.addEventListener("input", () => {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(save, WAIT_MS);
  });
}
