// Draws a network from the JSON block #network-data with Cytoscape.js (vendored): findings and the entities they
// share, styled by kind. A click on an entity opens its pivot page, on a finding its page. No network access.
(function () {
  "use strict";
  var COLORS = {
    finding: "#1f5fbf", phone: "#c0352b", whatsapp: "#25a35a", telegram: "#2a9fd6", line: "#06a04a",
    wechat: "#4a8f2a", signal: "#3a76f0", zalo: "#0068ff", viber: "#7360f2", kakaotalk: "#b39a00",
    messenger: "#0084ff", email: "#c77a0a", domain: "#6b4fa0", wallet: "#8a5a00", phash: "#d14f9b", cluster: "#667085"
  };
  var SHAPES = {finding: "round-rectangle", phone: "diamond", whatsapp: "diamond", email: "triangle", domain: "hexagon",
                wallet: "star", phash: "square", cluster: "ellipse"};

  function href(data) {
    if (data.kind === "finding") return "/findings/" + encodeURIComponent(data.posting_id);
    return "/pivot/" + encodeURIComponent(data.kind) + "?value=" + encodeURIComponent(data.value);
  }

  function start() {
    var block = document.getElementById("network-data");
    var box = document.getElementById("network-graph");
    if (!block || !box || typeof cytoscape === "undefined") return;
    var data = JSON.parse(block.textContent);
    var elements = data.nodes.map(function (n) { return {group: "nodes", data: n}; })
      .concat(data.edges.map(function (e) { return {group: "edges", data: e}; }));
    var style = [
      {selector: "node", style: {"background-color": "#98a2b3", label: "data(label)", "font-size": 9, color: "#1c2230",
        "text-valign": "bottom", "text-margin-y": 3, "text-max-width": 120, "text-wrap": "ellipsis", width: 18, height: 18}},
      {selector: "node[kind = 'finding']", style: {width: 12, height: 12, "font-size": 7, color: "#667085"}},
      {selector: "edge", style: {width: 1, "line-color": "#c4ccd6", "curve-style": "haystack"}},
      {selector: "node:selected", style: {"border-width": 3, "border-color": "#1c2230"}}
    ];
    Object.keys(COLORS).forEach(function (kind) {
      var rule = {"background-color": COLORS[kind]};
      if (SHAPES[kind]) rule.shape = SHAPES[kind];
      style.push({selector: "node[kind = '" + kind + "']", style: rule});
    });
    var cy = cytoscape({container: box, elements: elements, style: style, wheelSensitivity: 0.3,
                        layout: {name: "cose", animate: false, randomize: false, nodeRepulsion: 6000, idealEdgeLength: 60}});
    cy.on("tap", "node", function (event) { window.location.href = href(event.target.data()); });
    cy.on("mouseover", "node", function () { box.style.cursor = "pointer"; });
    cy.on("mouseout", "node", function () { box.style.cursor = ""; });
    box.cy = cy;  // for people and tests who want to look inside
    box.classList.add("drawn");
    box.setAttribute("data-nodes", String(cy.nodes().length));
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
