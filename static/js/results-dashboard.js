// The results dashboard's charts (templates/results/dashboard.html): for each core indicator,
// its target and actual by year, drawn with Apache ECharts from the figures the page embeds
// (json_script #results-dashboard-data, built by results/dashboard.py). The data table under
// each chart has the same figures and the page works without this file.
(function () {
  "use strict";

  var source = document.getElementById("results-dashboard-data");
  if (!source || !window.echarts) {
    return;
  }
  var data = JSON.parse(source.textContent);
  var lang = document.documentElement.lang || "en";
  var number = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
  var compact = new Intl.NumberFormat(lang, { notation: "compact", maximumFractionDigits: 1 });
  var COLOURS = { target: "#b8c2ce", actual: "#0a5c73" };
  var FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
  var drawn = [];

  function createNode(tag, className, text) {
    var node = document.createElement(tag);
    node.className = className;
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  // The tooltip as nodes, not an HTML string: the portal's CSP blocks the style="" attributes
  // of ECharts' default tooltips; a marker's colour goes through element.style (the CSSOM).
  function tooltip(items) {
    var nodes = [createNode("div", "chart-tip__title", items[0].axisValue)];
    items.forEach(function (item) {
      var line = createNode("div", "chart-tip__row");
      var marker = createNode("span", "chart-tip__marker");
      marker.style.backgroundColor = item.color;
      line.appendChild(marker);
      line.appendChild(createNode("span", "chart-tip__label", item.seriesName));
      line.appendChild(
        createNode(
          "span",
          "chart-tip__value",
          item.value === null || item.value === undefined ? "–" : number.format(item.value)
        )
      );
      nodes.push(line);
    });
    return nodes;
  }

  function option(spec) {
    return {
      animation: false,
      aria: { enabled: true },
      textStyle: { fontFamily: FONT, color: "#1b2430" },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        confine: true,
        className: "chart-tip",
        formatter: tooltip,
      },
      xAxis: { type: "category", data: spec.categories },
      yAxis: {
        type: "value",
        name: spec.unit,
        axisLabel: {
          formatter: function (v) {
            return compact.format(v);
          },
        },
        splitLine: { lineStyle: { color: "#e5e9ef" } },
      },
      series: spec.series.map(function (series) {
        return {
          type: "bar",
          name: series.name,
          data: series.values,
          barMaxWidth: 28,
          itemStyle: { color: COLOURS[series.key] },
        };
      }),
    };
  }

  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var spec = data[element.getAttribute("data-chart")];
    if (!spec) {
      return;
    }
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    drawn.push(chart);
    var drawnOption = option(spec);
    chart.setOption(window.sscChartDirection ? window.sscChartDirection(drawnOption) : drawnOption);
    element.setAttribute("data-rendered", "true");
  });

  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(function () {
      drawn.forEach(function (chart) {
        chart.resize();
      });
    }, 150);
  });
})();
