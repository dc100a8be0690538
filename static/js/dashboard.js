// The dashboard's charts, drawn with Apache ECharts from the figures the page embeds
// (json_script #dashboard-data, built by finance/dashboard.py). Every chart's data table sits
// beside it on the page with the same figures: that table is the accessible version, and the
// page still works without this file. Labels come translated from the server.
(function () {
  "use strict";

  var source = document.getElementById("dashboard-data");
  if (!source || !window.echarts) {
    return;
  }
  var data = JSON.parse(source.textContent);
  var lang = document.documentElement.lang || "en";
  var rtl = document.documentElement.dir === "rtl";
  var whole = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });
  var compact = new Intl.NumberFormat(lang, { notation: "compact", maximumFractionDigits: 1 });
  var oneDecimal = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
  var twoDecimals = new Intl.NumberFormat(lang, {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });
  var FAMILY_COLOURS = { ifad: "#0a5c73", cofinancing: "#d98c1a", in_kind: "#6a8f3a" };
  var FLOW_COLOURS = { provider: "#0a5c73", receiver: "#d98c1a" };
  var STAGE_OPACITY = { planned: 0.35, allocated: 0.7, spent: 1 };
  var FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
  var drawn = [];

  function usd(value) {
    return value === null || value === undefined ? "–" : "US$ " + whole.format(value);
  }

  function createNode(tag, className, text) {
    var node = document.createElement(tag);
    node.className = className;
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  // A tooltip's content, as nodes rather than an HTML string. ECharts writes a string with
  // innerHTML, and the portal's policy (SECURE_CSP: no 'unsafe-inline' in style-src) blocks
  // every style="" attribute in it, the markers of its default tooltips included; nodes are
  // appended as they are. A marker's colour goes through element.style, the CSSOM, which the
  // policy does not govern; the rest is in app.css (.chart-tip). Each row is {label, value,
  // color, opacity}; a row without a colour has no marker.
  function tip(title, rows) {
    var nodes = [];
    if (title) {
      nodes.push(createNode("div", "chart-tip__title", title));
    }
    rows.forEach(function (row) {
      var line = createNode("div", "chart-tip__row");
      if (row.color) {
        var marker = createNode("span", "chart-tip__marker");
        marker.style.backgroundColor = row.color;
        if (row.opacity !== undefined) {
          marker.style.opacity = String(row.opacity);
        }
        line.appendChild(marker);
      }
      line.appendChild(createNode("span", "chart-tip__label", row.label));
      line.appendChild(createNode("span", "chart-tip__value", row.value));
      nodes.push(line);
    });
    return nodes;
  }

  // An axis tooltip (every series at one category): the category, then a row per series.
  function axisTip(format) {
    return function (items) {
      return tip(
        items[0].axisValue,
        items.map(function (item) {
          return { label: item.seriesName, value: format(item.value), color: item.color };
        })
      );
    };
  }

  function base(extra) {
    var option = {
      animation: false,
      aria: { enabled: true },
      textStyle: { fontFamily: FONT, color: "#1b2430" },
      tooltip: { confine: true, className: "chart-tip" },
    };
    Object.keys(extra).forEach(function (key) {
      option[key] = key === "tooltip" ? Object.assign({}, option.tooltip, extra[key]) : extra[key];
    });
    return window.sscChartDirection ? window.sscChartDirection(option) : option;
  }

  function valueAxis() {
    return {
      type: "value",
      axisLabel: {
        // On a phone the figures ("1.5 مليون" in Arabic) are wider than the ticks' spacing.
        hideOverlap: true,
        formatter: function (v) {
          return compact.format(v);
        },
      },
      splitLine: { lineStyle: { color: "#e5e9ef" } },
    };
  }

  // Planned, allocated and spent side by side for each year, each bar stacking the families.
  function years(spec) {
    var series = [];
    var stageOf = [];
    spec.stages.forEach(function (stage) {
      spec.series[stage.key].forEach(function (family) {
        stageOf.push(stage);
        series.push({
          type: "bar",
          name: family.name,
          stack: stage.key,
          data: family.values,
          barMaxWidth: 28,
          itemStyle: { color: FAMILY_COLOURS[family.family], opacity: STAGE_OPACITY[stage.key] },
        });
      });
    });
    return base({
      legend: { top: 0, itemStyle: { opacity: 1 } },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: spec.categories },
      yAxis: valueAxis(),
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        formatter: function (items) {
          var rows = [];
          items.forEach(function (item) {
            var stage = stageOf[item.seriesIndex];
            if (item.value) {
              rows.push({
                label: stage.name + " · " + item.seriesName,
                value: usd(item.value),
                color: item.color,
                opacity: STAGE_OPACITY[stage.key],
              });
            }
          });
          return tip(items[0].axisValue, rows);
        },
      },
      series: series,
    });
  }

  // Horizontal bars, one per group, stacking IFAD, cofinancing and in-kind.
  function stacked(spec, element) {
    element.style.height = Math.max(240, spec.categories.length * 30 + 80) + "px";
    return base({
      legend: { top: 0 },
      grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
      yAxis: {
        type: "category",
        inverse: true,
        data: spec.categories,
        axisLabel: { width: 170, overflow: "truncate" },
      },
      xAxis: valueAxis(),
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, formatter: axisTip(usd) },
      series: spec.series.map(function (family) {
        return {
          type: "bar",
          name: family.name,
          stack: "money",
          data: family.values,
          barMaxWidth: 22,
          itemStyle: { color: FAMILY_COLOURS[family.family] },
        };
      }),
    });
  }

  function pie(spec) {
    return base({
      legend: { bottom: 0 },
      tooltip: {
        trigger: "item",
        formatter: function (item) {
          return tip("", [
            {
              label: item.name,
              value: usd(item.value) + " (" + oneDecimal.format(item.percent) + " %)",
              color: item.color,
            },
          ]);
        },
      },
      color: ["#0a5c73", "#d98c1a", "#6a8f3a", "#8a96a6"],
      series: [
        {
          type: "pie",
          radius: ["40%", "68%"],
          center: ["50%", "45%"],
          data: spec.items,
          // Names are in the legend below; the slices carry their share only.
          label: {
            formatter: function (item) {
              return oneDecimal.format(item.percent) + " %";
            },
          },
        },
      ],
    });
  }

  function leverage(spec, element) {
    element.style.height = Math.max(240, spec.categories.length * 30 + 80) + "px";
    var overall = spec.overall;
    return base({
      grid: { left: 8, right: 48, top: 16, bottom: 8, containLabel: true },
      yAxis: {
        type: "category",
        inverse: true,
        data: spec.categories,
        axisLabel: { width: 170, overflow: "truncate" },
      },
      xAxis: {
        type: "value",
        splitNumber: 3,
        axisLabel: {
          hideOverlap: true,
          formatter: function (v) {
            return twoDecimals.format(v) + "x";
          },
        },
        splitLine: { lineStyle: { color: "#e5e9ef" } },
      },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        formatter: axisTip(function (v) {
          return v === null || v === undefined ? "–" : twoDecimals.format(v) + "x";
        }),
      },
      series: [
        {
          type: "bar",
          name: "",
          data: spec.values,
          barMaxWidth: 22,
          itemStyle: { color: FAMILY_COLOURS.cofinancing },
          label: {
            show: true,
            position: "right",
            formatter: function (item) {
              return item.value === null ? "" : twoDecimals.format(item.value) + "x";
            },
          },
          // The whole selection's leverage, written out in the chart's description.
          markLine:
            overall === null
              ? undefined
              : {
                  symbol: "none",
                  silent: true,
                  lineStyle: { color: "#0a5c73", type: "dashed" },
                  label: { show: false },
                  data: [{ xAxis: overall }],
                },
        },
      ],
    });
  }

  function flows(spec, element) {
    // Each column's names sit outside it, in a margin a phone cannot give 150 pixels to.
    var side = Math.min(150, Math.round(element.clientWidth * 0.26));
    var nodes = {};
    spec.links.forEach(function (link) {
      nodes["p:" + link.source] = true;
      nodes["r:" + link.target] = true;
    });
    function nameOf(node) {
      return spec.names[node.slice(2)] || node.slice(2);
    }
    return base({
      tooltip: {
        trigger: "item",
        formatter: function (item) {
          if (item.dataType === "edge") {
            // A right-to-left page turns each link round (chart-direction.js, `from`).
            var from = item.data.from || item.data.source;
            var to = from === item.data.source ? item.data.target : item.data.source;
            return tip(nameOf(from) + (rtl ? " ← " : " → ") + nameOf(to), [
              { label: spec.valueName, value: whole.format(item.data.value) },
            ]);
          }
          var provider = item.name.charAt(0) === "p";
          return tip("", [
            {
              label: nameOf(item.name),
              value: provider ? spec.providerName : spec.receiverName,
              color: provider ? FLOW_COLOURS.provider : FLOW_COLOURS.receiver,
            },
          ]);
        },
      },
      series: [
        {
          type: "sankey",
          left: side,
          right: side,
          top: 8,
          bottom: 8,
          nodeGap: 6,
          emphasis: { focus: "adjacency" },
          data: Object.keys(nodes).map(function (name) {
            var provider = name.charAt(0) === "p";
            return {
              name: name,
              itemStyle: { color: provider ? FLOW_COLOURS.provider : FLOW_COLOURS.receiver },
              label: { position: provider ? "left" : "right" },
            };
          }),
          links: spec.links.map(function (link) {
            return { source: "p:" + link.source, target: "r:" + link.target, value: link.value };
          }),
          // A long name (Lao People's Democratic Republic) ends in an ellipsis within the
          // chart's margin instead of running out of the chart.
          label: {
            width: side - 10,
            overflow: "truncate",
            formatter: function (item) {
              return nameOf(item.name);
            },
          },
          lineStyle: { color: "gradient", opacity: 0.35, curveness: 0.5 },
        },
      ],
    });
  }

  // The atlas is drawn flat: a ring crossing the 180th meridian (eastern Russia, Fiji) would
  // be drawn as a line across the world, so its western points move past 180 degrees east.
  // Antarctica, which wraps the whole globe and has no SSC activity, is left out.
  var ANTARCTICA = "010";

  function unwrapAntimeridian(geometry) {
    if (!geometry) {
      return;
    }
    var polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    polygons.forEach(function (polygon) {
      polygon.forEach(function (ring) {
        var crosses = ring.some(function (point, index) {
          return index > 0 && Math.abs(point[0] - ring[index - 1][0]) > 180;
        });
        if (crosses) {
          ring.forEach(function (point) {
            if (point[0] < 0) {
              point[0] += 360;
            }
          });
        }
      });
    });
  }

  // The world map loads its shapes (world-atlas, served by the portal) before it can draw.
  function map(spec, element, chart) {
    fetch(spec.mapUrl, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("world map: HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (topology) {
        var world = window.topojson.feature(topology, topology.objects.countries);
        world.features = world.features.filter(function (feature) {
          return feature.id !== ANTARCTICA;
        });
        var names = {};
        world.features.forEach(function (feature) {
          unwrapAntimeridian(feature.geometry);
          feature.properties.iso = feature.id || "";
          names[feature.properties.iso] = feature.properties.name;
        });
        window.echarts.registerMap("world", world);
        var max = spec.items.reduce(function (top, item) {
          return Math.max(top, item.value || 0);
        }, 0);
        chart.setOption(
          base({
            tooltip: {
              trigger: "item",
              formatter: function (item) {
                if (item.data) {
                  return tip("", [
                    { label: item.data.label, value: usd(item.data.value), color: item.color },
                  ]);
                }
                return tip(names[item.name] || "", []);
              },
            },
            visualMap: {
              min: 0,
              max: max || 1,
              left: 8,
              bottom: 8,
              calculable: false,
              text: [compact.format(max), "0"],
              inRange: { color: ["#e3f1f5", "#3f8ba3", "#0a3d4d"] },
              formatter: function (v) {
                return compact.format(v);
              },
            },
            series: [
              {
                type: "map",
                map: "world",
                nameProperty: "iso",
                roam: true,
                name: spec.valueName,
                itemStyle: { areaColor: "#f5f7fa", borderColor: "#b8c2ce", borderWidth: 0.5 },
                emphasis: { label: { show: false }, itemStyle: { areaColor: "#f2b705" } },
                select: { disabled: true },
                data: spec.items,
              },
            ],
          })
        );
        element.setAttribute("data-rendered", "true");
      })
      .catch(function (error) {
        element.setAttribute("data-error", String(error));
        throw error;
      });
  }

  var BUILDERS = {
    years: years,
    stacked: stacked,
    pie: pie,
    leverage: leverage,
    flows: flows,
  };

  // Where a click on an element goes: the activity list filtered to it. The same addresses are
  // the links of the data table under each chart, for the keyboard and without JavaScript.
  function elementUrl(spec, item) {
    if (spec.kind === "flows") {
      var edge = item.dataType === "edge" ? spec.links[item.dataIndex] : null;
      return edge ? edge.url : "";
    }
    if (spec.kind === "pie" || spec.kind === "map") {
      var found = spec.items.filter(function (entry) {
        return entry.name === item.name;
      })[0];
      return found ? found.url : "";
    }
    return spec.urls ? spec.urls[item.dataIndex] || "" : "";
  }

  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var spec = data[element.getAttribute("data-chart")];
    if (!spec) {
      return;
    }
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    drawn.push(chart);
    chart.on("click", function (item) {
      var url = elementUrl(spec, item);
      if (url) {
        window.location.assign(url);
      }
    });
    if (spec.kind === "map") {
      map(spec, element, chart);
      return;
    }
    chart.setOption(BUILDERS[spec.kind](spec, element));
    chart.resize();
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
