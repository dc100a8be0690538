// The dashboards' charts follow the page's direction. ECharts draws left to right whatever the
// page says; on a right-to-left page (Arabic, <html dir="rtl">) a chart is mirrored like the
// layout around it: horizontal axes run from the right, vertical axes stand on the right, the
// margins, the colour scale and the labels beside the bars change sides; a flow chart (sankey)
// runs from the right: its sources stand in the right column, its labels outside it; a map
// keeps its geography. Figures stay figures (the number formats come from Intl with the page's
// language). Loaded before dashboard.js and results-dashboard.js.
(function () {
  "use strict";

  var SIDE = { left: "right", right: "left", insideLeft: "insideRight", insideRight: "insideLeft" };

  function swapSides(box) {
    if (!box) {
      return box;
    }
    var mirrored = Object.assign({}, box);
    mirrored.left = box.right;
    mirrored.right = box.left;
    if (mirrored.left === undefined) {
      delete mirrored.left;
    }
    if (mirrored.right === undefined) {
      delete mirrored.right;
    }
    return mirrored;
  }

  function flipLabel(label) {
    if (label && SIDE[label.position]) {
      label.position = SIDE[label.position];
    }
  }

  // ECharts lays a sankey's sources out in its left column whatever the direction: each link is
  // turned round so that the sources stand on the right and the flows run leftwards. A link
  // keeps what it was drawn from in `from` (its tooltip still names the source first).
  function mirrorFlows(series) {
    (series.links || []).forEach(function (link) {
      var source = link.source;
      link.from = source;
      link.source = link.target;
      link.target = source;
    });
  }

  window.sscChartDirection = function (option) {
    if (document.documentElement.dir !== "rtl") {
      return option;
    }
    option.grid = swapSides(option.grid);
    option.legend = swapSides(option.legend);
    option.visualMap = swapSides(option.visualMap);
    [].concat(option.xAxis || []).forEach(function (axis) {
      axis.inverse = !axis.inverse;
    });
    [].concat(option.yAxis || []).forEach(function (axis) {
      axis.position = "right";
    });
    // A map keeps its geography.
    [].concat(option.series || []).forEach(function (series) {
      if (series.type === "sankey") {
        mirrorFlows(series);
      }
      if (series.type !== "bar" && series.type !== "sankey") {
        return;
      }
      flipLabel(series.label);
      (series.data || []).forEach(function (item) {
        flipLabel(item && item.label);
      });
    });
    return option;
  };
})();
