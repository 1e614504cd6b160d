// The progress page: follow the background check, then open its result.
(function () {
  "use strict";
  var job = document.getElementById("job");
  if (!job || job.dataset.state === "failed" || job.dataset.state === "done") return;
  var bar = document.getElementById("bar"), step = document.getElementById("step");
  function poll() {
    fetch(job.dataset.stateUrl, {credentials: "same-origin", cache: "no-store"})
      .then(function (r) { return r.json(); })
      .then(function (s) {
        bar.value = s.fraction;
        step.textContent = s.step + (s.elapsed_s ? " (" + Math.round(s.elapsed_s) + " s)" : "");
        job.dataset.state = s.state;
        if (s.state === "done" && s.url) { window.location.assign(s.url); }
        else if (s.state === "failed") { window.location.reload(); }
        else { window.setTimeout(poll, 600); }
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  poll();
})();
