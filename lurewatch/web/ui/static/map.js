// Draws each .map figure from the JSON block next to it: country outlines (vendored Natural Earth via
// world-atlas) and one circle per place or geotile cluster. No tile server, no network beyond this site.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var W = 960, H = 360;
  var outlines = null;

  function el(name, attrs) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  function draw(figure, data, world) {
    var svg = figure.querySelector("svg");
    var v = data.view;  // west, south, east, north
    var frame = {type: "MultiPoint", coordinates: [[v[0], v[1]], [v[2], v[3]]]};
    var projection = d3.geoMercator().fitExtent([[12, 12], [W - 12, H - 12]], frame);
    var path = d3.geoPath(projection);
    svg.appendChild(el("rect", {x: 0, y: 0, width: W, height: H, "class": "sea"}));
    var countries = topojson.feature(world, world.objects.countries).features;
    var land = el("g", {"class": "land"});
    countries.forEach(function (c) {
      var p = el("path", {d: path(c) || ""});
      var t = el("title", {}); t.textContent = c.properties.name; p.appendChild(t);
      land.appendChild(p);
    });
    svg.appendChild(land);
    svg.appendChild(el("path", {d: path(topojson.mesh(world, world.objects.countries, function (a, b) { return a !== b; })), "class": "borders"}));
    var max = 1;
    data.points.forEach(function (p) { max = Math.max(max, p.count); });
    var layer = el("g", {"class": "points"});
    data.points.forEach(function (p) {
      var xy = projection([p.lon, p.lat]);
      if (!xy || xy[0] < 0 || xy[0] > W || xy[1] < 0 || xy[1] > H) return;
      var r = p.count > 1 ? 8 + 16 * Math.sqrt(p.count / max) : 7;
      var group = p.href ? el("a", {href: p.href, "class": "cluster"}) : el("g", {"class": "place"});
      group.appendChild(el("circle", {cx: xy[0], cy: xy[1], r: r}));
      if (p.count > 1) {
        var label = el("text", {x: xy[0], y: xy[1] + 4, "text-anchor": "middle"});
        label.textContent = p.count > 999 ? Math.round(p.count / 100) / 10 + "k" : String(p.count);
        group.appendChild(label);
      }
      var title = el("title", {});
      title.textContent = (p.label ? p.label + " · " : "") + p.count + " finding" + (p.count === 1 ? "" : "s");
      group.appendChild(title);
      layer.appendChild(group);
    });
    svg.appendChild(layer);
    figure.classList.add("drawn");
  }

  function start() {
    var blocks = document.querySelectorAll("script.map-data");
    if (!blocks.length || typeof d3 === "undefined") return;
    (outlines = outlines || fetch("/static/vendor/countries-110m.json").then(function (r) { return r.json(); }))
      .then(function (world) {
        blocks.forEach(function (block) {
          var figure = document.getElementById(block.getAttribute("data-for"));
          if (figure) draw(figure, JSON.parse(block.textContent), world);
        });
      });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
