// The page's only script: draws the inlined chart specs with uPlot and a
// small plugin that marks every chaos or control event on each chart. Plain
// browser JavaScript in a string; it reads the data block, never the network.

/**
 * The event-marker plugin: `markersPlugin(markers)` for uPlot, reading
 * `markers` ({t, label, kind}) at each draw. Shared with the live page
 * (lab/live), which adds markers as events fire and redraws.
 */
export const MARKERS_PLUGIN = String.raw`
  var MARKER_COLORS = { fault: '#c0392b', control: '#2c6fbb', skipped: '#888888' };

  // Draws each event as a vertical line with its label, over the plot area,
  // and records how many it drew (the browser test checks it).
  function markersPlugin(markers) {
    return {
      hooks: {
        draw: [
          function (u) {
            var ctx = u.ctx;
            var box = u.bbox;
            var ratio = window.devicePixelRatio || 1;
            var drawn = 0;
            ctx.save();
            ctx.font = 11 * ratio + 'px system-ui, sans-serif';
            ctx.textBaseline = 'top';
            ctx.textAlign = 'left';
            markers.forEach(function (marker, index) {
              var x = Math.round(u.valToPos(marker.t, 'x', true));
              if (x < box.left || x > box.left + box.width) return;
              var colour = MARKER_COLORS[marker.kind] || '#000000';
              ctx.strokeStyle = colour;
              ctx.lineWidth = 1.5 * ratio;
              ctx.setLineDash(marker.kind === 'fault' ? [] : [4 * ratio, 3 * ratio]);
              ctx.beginPath();
              ctx.moveTo(x, box.top);
              ctx.lineTo(x, box.top + box.height);
              ctx.stroke();
              ctx.setLineDash([]);
              var width = ctx.measureText(marker.label).width;
              var left = x + 4 * ratio + width > box.left + box.width ? x - 4 * ratio - width : x + 4 * ratio;
              var top = box.top + (2 + (index % 3) * 14) * ratio;
              ctx.fillStyle = 'rgba(255, 255, 255, 0.85)';
              ctx.fillRect(left - 2 * ratio, top - ratio, width + 4 * ratio, 14 * ratio);
              ctx.fillStyle = colour;
              ctx.fillText(marker.label, left, top);
              drawn += 1;
            });
            ctx.restore();
            u.root.setAttribute('data-markers-drawn', String(drawn));
          },
        ],
      },
    };
  }
`;

export const CHARTS_SCRIPT = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var HEIGHT = 220;
  var charts = [];
${MARKERS_PLUGIN}
  function draw(spec) {
    var container = document.getElementById(spec.id);
    if (!container) return;
    // A chart against a rate (xLabel set) joins measured points; a time chart draws steps.
    var xy = typeof spec.xLabel === 'string';
    var options = {
      title: spec.title,
      width: container.clientWidth || 480,
      height: HEIGHT,
      scales: { x: { time: false, range: [0, spec.xMax] } },
      axes: [{ label: xy ? spec.xLabel : 'seconds since the load started' }, { label: spec.unit, size: 60 }],
      series: [{ label: xy ? 'x' : 's' }].concat(
        spec.series.map(function (series) {
          if (xy) {
            return {
              label: series.label,
              stroke: series.color,
              width: 1.5,
              dash: series.dash,
              spanGaps: true,
              points: { show: true, size: 6 },
            };
          }
          // Each point holds its whole second: a step from its start to the next.
          return {
            label: series.label,
            stroke: series.color,
            width: 1.5,
            points: { show: false },
            paths: uPlot.paths.stepped({ align: 1 }),
          };
        }),
      ),
      plugins: [markersPlugin(spec.markers)],
    };
    var columns = [spec.x].concat(spec.series.map(function (series) { return series.values; }));
    charts.push({ plot: new uPlot(options, columns, container), container: container });
  }

  data.charts.forEach(draw);

  var pending = 0;
  window.addEventListener('resize', function () {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(function () {
      charts.forEach(function (chart) {
        chart.plot.setSize({ width: chart.container.clientWidth, height: HEIGHT });
      });
    });
  });
})();
`;
