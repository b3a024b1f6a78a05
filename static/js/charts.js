// Draws line charts from JSON data on the page (Chart.js, served by the app). The figures are
// also in a table beside each chart, so the page is complete without JavaScript.
const COLOURS = ["#1d70b8", "#d4351c", "#00703c", "#912b88", "#f47738", "#4c2c92", "#28a197", "#5694ca", "#b58840"];

function draw(canvas, data) {
  canvas.parentElement.hidden = false;
  // eslint-disable-next-line no-undef
  new Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: data.series.map((s, i) => ({
        label: s.label,
        data: s.data,
        borderColor: COLOURS[i % COLOURS.length],
        backgroundColor: COLOURS[i % COLOURS.length],
        tension: 0.2,
      })),
    },
    options: { animation: false, responsive: true, maintainAspectRatio: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
  canvas.dataset.ready = "true";
}

const source = document.getElementById("hotspot-chart-data");
const canvas = document.getElementById("hotspot-chart");
if (source && canvas && window.Chart) draw(canvas, JSON.parse(source.textContent));
