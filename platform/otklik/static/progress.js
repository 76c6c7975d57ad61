/* The progress bar of a background job (an import): polls the JSON of #progress-box[data-url]
   ({percent, status_label, done, total, finished}; percent null: not known yet, an indeterminate bar; text: the
   line to show, when the server words it) and reloads the page when the job has ended.
   Without JavaScript the page refreshes itself (a <noscript> meta refresh) and has a link. */
(function () {
  "use strict";
  function poll() {
    var box = document.getElementById("progress-box");
    if (!box || !window.fetch) { return; }
    var bar = document.getElementById("progress");
    var text = document.getElementById("progress-text");
    function tick() {
      fetch(box.dataset.url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (p) {
          if (p.percent === null || p.percent === undefined) { bar.removeAttribute("value"); }  // unknown: indeterminate
          else { bar.value = p.percent; }
          text.textContent = p.text || (p.status_label + (p.total ? ": " + p.done + " / " + p.total : ""));
          if (p.finished) { window.location.reload(); } else { window.setTimeout(tick, 1000); }
        })
        .catch(function () { window.setTimeout(tick, 5000); });
    }
    window.setTimeout(tick, 500);
  }
  document.addEventListener("DOMContentLoaded", poll);
})();
