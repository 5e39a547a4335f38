// gwsync web client: a live selection counter on dataset steps, and live
// progress of planning and of a run through server-sent events. Everything
// works without it (the selection is kept by the server on every button;
// the progress pages then need a reload).
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  var boxes = Array.prototype.slice.call(document.querySelectorAll('input[name="sel"]'));
  var counter = document.querySelector("[data-count]");
  function count() {
    if (!counter) return;
    // The server counts the whole area; this page's boxes may have
    // changed since it was rendered.
    var onPage = boxes.filter(function (b) { return b.checked; }).length;
    var selected = Number(counter.getAttribute("data-selected")) - Number(counter.getAttribute("data-page-checked")) + onPage;
    counter.textContent = selected + " of " + counter.getAttribute("data-total") + " selected";
  }
  boxes.forEach(function (b) { b.addEventListener("change", count); });
  count();

  var progress = document.querySelector("[data-events]");
  if (progress && window.EventSource) {
    var fill = progress.querySelector(".fill");
    var text = progress.querySelector("[data-progress-text]");
    var sources = progress.querySelector("[data-sources]");
    var es = new EventSource(progress.getAttribute("data-events"));
    es.addEventListener("progress", function (ev) {
      var p = JSON.parse(ev.data);
      var pct = p.total > 0 ? Math.round(100 * p.done / p.total) : (p.finished ? 100 : 5);
      if (fill) fill.style.width = pct + "%";
      if (p.text) {
        text.textContent = p.text;
      } else {
        text.textContent = p.total > 0 ? p.phase + ": " + p.done + " of " + p.total : p.phase + "…";
      }
      if (sources && p.sources) {
        sources.textContent = "";
        p.sources.forEach(function (s) {
          var li = document.createElement("li");
          var name = document.createElement("span");
          name.textContent = s.label;
          var n = document.createElement("span");
          n.textContent = s.items + " items" + (s.done ? ", done" : "…");
          li.appendChild(name);
          li.appendChild(n);
          sources.appendChild(li);
        });
      }
    });
    es.addEventListener("done", function () {
      es.close();
      var next = progress.getAttribute("data-next");
      if (next) window.location.assign(next); else window.location.reload();
    });
    es.onerror = function () {
      es.close();
      setTimeout(function () { window.location.reload(); }, 1000);
    };
  }
});
