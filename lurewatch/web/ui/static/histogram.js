// The search page's histogram: a click on a bar narrows the dates to it (a plain link, works without script);
// pressing on one bar and releasing on another narrows them to the whole range between, bars highlighted
// while dragging. The range is read from the bars' own links: date_from of the first, date_to of the last.
(function () {
  "use strict";
  var svg = document.querySelector("figure.histogram svg");
  if (!svg) return;
  var bars = Array.prototype.slice.call(svg.querySelectorAll("a.bar"));
  var start = -1, end = -1, dragged = false;

  function barAt(event) {
    var hit = document.elementFromPoint(event.clientX, event.clientY);
    var link = hit && hit.closest ? hit.closest("a.bar") : null;
    return link ? bars.indexOf(link) : -1;
  }

  function paint() {
    var low = Math.min(start, end), high = Math.max(start, end);
    bars.forEach(function (bar, i) {
      bar.classList.toggle("selected", start >= 0 && i >= low && i <= high);
    });
  }

  svg.addEventListener("pointerdown", function (event) {
    var i = barAt(event);
    if (i < 0 || event.button !== 0) return;
    start = end = i;
    dragged = false;
    paint();
  });
  svg.addEventListener("pointermove", function (event) {
    if (start < 0) return;
    var i = barAt(event);
    if (i >= 0 && i !== end) {
      end = i;
      dragged = true;
      paint();
    }
  });
  function finish() {
    if (start < 0) return;
    var low = Math.min(start, end), high = Math.max(start, end);
    start = end = -1;
    if (!dragged || low === high) { paint(); return; }
    var url = new URL(bars[low].getAttribute("href"), window.location.href);
    var last = new URL(bars[high].getAttribute("href"), window.location.href);
    url.searchParams.set("date_to", last.searchParams.get("date_to"));
    window.location.assign(url.toString());
  }
  svg.addEventListener("pointerup", finish);
  svg.addEventListener("pointerleave", function () { if (start >= 0 && !dragged) { start = end = -1; paint(); } });
  // A drag ends on a bar's link: its click must not also follow that one bar.
  svg.addEventListener("click", function (event) {
    if (dragged) { event.preventDefault(); dragged = false; }
  }, true);
})();
