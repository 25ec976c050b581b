// The console's only script: every element with data-refresh gets its content fetched again every
// data-every milliseconds (no full reload), while the tab is visible. Signed out: back to the sign-in page.
(function () {
  "use strict";
  function refresh(element) {
    if (document.hidden) { return; }
    fetch(element.dataset.refresh, { headers: { "X-Console-Fragment": "1" }, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 401) { window.location.reload(); return null; }
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html !== null && html !== undefined && !element.contains(document.activeElement)) {
          element.innerHTML = html;
        }
      })
      .catch(function () { /* the next turn tries again */ });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-refresh]").forEach(function (element) {
      var every = parseInt(element.dataset.every || "5000", 10);
      window.setInterval(function () { refresh(element); }, every);
    });
  });
})();
