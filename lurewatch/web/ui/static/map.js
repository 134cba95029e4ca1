// Draws each .map figure from the JSON block next to it: country outlines (vendored Natural Earth via
// world-atlas) and the places. No tile server, no network beyond this site.
//  - Points closer than a circle's width are drawn as one cluster with its count (at low zoom many places
//    merge); a cluster's click zooms in on it. The search page's circles are the server's geotile clusters:
//    their click, and the zoom buttons, narrow the search to the new view (the URL's bbox).
//  - Each circle is labelled with its place (or its country), and the caption lists the country of every
//    mapped finding, found from the outlines.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var W = 960, H = 360, MERGE_PX = 30, MAX_LABELS = 12;
  var outlines = null;

  function el(name, attrs) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  // A label shortened between grapheme clusters, never inside one (Thai, Khmer, Burmese marks stay on their letter).
  function shorten(text, max) {
    if (!text) return "";
    if (typeof Intl === "undefined" || !Intl.Segmenter) return text;
    var parts = Array.from(new Intl.Segmenter(undefined, {granularity: "grapheme"}).segment(text), function (s) { return s.segment; });
    return parts.length <= max ? text : parts.slice(0, max - 1).join("") + "…";
  }

  // The country under a point; a coastal town can fall just off the coarse 1:110m outlines, so nearby
  // points (rings up to 1.5 degrees) are tried next.
  var RINGS = [[0, 0]];
  [0.25, 0.5, 1, 1.5].forEach(function (d) {
    [[d, 0], [-d, 0], [0, d], [0, -d], [d, d], [-d, -d], [d, -d], [-d, d]].forEach(function (o) { RINGS.push(o); });
  });

  function countryOf(countries, lon, lat) {
    for (var r = 0; r < RINGS.length; r++) {
      for (var i = 0; i < countries.length; i++) {
        if (d3.geoContains(countries[i], [lon + RINGS[r][0], lat + RINGS[r][1]])) return countries[i].properties.name;
      }
    }
    return "";
  }

  // Greedy clustering in screen space: biggest first, every point within MERGE_PX joins it.
  function cluster(points, projection) {
    var placed = points.map(function (p) { return {p: p, xy: projection([p.lon, p.lat])}; })
      .filter(function (q) { return q.xy && q.xy[0] >= 0 && q.xy[0] <= W && q.xy[1] >= 0 && q.xy[1] <= H; })
      .sort(function (a, b) { return b.p.count - a.p.count; });
    var groups = [];
    placed.forEach(function (q) {
      var near = null;
      for (var i = 0; i < groups.length && !near; i++) {
        var g = groups[i], dx = g.xy[0] - q.xy[0], dy = g.xy[1] - q.xy[1];
        if (dx * dx + dy * dy < MERGE_PX * MERGE_PX) near = g;
      }
      if (near) { near.members.push(q.p); near.count += q.p.count; }
      else groups.push({xy: q.xy, members: [q.p], count: q.p.count});
    });
    return groups;
  }

  function viewAround(members, pad) {
    var lons = members.map(function (p) { return p.lon; }), lats = members.map(function (p) { return p.lat; });
    return [Math.min.apply(null, lons) - pad, Math.min.apply(null, lats) - pad,
            Math.max.apply(null, lons) + pad, Math.max.apply(null, lats) + pad];
  }

  function scaled(v, factor) {  // west, south, east, north around the same centre
    var cx = (v[0] + v[2]) / 2, cy = (v[1] + v[3]) / 2, hw = (v[2] - v[0]) * factor / 2, hh = (v[3] - v[1]) * factor / 2;
    hw = Math.min(Math.max(hw, 0.05), 180); hh = Math.min(Math.max(hh, 0.05), 85);
    return [Math.max(cx - hw, -180), Math.max(cy - hh, -85), Math.min(cx + hw, 180), Math.min(cy + hh, 85)];
  }

  function searchWith(view) {  // the search page: the same search, narrowed (or widened) to ``view``
    var params = new URLSearchParams(window.location.search);
    ["cursor", "offset"].forEach(function (k) { params.delete(k); });
    if (view) params.set("bbox", view.map(function (x) { return x.toFixed(4); }).join(","));
    else params.delete("bbox");
    window.location.assign(window.location.pathname + "?" + params.toString());
  }

  function draw(figure, data, world, view) {
    var svg = figure.querySelector("svg");
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var frame = {type: "MultiPoint", coordinates: [[view[0], view[1]], [view[2], view[3]]]};
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

    var byCountry = {};
    data.points.forEach(function (p) {
      p.country = p.country || countryOf(countries, p.lon, p.lat) || "at sea or unknown";
      byCountry[p.country] = (byCountry[p.country] || 0) + p.count;
    });
    var groups = cluster(data.points, projection);
    var max = 1;
    groups.forEach(function (g) { max = Math.max(max, g.count); });
    var layer = el("g", {"class": "points"}), labels = el("g", {"class": "labels"}), taken = [];
    groups.forEach(function (g, i) {
      var first = g.members[0], many = g.members.length > 1 || g.count > 1;
      var r = many ? 8 + 16 * Math.sqrt(g.count / max) : 7;
      var countries = Array.from(new Set(g.members.map(function (p) { return p.country; })));
      var name = g.members.length === 1 && first.label ? first.label : countries.join(", ");
      var group;
      if (first.href && g.members.length === 1) {
        group = el("a", {href: first.href, "class": "cluster"});
      } else if (g.members.length > 1) {
        group = el("a", {href: "#", "class": "cluster", role: "button"});
        group.addEventListener("click", function (event) {
          event.preventDefault();
          var zoomed = viewAround(g.members, 1.0);
          if (data.serverClusters) searchWith(zoomed); else draw(figure, data, world, zoomed);
        });
      } else {
        group = el("g", {"class": "place"});
      }
      group.appendChild(el("circle", {cx: g.xy[0], cy: g.xy[1], r: r}));
      if (g.count > 1) {
        var count = el("text", {x: g.xy[0], y: g.xy[1] + 4, "text-anchor": "middle", "class": "count"});
        count.textContent = g.count > 999 ? Math.round(g.count / 100) / 10 + "k" : String(g.count);
        group.appendChild(count);
      }
      var title = el("title", {});
      title.textContent = name + " · " + g.count + " finding" + (g.count === 1 ? "" : "s");
      group.appendChild(title);
      layer.appendChild(group);
      var text = shorten(name, 28), box = [g.xy[0] + r + 4, g.xy[1] - 8, g.xy[0] + r + 4 + 7 * text.length, g.xy[1] + 6];
      var free = taken.every(function (t) { return box[2] < t[0] || box[0] > t[2] || box[3] < t[1] || box[1] > t[3]; });
      if (i < MAX_LABELS && free) {  // a label that would cover another is left to the circle's tooltip
        taken.push(box);
        var label = el("text", {x: box[0], y: g.xy[1] + 4, "class": "label"});
        label.textContent = text;
        labels.appendChild(label);
      }
    });
    svg.appendChild(layer);
    svg.appendChild(labels);

    var legend = figure.querySelector(".map-countries");
    if (legend) {
      legend.textContent = "";
      Object.keys(byCountry).sort(function (a, b) { return byCountry[b] - byCountry[a]; }).forEach(function (name) {
        var item = document.createElement("li");
        item.textContent = name + " · " + byCountry[name];
        legend.appendChild(item);
      });
    }
    figure.currentView = view;
    figure.classList.add("drawn");
  }

  function controls(figure, data, world) {
    var bar = figure.querySelector(".map-zoom");
    if (!bar) return;
    bar.hidden = false;
    bar.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button) return;
      var step = button.getAttribute("data-zoom");
      if (data.serverClusters) {
        searchWith(step === "reset" ? null : scaled(figure.currentView, step === "in" ? 0.5 : 2));
      } else {
        draw(figure, data, world, step === "reset" ? data.view : scaled(figure.currentView, step === "in" ? 0.5 : 2));
      }
    });
  }

  function start() {
    var blocks = document.querySelectorAll("script.map-data");
    if (!blocks.length || typeof d3 === "undefined") return;
    (outlines = outlines || fetch("/static/vendor/countries-110m.json").then(function (r) { return r.json(); }))
      .then(function (world) {
        blocks.forEach(function (block) {
          var figure = document.getElementById(block.getAttribute("data-for"));
          if (!figure) return;
          var data = JSON.parse(block.textContent);
          data.serverClusters = figure.getAttribute("data-role") === "search";
          draw(figure, data, world, data.view);
          controls(figure, data, world);
        });
      });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
