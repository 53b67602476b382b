// The sentiflow report's own check that its charts drew: for every element with data-chart it counts
// the marks (class "mark": bars, lines, points, matrix cells) the browser laid out with real geometry
// inside the chart, and writes data-marks (that count) and data-drawn ("true" when every mark the
// report drew, data-expected of them, is there). The body gets data-charts and data-charts-drawn.
// Nothing is fetched or drawn here; without JavaScript the page shows the same charts.
(function () {
  "use strict";

  function finiteBox(box) {
    return isFinite(box.x) && isFinite(box.y) && isFinite(box.width) && isFinite(box.height);
  }

  function insideView(mark, box) {
    var svg = mark.ownerSVGElement;
    var view = svg && svg.viewBox && svg.viewBox.baseVal;
    if (!view || !(view.width > 0)) {
      return true;
    }
    return box.x <= view.x + view.width && box.x + box.width >= view.x
        && box.y <= view.y + view.height && box.y + box.height >= view.y;
  }

  function visible(element) {
    var style = window.getComputedStyle(element);
    return style.display !== "none" && style.visibility !== "hidden";
  }

  function svgMarkDrawn(mark) {
    var box;
    try {
      box = mark.getBBox();
    } catch (e) {
      return false;
    }
    if (!finiteBox(box) || !insideView(mark, box) || !visible(mark)) {
      return false;
    }
    var tag = mark.tagName.toLowerCase();
    if (tag === "polyline" || tag === "polygon") {
      var n = mark.points.numberOfItems;
      mark.setAttribute("data-parsed-points", String(n));
      return n === 1 || (n > 1 && mark.getTotalLength() > 0);
    }
    if (tag === "path" || tag === "line") {
      return mark.getTotalLength() > 0;
    }
    return box.width > 0 && box.height > 0;
  }

  function cellDrawn(cell) {
    var r = cell.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && visible(cell);
  }

  var charts = document.querySelectorAll("[data-chart]");
  var good = 0;
  for (var i = 0; i < charts.length; i++) {
    var chart = charts[i];
    var marks = chart.querySelectorAll(".mark");
    var drawn = 0;
    for (var j = 0; j < marks.length; j++) {
      var mark = marks[j];
      if (mark instanceof SVGGraphicsElement ? svgMarkDrawn(mark) : cellDrawn(mark)) {
        drawn++;
      }
    }
    var expected = parseInt(chart.getAttribute("data-expected"), 10);
    var ok = drawn > 0 && drawn === expected;
    chart.setAttribute("data-marks", String(drawn));
    chart.setAttribute("data-drawn", ok ? "true" : "false");
    if (ok) {
      good++;
    }
  }
  document.body.setAttribute("data-charts", String(charts.length));
  document.body.setAttribute("data-charts-drawn", String(good));
})();
