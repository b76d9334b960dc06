// The live page's script: applies each message of the server's event stream
// to the page (status line, nodes, processes, one section per strategy with
// its charts and chaos timeline) and sends the admin panel's actions. Plain
// browser JavaScript in a string, run after uPlot and `markersPlugin`
// (report/html); it talks to its own server only.

export const LIVE_SCRIPT = String.raw`
var PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#999999'];
// As the report: these bring something back; every other action is a fault.
var CONTROL = { start: 1, resume: 1, enable: 1, strategy: 1 };
var HEIGHT = 200;
var token = document.querySelector('meta[name="live-token"]').getAttribute('content');
var hello = null;
var views = {};
var order = [];
var current = null;

function $(id) { return document.getElementById(id); }
function make(tag, className, text) {
  var node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}
function num(value, digits) {
  if (value === null || value === undefined) return '-';
  return digits === undefined ? String(value) : Number(value).toFixed(digits);
}
function color(index) { return PALETTE[index % PALETTE.length]; }
function markerKind(action, status) {
  if (status === 'failed' || status === 'skipped') return 'skipped';
  return CONTROL[action] ? 'control' : 'fault';
}

// A chart whose series can grow (a new error kind, a node seen for the first
// time): it is drawn again with the new list, otherwise its data is replaced.
// A chart takes its place in the page with its first data (a topology of lab
// up has no latency to show).
function LiveChart(container, title, unit, view) {
  this.container = container;
  this.box = make('div', 'chart');
  this.box.setAttribute('data-chart', title);
  this.title = title;
  this.unit = unit;
  this.view = view;
  this.labels = [];
  this.plot = null;
}
LiveChart.prototype.update = function (x, columns) {
  var labels = Object.keys(columns);
  if (x.length === 0) return;
  // The closing edge repeats each last value, so the last second is a whole step (as in the report).
  var xs = x.concat([x[x.length - 1] + 1]);
  var data = [xs].concat(labels.map(function (label) {
    var values = columns[label];
    return values.concat([values[values.length - 1]]);
  }));
  if (this.plot && labels.join('\n') === this.labels.join('\n')) {
    this.plot.setData(data);
    return;
  }
  if (this.plot) this.plot.destroy();
  else this.container.appendChild(this.box);
  this.labels = labels;
  var self = this;
  var options = {
    title: this.title,
    width: this.box.clientWidth || 460,
    height: HEIGHT,
    scales: { x: { time: false, range: function (u, min, max) { return self.range(max); } } },
    axes: [{ label: hello && hello.mode === 'up' ? 'seconds since the page opened' : 'seconds since the load started' }, { label: this.unit, size: 60 }],
    series: [{ label: 's' }].concat(labels.map(function (label, index) {
      return { label: label, stroke: color(index), width: 1.5, points: { show: false }, paths: uPlot.paths.stepped({ align: 1 }) };
    })),
    plugins: [markersPlugin(this.view.markers)],
  };
  this.plot = new uPlot(options, data, this.box);
};
LiveChart.prototype.range = function (last) {
  if (hello && hello.mode === 'up') return [Math.max(0, last - 120), Math.max(10, last)];
  return [0, Math.max(this.view.lengthS || 1, last)];
};
LiveChart.prototype.redraw = function () { if (this.plot) this.plot.redraw(); };

function strategyView(name, index) {
  if (views[name]) return views[name];
  var section = make('section', 'strategy running');
  section.setAttribute('data-strategy', name);
  section.appendChild(make('h3', '', name));
  var facts = make('p', 'muted');
  var fields = {};
  var up = hello && hello.mode === 'up';
  var shown = up
    ? [['requests', 'requests'], ['errors', 'errors, as the balancer counts them since the page opened']]
    : [['requests', 'requests'], ['errors', 'errors'], ['sessionsLost', 'sessions lost'], ['staleReads', 'stale reads'], ['lostUpdates', 'lost updates']];
  shown.forEach(function (pair, i) {
    if (i > 0) facts.appendChild(document.createTextNode(' · '));
    var value = make('span', '', '0');
    value.setAttribute('data-field', pair[0]);
    fields[pair[0]] = value;
    facts.appendChild(value);
    facts.appendChild(document.createTextNode(' ' + pair[1]));
  });
  section.appendChild(facts);
  var outcome = make('p', 'muted', up
    ? 'No load generator runs here: latency and session figures come from lab run. Actions from this page and from the lab command appear in the timeline.'
    : 'Counted from each second the load generator reports; the summary figures follow when the strategy ends.');
  outcome.setAttribute('data-field', 'outcome');
  section.appendChild(outcome);
  var charts = make('div', 'charts');
  section.appendChild(charts);
  section.appendChild(make('h4', '', up ? 'Actions' : 'Chaos timeline'));
  var steps = make('div', 'scroll');
  section.appendChild(steps);
  $('strategy-list').appendChild(section);
  var view = {
    name: name, index: index, section: section, fields: fields, outcome: outcome,
    lengthS: hello ? hello.durationS : null,
    totals: { requests: 0, errors: 0, sessionsLost: 0, staleReads: 0, lostUpdates: 0 },
    x: [], rate: [], p50: [], p95: [], p99: [], errorKinds: {}, errorTotal: [], lost: [], stale: [], lostUpd: [], served: {},
    px: [], cpu: {}, mem: {},
    markers: [], steps: {}, stepTable: null,
  };
  view.charts = {
    rate: new LiveChart(charts, 'Requests per second', 'requests/s', view),
    latency: new LiveChart(charts, 'Latency', 'ms', view),
    errors: new LiveChart(charts, 'Errors per second', 'errors/s', view),
    consistency: new LiveChart(charts, 'Sessions lost, stale reads, lost updates', 'per second', view),
    nodes: new LiveChart(charts, 'Requests per node', 'requests/s', view),
    cpu: new LiveChart(charts, 'CPU per process', 'cores', view),
    memory: new LiveChart(charts, 'Memory per process', 'MiB', view),
  };
  view.stepTable = stepTable(steps);
  if (hello) hello.chaos.forEach(function (step, i) { stepRow(view, i, step.action, step.target, step.atS); });
  views[name] = view;
  order.push(name);
  return view;
}

function stepTable(container) {
  var table = make('table');
  var head = make('tr');
  ['planned at s', 'fired at s', 'action', 'target', 'status', 'what it did', 'measured effect'].forEach(function (label) { head.appendChild(make('th', '', label)); });
  var thead = make('thead');
  thead.appendChild(head);
  table.appendChild(thead);
  var body = make('tbody');
  table.appendChild(body);
  container.appendChild(table);
  return body;
}

function stepRow(view, key, action, target, plannedS) {
  var row = make('tr', 'step-pending');
  row.setAttribute('data-step', String(key));
  row.setAttribute('data-status', 'pending');
  var cells = [plannedS === null ? '-' : num(plannedS, 1), '-', action, target, 'pending', '', ''].map(function (text) {
    var cell = make('td', '', text);
    row.appendChild(cell);
    return cell;
  });
  view.stepTable.appendChild(row);
  var step = { row: row, cells: cells, marker: null, action: action, target: target };
  view.steps[key] = step;
  return step;
}

function onChaos(message) {
  var view = strategyView(message.strategy, 0);
  var key = message.index === null ? 'hand-' + message.t + '-' + message.action + '-' + message.target : message.index;
  var step = view.steps[key] || stepRow(view, key, message.action, message.target, null);
  step.row.className = 'step-' + message.status;
  step.row.setAttribute('data-status', message.status);
  step.row.setAttribute('data-fired-at', String(Date.now()));
  step.cells[1].textContent = num(message.t, 1);
  step.cells[4].textContent = message.status;
  if (message.detail) step.cells[5].textContent = message.detail;
  var label = message.action + ' ' + message.target + (message.status === 'failed' || message.status === 'skipped' ? ' (' + message.status + ')' : '');
  if (!step.marker) {
    step.marker = { t: message.t, label: label, kind: markerKind(message.action, message.status) };
    view.markers.push(step.marker);
  } else {
    step.marker.label = label;
    step.marker.kind = markerKind(message.action, message.status);
  }
  Object.keys(view.charts).forEach(function (key) { view.charts[key].redraw(); });
}

function onEffects(message) {
  var view = strategyView(message.strategy, 0);
  var keys = Object.keys(view.steps).filter(function (key) { return /^\d+$/.test(key); });
  message.effects.forEach(function (effect) {
    // Effects come in timeline order; match each to its step by action, target and time.
    var step = keys.map(function (key) { return view.steps[key]; }).filter(function (candidate) {
      return candidate.target === effect.target && effect.action.indexOf(candidate.action) === 0 && !candidate.effect;
    })[0];
    if (!step) return;
    step.effect = effect;
    if (effect.status === 'skipped') { step.cells[6].textContent = 'not measured (skipped)'; return; }
    step.cells[6].textContent = [
      effect.errors + ' errors above the level before',
      effect.sessionsLost + ' sessions lost',
      effect.staleReads + ' stale reads',
      effect.lostUpdates + ' lost updates',
      'ejected after ' + (effect.ejectedAfterS === null ? '-' : effect.ejectedAfterS + ' s'),
      'errors back to normal after ' + (effect.recoveredAfterS === null ? '-' : effect.recoveredAfterS + ' s'),
    ].join(', ');
  });
}

function add(record, key, value) { record[key] = (record[key] || 0) + value; }

// Keeps one value per second for every label seen so far (a label first seen late gets zeros before).
function pushColumns(columns, length, values) {
  Object.keys(values).forEach(function (label) {
    if (!columns[label]) { columns[label] = []; while (columns[label].length < length - 1) columns[label].push(0); }
  });
  Object.keys(columns).forEach(function (label) { columns[label].push(values[label] === undefined ? 0 : values[label]); });
}

function onSecond(message) {
  var view = strategyView(message.strategy, 0);
  var point = message.point;
  showStatus(message.strategy, message.phase, point.t + 1, point.requests, point.errors);
  if (message.phase !== 'load') return;
  view.x.push(point.t);
  view.rate.push(point.requests);
  view.p50.push(point.p50Ms); view.p95.push(point.p95Ms); view.p99.push(point.p99Ms);
  pushColumns(view.errorKinds, view.x.length, point.errorsByKind);
  view.errorTotal.push(point.errors);
  view.lost.push(point.sessionsLost); view.stale.push(point.staleReads); view.lostUpd.push(point.lostUpdates);
  pushColumns(view.served, view.x.length, point.servedBy);
  add(view.totals, 'requests', point.requests);
  add(view.totals, 'errors', point.errors);
  add(view.totals, 'sessionsLost', point.sessionsLost);
  add(view.totals, 'staleReads', point.staleReads);
  add(view.totals, 'lostUpdates', point.lostUpdates);
  showTotals(view);
  view.charts.rate.update(view.x, { requests: view.rate });
  view.charts.latency.update(view.x, { p50: view.p50, p95: view.p95, p99: view.p99 });
  // One line per error kind (503, ECONNRESET, ...), or a flat total while there is none.
  view.charts.errors.update(view.x, Object.keys(view.errorKinds).length > 0 ? view.errorKinds : { errors: view.errorTotal });
  view.charts.consistency.update(view.x, { 'sessions lost': view.lost, 'stale reads': view.stale, 'lost updates': view.lostUpd });
  view.charts.nodes.update(view.x, view.served);
}

function onTraffic(message) {
  var view = strategyView(message.strategy, 0);
  showStatus(message.strategy, 'watching', message.t + 1, message.requests, message.errors);
  view.x.push(message.t);
  view.rate.push(message.requests);
  pushColumns(view.errorKinds, view.x.length, { 'errors (balancer)': message.errors });
  pushColumns(view.served, view.x.length, message.servedBy);
  add(view.totals, 'requests', message.requests);
  add(view.totals, 'errors', message.errors);
  showTotals(view);
  view.charts.rate.update(view.x, { 'requests (balancer)': view.rate });
  view.charts.errors.update(view.x, view.errorKinds);
  view.charts.nodes.update(view.x, view.served);
}

function showTotals(view) {
  Object.keys(view.fields).forEach(function (key) { view.fields[key].textContent = String(view.totals[key] || 0); });
}

function onProcesses(message) {
  var view = strategyView(message.strategy, 0);
  view.px.push(message.t);
  var cores = {};
  var memory = {};
  message.samples.forEach(function (sample) {
    var label = sample.name + ' (' + sample.kind + ')';
    cores[label] = sample.cores;
    memory[label] = sample.rssMiB;
  });
  pushColumns(view.cpu, view.px.length, cores);
  pushColumns(view.mem, view.px.length, memory);
  view.charts.cpu.update(view.px, view.cpu);
  view.charts.memory.update(view.px, view.mem);
  if (message.strategy !== current) return;
  var rows = message.samples.map(function (sample) {
    return [sample.name, sample.kind, num(sample.cores, 3), num(sample.rssMiB, 1)];
  });
  $('process-table').replaceChildren(simpleTable(['process', 'kind', 'cores (last second)', 'memory MiB'], rows, [false, false, true, true]));
}

function simpleTable(labels, rows, numeric) {
  var table = make('table');
  var head = make('tr');
  labels.forEach(function (label, i) { head.appendChild(make('th', numeric[i] ? 'num' : '', label)); });
  var thead = make('thead');
  thead.appendChild(head);
  table.appendChild(thead);
  var body = make('tbody');
  rows.forEach(function (cells) {
    var row = make('tr');
    cells.forEach(function (cell, i) {
      if (cell instanceof Node) { var td = make('td'); td.appendChild(cell); row.appendChild(td); }
      else row.appendChild(make('td', numeric[i] ? 'num' : '', cell));
    });
    body.appendChild(row);
  });
  table.appendChild(body);
  return table;
}

function onNodes(message) {
  if (message.strategy !== current) return;
  var admin = hello && hello.admin;
  var labels = ['node', 'health', 'weight', 'slow start left', 'active', 'requests', 'errors'];
  if (admin) labels.push('admin');
  var rows = message.nodes.map(function (node) {
    var badge = make('span', 'health ' + node.state, node.state);
    badge.setAttribute('data-node', node.id);
    badge.setAttribute('data-health', node.state);
    var cells = [node.id, badge, num(node.weight), node.slowStartRemainingMs ? num(node.slowStartRemainingMs / 1000, 1) + ' s' : '-', num(node.active), num(node.requests), num(node.errors)];
    if (admin) cells.push(adminButtons(node.id, admin.actions));
    return cells;
  });
  $('node-table').replaceChildren(simpleTable(labels, rows, [false, false, true, true, true, true, true, false]));
}

function adminButtons(id, actions) {
  var box = make('span');
  actions.forEach(function (action) {
    var button = make('button', '', action);
    button.type = 'button';
    button.setAttribute('data-action', action);
    button.setAttribute('data-target', id);
    button.addEventListener('click', function () { act({ action: action, target: id }); });
    box.appendChild(button);
  });
  return box;
}

var busy = false;
function act(request) {
  if (busy) return;
  busy = true;
  var result = $('admin-result');
  result.setAttribute('data-state', 'running');
  result.textContent = (request.action === 'strategy' ? 'switching to ' + request.strategy : request.action + ' ' + request.target) + '...';
  document.querySelectorAll('#nodes button').forEach(function (button) { button.disabled = true; });
  fetch('/actions', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-live-token': token },
    body: JSON.stringify(request),
  }).then(function (response) {
    return response.json().then(function (body) {
      if (!response.ok) throw new Error((body.error && body.error.message) || ('answered ' + response.status));
      result.setAttribute('data-state', 'done');
      result.textContent = body.lines.join(' ');
    });
  }).catch(function (error) {
    result.setAttribute('data-state', 'failed');
    result.textContent = 'failed: ' + error.message;
  }).then(function () {
    busy = false;
    document.querySelectorAll('#nodes button').forEach(function (button) { button.disabled = false; });
  });
}

function onHello(message) {
  hello = message;
  $('title').textContent = message.mode === 'up' ? 'session-lab live: the topology of lab up' : 'session-lab live: ' + message.title + ' run';
  document.title = 'session-lab live: ' + message.title;
  if (!message.admin) return;
  $('admin').hidden = false;
  var select = $('admin-strategy');
  message.admin.strategies.forEach(function (name) { select.appendChild(make('option', '', name)); });
  $('admin-switch').addEventListener('click', function () { act({ action: 'strategy', strategy: select.value }); });
}

var phase = { strategy: '', name: 'connecting' };
function showStatus(strategy, phaseName, elapsed, rate, errors) {
  var view = views[strategy];
  var parts = [strategy];
  if (hello && hello.mode === 'run' && view) parts[0] += ' [' + (view.index + 1) + '/' + hello.strategies.length + ']';
  parts.push(phaseName);
  if (elapsed !== null && hello && hello.mode === 'run' && (phaseName === 'load' || phaseName === 'warm-up')) {
    var length = phaseName === 'load' ? hello.durationS : hello.warmupS;
    parts.push(elapsed + ' s of ' + length + ' s, ' + Math.max(0, Math.ceil(length - elapsed)) + ' s left');
  }
  if (rate !== null) parts.push(rate + ' req/s' + (errors ? ', ' + errors + ' errors' : ''));
  var line = $('status');
  line.textContent = parts.join(' · ');
  line.setAttribute('data-phase', phaseName);
  line.setAttribute('data-current-strategy', strategy);
}

function onStrategy(message) {
  var before = current;
  current = message.strategy;
  strategyView(message.strategy, message.index);
  if (before && before !== message.strategy) {
    var notice = $('notice');
    notice.hidden = false;
    notice.textContent = 'Now ' + message.strategy + ' (' + (message.index + 1) + ' of ' + message.total + '); ' + before + ' has finished: its figures stay below.';
  }
  showStatus(message.strategy, 'starting', null, null, null);
}

function onFinished(message) {
  var view = strategyView(message.strategy, 0);
  view.section.className = 'strategy finished';
  view.section.setAttribute('data-finished', 'true');
  if (message.error) {
    view.outcome.textContent = 'Not measured: ' + message.error;
    return;
  }
  view.outcome.textContent = 'Summary (summary.json): ' + message.requests + ' requests, ' + message.errors + ' errors, p50 ' + num(message.p50Ms, 2) + ' ms, p99 ' + num(message.p99Ms, 2) + ' ms over the whole load.';
  view.outcome.setAttribute('data-summary-requests', String(message.requests));
}

var source = null;
function onMessage(message) {
  switch (message.type) {
    case 'hello': onHello(message); break;
    case 'strategy': onStrategy(message); break;
    case 'phase': showStatus(message.strategy, message.phase, null, null, null); break;
    case 'second': onSecond(message); break;
    case 'traffic': onTraffic(message); break;
    case 'processes': onProcesses(message); break;
    case 'nodes': onNodes(message); break;
    case 'chaos': onChaos(message); break;
    case 'effects': onEffects(message); break;
    case 'finished': onFinished(message); break;
    case 'topology': $('title').textContent = 'session-lab live: the lab up topology, strategy ' + message.label; break;
    case 'run-finished':
      $('status').textContent = 'The run has ended (' + message.outcome + '); its folder: ' + message.runDir;
      $('status').setAttribute('data-phase', 'ended');
      break;
    case 'closing':
      source.close();
      connection('ended', 'ended: ' + message.reason + '; this page no longer updates');
      break;
  }
}

function connection(state, text) {
  var node = $('connection');
  node.setAttribute('data-connection', state);
  node.textContent = text;
}

source = new EventSource('/events');
source.onopen = function () { connection('open', 'live: updated as the lab reports'); };
source.onerror = function () {
  if (source.readyState === EventSource.CLOSED) connection('ended', 'the lab has stopped serving this page');
  else connection('reconnecting', 'reconnecting...');
};
source.onmessage = function (event) { onMessage(JSON.parse(event.data)); };
setInterval(function () { $('clock').textContent = new Date().toISOString().slice(11, 19) + ' UTC'; }, 1000);

var pending = 0;
window.addEventListener('resize', function () {
  cancelAnimationFrame(pending);
  pending = requestAnimationFrame(function () {
    order.forEach(function (name) {
      var view = views[name];
      Object.keys(view.charts).forEach(function (key) {
        var chart = view.charts[key];
        if (chart.plot) chart.plot.setSize({ width: chart.box.clientWidth, height: HEIGHT });
      });
    });
  });
});
`;
