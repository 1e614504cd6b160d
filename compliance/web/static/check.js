// The result page: the 3D view, and a finding's elements highlighted when it is clicked.
(function () {
  "use strict";
  var container = document.getElementById("viewer");
  var status = document.getElementById("viewer-status");
  var picked = document.getElementById("picked");
  var items = Array.prototype.slice.call(document.querySelectorAll("#findings .finding"));
  var viewer = null, active = null;

  function say(text) { if (status) status.textContent = text; }

  function select(item) {
    items.forEach(function (li) { li.classList.remove("active"); li.setAttribute("aria-pressed", "false"); });
    if (active === item) { active = null; if (viewer) viewer.clear(); say("Showing the whole model."); return; }
    active = item;
    item.classList.add("active");
    item.setAttribute("aria-pressed", "true");
    var guids = (item.dataset.guids || "").split(" ").filter(Boolean);
    if (!viewer) { return; }
    if (!guids.length) { viewer.clear(); say("This finding cites no model element (it is about the metadata or the whole model)."); return; }
    var r = viewer.highlight(guids);
    say(r.found.length + " of " + guids.length + " element(s) highlighted" +
        (r.missing.length ? "; " + r.missing.length + " have no geometry in the view" : "") + ".");
  }

  // which findings cite each element, to say so when it is picked in the 3D view
  var citedBy = {};
  items.forEach(function (li) {
    (li.dataset.guids || "").split(" ").filter(Boolean).forEach(function (g) {
      (citedBy[g] = citedBy[g] || []).push(li.dataset.key);
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll("#findings tr.element"), function (tr) {
    tr.addEventListener("click", function () {
      if (!viewer) return;
      var r = viewer.highlight([tr.dataset.guid]);
      say(r.found.length ? "Showing element " + tr.dataset.guid + "." : "Element " + tr.dataset.guid +
          " has no geometry in the view.");
    });
  });

  items.forEach(function (li) {
    li.addEventListener("click", function (ev) {
      if (ev.target.closest("details, a, summary, table")) return;
      select(li);
    });
    li.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); select(li); }
    });
  });

  if (!container) return;
  if (!window.ComplianceViewer) { say("The 3D viewer is not installed (run the set-up again)."); return; }
  var urls = (container.dataset.urls || "").split(" ").filter(Boolean);
  window.ComplianceViewer.mount(container, urls).then(function (v) {
    viewer = v;
    window.__viewer = v;            // for the end-to-end tests and the browser console
    say("Drag to orbit, scroll to zoom. Click a finding to see its elements.");
    if (active) { var a = active; active = null; select(a); }
  }, function (err) {
    say("The 3D view cannot be shown here: " + (err && err.message ? err.message : err));
  });
  container.addEventListener("element-picked", function (ev) {
    var g = ev.detail && ev.detail.globalId;
    if (!picked) return;
    picked.textContent = g ? "Picked: " + g + (citedBy[g] ? " — cited by " + citedBy[g].join(", ")
                                                     : " — not cited by any finding") : "";
  });
})();
