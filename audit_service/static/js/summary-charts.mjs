// Draw each summary chart from its JSON data block with Chart.js (vendored from npm by
// scripts/build_assets.py). The table beside each chart is the primary content: without
// JavaScript, or if Chart.js fails to load, the page still has every figure.
const Chart = window.Chart;

const COLOURS = {
  bar: "#1d70b8",
  line: "#505a5f",
  mean: "#0b0c0c",
  limit: "#b1b4b6",
  high: "#1d70b8",
  low: "#d4351c",
  normal: "#505a5f",
};

function barChart(canvas, data) {
  return new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: data.datasets.map((d) => ({ ...d, backgroundColor: COLOURS.bar })),
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: { y: { beginAtZero: true, max: 100, title: { display: true, text: data.title } } },
      plugins: { legend: { display: false } },
    },
  });
}

function spcChart(canvas, data) {
  const flat = (value) => data.labels.map(() => value);
  const pointColours = data.flags.map((f) => COLOURS[f || "normal"]);
  return new Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [
        {
          label: data.title,
          data: data.values,
          borderColor: COLOURS.line,
          pointBackgroundColor: pointColours,
          pointBorderColor: pointColours,
          pointRadius: 4,
        },
        { label: "Mean", data: flat(data.mean), borderColor: COLOURS.mean, pointRadius: 0 },
        {
          label: "Upper process limit",
          data: flat(data.upper),
          borderColor: COLOURS.limit,
          borderDash: [6, 4],
          pointRadius: 0,
        },
        {
          label: "Lower process limit",
          data: flat(data.lower),
          borderColor: COLOURS.limit,
          borderDash: [6, 4],
          pointRadius: 0,
        },
      ],
    },
    options: { animation: false, responsive: true, maintainAspectRatio: false },
  });
}

function draw() {
  if (!Chart) return;
  for (const canvas of document.querySelectorAll("canvas[data-chart-source]")) {
    const source = document.getElementById(canvas.dataset.chartSource);
    if (!source) continue;
    const data = JSON.parse(source.textContent);
    if (data.type === "spc") spcChart(canvas, data);
    else barChart(canvas, data);
  }
}

// Charts redraw at the page width when printed.
window.addEventListener("beforeprint", () => {
  for (const id in Chart.instances) Chart.instances[id].resize();
});

draw();
