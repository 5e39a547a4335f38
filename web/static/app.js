// gwsync web client: select all/none on dataset steps, and live progress
// of a run through server-sent events. Everything works without it except
// these two conveniences (the run page then needs a reload).
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  var boxes = Array.prototype.slice.call(document.querySelectorAll('input[name="sel"]'));
  var counter = document.querySelector("[data-count]");
  function count() {
    if (!counter) return;
    var n = boxes.filter(function (b) { return b.checked; }).length;
    counter.textContent = n + " of " + boxes.length + " selected";
  }
  document.querySelectorAll("[data-select]").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var on = btn.getAttribute("data-select") === "all";
      boxes.forEach(function (b) { b.checked = on; });
      count();
    });
  });
  boxes.forEach(function (b) { b.addEventListener("change", count); });
  count();

  var progress = document.querySelector("[data-events]");
  if (progress && window.EventSource) {
    var fill = progress.querySelector(".fill");
    var text = progress.querySelector("[data-progress-text]");
    var es = new EventSource(progress.getAttribute("data-events"));
    es.addEventListener("progress", function (ev) {
      var p = JSON.parse(ev.data);
      var pct = p.total > 0 ? Math.round(100 * p.done / p.total) : (p.finished ? 100 : 5);
      fill.style.width = pct + "%";
      text.textContent = p.total > 0 ? p.phase + ": " + p.done + " of " + p.total : p.phase + "…";
    });
    es.addEventListener("done", function () {
      es.close();
      window.location.reload();
    });
    es.onerror = function () {
      es.close();
      setTimeout(function () { window.location.reload(); }, 1000);
    };
  }
});
