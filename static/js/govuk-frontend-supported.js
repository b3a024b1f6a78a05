// Run first thing in <body> (a classic script, not a module, so it runs before the page is
// drawn): tells GOV.UK Frontend's styles that JavaScript runs, and whether this browser is one
// GOV.UK Frontend supports (it has ES modules). This is the snippet GOV.UK Frontend's page
// template puts inline; here it is a file because the Content-Security-Policy allows no inline
// script (safeguarding/settings.py).
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
