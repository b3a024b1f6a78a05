// Draws a peer group's relationships as a network graph. The same data is in the accessible
// table beside it, so the page is complete without JavaScript; this only adds the picture.
import cytoscape from "/static/cytoscape/cytoscape.esm.min.mjs";

const EDGE_STYLES = {
  exploits: { "line-color": "#d4351c", "target-arrow-color": "#d4351c", "target-arrow-shape": "triangle" },
  partner: { "line-color": "#912b88" },
  family: { "line-color": "#00703c" },
};

// Cytoscape adds a <style> element for its container's one rule (position: relative) unless an
// element with this id is already there. The Content-Security-Policy refuses inline styles and
// app.scss has the rule (.app-network), so say it is there.
const CYTOSCAPE_STYLESHEET_ID = "__________cytoscape_stylesheet";
if (!document.getElementById(CYTOSCAPE_STYLESHEET_ID)) {
  const marker = document.createElement("meta");
  marker.id = CYTOSCAPE_STYLESHEET_ID;
  document.head.append(marker);
}

function draw(container) {
  const source = document.getElementById(container.dataset.networkSource);
  if (!source) return;
  const network = JSON.parse(source.textContent);
  container.hidden = false;
  const cy = cytoscape({
    container,
    elements: [...network.nodes, ...network.edges],
    layout: { name: network.nodes.length > 12 ? "circle" : "cose", animate: false, padding: 30 },
    userZoomingEnabled: false,
    style: [
      {
        selector: "node",
        style: {
          label: "data(label)",
          "background-color": "#1d70b8",
          color: "#0b0c0c",
          "font-size": 14,
          "text-valign": "bottom",
          "text-margin-y": 6,
        },
      },
      { selector: "node[!current]", style: { "background-color": "#b1b4b6" } },
      {
        selector: "edge",
        style: {
          width: 2,
          "line-color": "#505a5f",
          "curve-style": "bezier",
          label: "data(label)",
          "font-size": 11,
          "text-background-color": "#ffffff",
          "text-background-opacity": 1,
        },
      },
      { selector: "edge[reliability = 'untested'], edge[reliability = 'doubtful']", style: { "line-style": "dashed" } },
      ...Object.entries(EDGE_STYLES).map(([kind, style]) => ({ selector: `edge[kind = '${kind}']`, style })),
    ],
  });
  container.dataset.nodes = String(cy.nodes().length);
  container.dataset.edges = String(cy.edges().length);
  container.dataset.ready = "true";
}

document.querySelectorAll("[data-network-source]").forEach(draw);
