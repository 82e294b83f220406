"use strict";
(function () {
  var key = decodeURIComponent(window.location.pathname.replace(/^\/apps\//, ""));
  var appName = document.getElementById("app-name");
  appName.textContent = key;
  document.title = key + " - Streamwatch";
  var charts = {};
  var alertSpans = [];
  var queries = new Map();
  var sigs = {};

  function text(id, value) {
    var e = document.getElementById(id);
    var t = value === null || value === undefined || value === "" ? "-" : String(value);
    if (e && e.textContent !== t) e.textContent = t;
  }

  function secs(arr) {
    return arr.map(function (t) { return t / 1000; });
  }

  /** One uPlot per element, created once and then only fed new data. */
  function chart(el, series, data, extra) {
    el.setAttribute("data-points", String(data[0].length));
    var c = charts[el.id || el.dataset.chartKey];
    if (c) {
      c.setData(data);
      return c;
    }
    var opts = {
      width: Math.max(200, el.clientWidth || 300),
      height: 180,
      series: [{}].concat(series),
      axes: [{}, { size: 56 }].concat(extra && extra.axes ? extra.axes : []),
      scales: extra && extra.scales ? extra.scales : {},
      legend: { live: false },
      hooks: extra && extra.hooks ? extra.hooks : {}
    };
    el.textContent = "";
    c = new uPlot(opts, data, el);
    charts[el.id || el.dataset.chartKey] = c;
    return c;
  }

  function msValue(u, v) {
    return v === null || v === undefined ? "-" : sw.ms(v);
  }

  function alertBands(u) {
    var ctx = u.ctx;
    var min = u.scales.x.min, max = u.scales.x.max;
    if (min === undefined || max === undefined) return;
    ctx.save();
    alertSpans.forEach(function (a) {
      var s = Math.max(a.start / 1000, min), e = Math.min(a.end / 1000, max);
      if (e < s) return;
      var x0 = u.valToPos(s, "x", true), x1 = u.valToPos(e, "x", true);
      ctx.fillStyle = a.state === "pending" ? "rgba(178,106,0,0.12)" : "rgba(198,40,40,0.15)";
      ctx.fillRect(x0, u.bbox.top, Math.max(2, x1 - x0), u.bbox.height);
    });
    ctx.restore();
  }

  function header(d) {
    text("state", d.state);
    document.getElementById("state").className = "state s-" + String(d.state).replace(/[^a-z]/g, "");
    text("interval", d.batchIntervalMs === null ? null : sw.ms(d.batchIntervalMs));
    text("restarts", d.restarts);
    text("app-id", d.appId);
    text("spark-version", d.sparkVersion);
    text("host", d.host);
    text("first-seen", sw.dateTime(d.firstSeen));
    text("last-seen", sw.dateTime(d.lastSeen));
    text("rest", d.rest ? (d.rest.up === null || d.rest.up === undefined ? "not polled" : d.rest.up ? "up" : "down") +
      (d.rest.refused ? " (refused: " + d.rest.refused + ")" : "") : null);
    var ui = document.getElementById("ui-url");
    var sig = String(d.uiUrl);
    if (sigs.ui !== sig) {
      sigs.ui = sig;
      ui.textContent = "";
      if (d.uiUrl && /^https?:\/\//.test(d.uiUrl)) {
        ui.appendChild(sw.el("a", { href: d.uiUrl, rel: "noopener noreferrer" }, d.uiUrl));
      } else {
        ui.textContent = d.uiUrl || "-";
      }
    }
    var l = d.listener || {};
    text("listener-dropped", l.eventsDropped);
    text("listener-lost", l.eventsLost);
    text("listener-duplicates", l.duplicateEvents);
    text("listener-queued", l.queued);
    text("listener-version", l.version);
  }

  function receivers(list) {
    var sig = JSON.stringify(list);
    if (sigs.receivers === sig) return;
    sigs.receivers = sig;
    var box = document.getElementById("receivers");
    box.textContent = "";
    if (!list.length) {
      box.appendChild(sw.el("p", { class: "empty" }, "No receivers."));
      return;
    }
    var t = sw.el("table", { class: "kv" });
    list.forEach(function (r) {
      var tr = sw.el("tr", { class: "receiver", "data-stream": r.streamId });
      tr.appendChild(sw.el("td", null, r.name || "stream " + r.streamId));
      tr.appendChild(sw.el("td", null, r.active ? "active" : "inactive"));
      tr.appendChild(sw.el("td", null, r.errors ? r.errors + " errors" + (r.lastErrorMessage ? ": " + r.lastErrorMessage : "") : "no errors"));
      t.appendChild(tr);
    });
    box.appendChild(t);
  }

  function alerts(list, now) {
    alertSpans = list.map(function (a) {
      return {
        start: Date.parse(a.startsAt),
        end: a.endsAt && a.state === "resolved" ? Date.parse(a.endsAt) : now,
        state: a.state
      };
    });
    var sig = JSON.stringify(list);
    if (sigs.alerts === sig) return;
    sigs.alerts = sig;
    var firing = document.getElementById("firing");
    firing.textContent = "";
    var ul = document.getElementById("alert-history");
    ul.textContent = "";
    if (!list.length) ul.appendChild(sw.el("li", { class: "empty" }, "No alerts in the recent history."));
    list.forEach(function (a) {
      if (a.state === "firing") {
        firing.appendChild(sw.el("span", { class: "alert " + a.severity, "data-alertname": a.alertname,
          title: a.summary || "" }, a.alertname + (a.query ? " (" + a.query + ")" : "")));
      }
      var li = sw.el("li", { class: "alert-event", "data-alertname": a.alertname, "data-state": a.state,
        "data-severity": a.severity });
      if (a.query) li.setAttribute("data-query", a.query);
      li.appendChild(sw.el("span", { class: "what" }, a.alertname + " - " + a.state + " (" + a.severity + ")"));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(sw.el("span", { class: "when" }, (a.state === "pending" ? "pending since " : "from ") +
        sw.dateTime(Date.parse(a.startsAt)) + (a.endsAt ? " to " + sw.dateTime(Date.parse(a.endsAt)) : "")));
      if (a.query) li.appendChild(sw.el("div", { class: "sub" }, "query " + a.query));
      if (a.summary) li.appendChild(sw.el("div", null, a.summary));
      li.appendChild(sw.el("a", { class: "runbook", href: "/runbook#" + encodeURIComponent(a.alertname.toLowerCase()) }, "runbook"));
      ul.appendChild(li);
    });
  }

  function strip(minMs, maxMs) {
    var box = document.getElementById("alert-strip");
    box.textContent = "";
    if (!(maxMs > minMs)) return;
    alertSpans.forEach(function (a) {
      var s = Math.max(a.start, minMs), e = Math.min(a.end, maxMs);
      if (e < s) return;
      var span = sw.el("span", { class: a.state });
      span.style.left = ((s - minMs) / (maxMs - minMs) * 100).toFixed(2) + "%";
      span.style.width = ((e - s) / (maxMs - minMs) * 100).toFixed(2) + "%";
      box.appendChild(span);
    });
  }

  function batchCharts(d) {
    var h = d.history;
    var keep = [];
    for (var i = 0; i < h.time.length; i++) if (!h.failed[i]) keep.push(i);
    function col(a) { return keep.map(function (i) { return a[i]; }); }
    var xs = secs(col(h.time));
    var interval = xs.map(function () { return d.batchIntervalMs; });
    chart(document.getElementById("chart-processing"), [
      { label: "processing", stroke: "#1f5fbf", width: 1.5, value: msValue },
      { label: "interval", stroke: "#888", dash: [4, 4], value: msValue }
    ], [xs, col(h.processingMs), interval], { hooks: { drawClear: [alertBands] } });
    chart(document.getElementById("chart-delay"), [
      { label: "scheduling delay", stroke: "#b26a00", value: msValue },
      { label: "total delay", stroke: "#6a3fb5", value: msValue }
    ], [xs, col(h.schedulingDelayMs), col(h.totalDelayMs)], { hooks: { drawClear: [alertBands] } });
    chart(document.getElementById("chart-records"), [
      { label: "records", stroke: "#2e7d32" },
      { label: "input rate /s", stroke: "#1f5fbf", scale: "rate" }
    ], [xs, col(h.records), col(h.inputRate)], {
      scales: { rate: {} },
      axes: [{ scale: "rate", side: 1, size: 56, grid: { show: false } }]
    });
    var lag = d.lag;
    var lagEl = document.getElementById("chart-lag");
    if (lag && lag.time.length) {
      chart(lagEl, [
        { label: "lag records", stroke: "#c62828" },
        { label: "lag seconds", stroke: "#888", scale: "s" }
      ], [secs(lag.time), lag.records, lag.seconds], {
        scales: { s: {} },
        axes: [{ scale: "s", side: 1, size: 56, grid: { show: false } }]
      });
    } else if (!charts["chart-lag"]) {
      lagEl.setAttribute("data-points", "0");
      if (!lagEl.firstChild) lagEl.appendChild(sw.el("p", { class: "empty" }, "No Kafka lag measured for this app."));
    }
    if (xs.length) strip(xs[0] * 1000, xs[xs.length - 1] * 1000);
  }

  function query(q) {
    var s = queries.get(q.query);
    var box = document.getElementById("queries");
    if (!s) {
      s = sw.el("section", { class: "query panel", "data-query": q.query, id: "query-" + q.query });
      s.appendChild(sw.el("h2", { class: "query-name" }));
      s.appendChild(sw.el("div", { class: "facts" }));
      var dur = sw.el("div", { class: "chart", "data-points": "0" });
      dur.dataset.chartKey = "q-dur-" + q.query;
      var rates = sw.el("div", { class: "chart rates", "data-points": "0" });
      rates.dataset.chartKey = "q-rate-" + q.query;
      s.appendChild(sw.el("h3", null, "Trigger execution vs trigger interval"));
      s.appendChild(dur);
      s.appendChild(sw.el("h3", null, "Input and processed rows per second"));
      s.appendChild(rates);
      box.appendChild(s);
      queries.set(q.query, s);
    }
    s.setAttribute("data-state", q.state);
    var h2 = s.querySelector("h2.query-name");
    var title = (q.name || q.query) + " - " + q.state;
    if (h2.textContent !== title) h2.textContent = title;
    var facts = s.querySelector(".facts");
    var lag = (q.kafkaLag || []).map(function (l) { return l.topic + ": " + sw.num(l.records) + " records"; }).join(", ");
    var sig = JSON.stringify([q.query, q.trigger, q.triggerIntervalMs, q.restarts, q.failures, q.exception, lag, q.batchesCompleted]);
    if (facts.dataset.sig !== sig) {
      facts.dataset.sig = sig;
      facts.textContent = "";
      [["Query key", q.query], ["Trigger", q.trigger], ["Trigger interval", q.triggerIntervalMs === null ? null : sw.ms(q.triggerIntervalMs)],
       ["Micro-batches", q.batchesCompleted], ["Restarts", q.restarts], ["Failures", q.failures],
       ["Kafka lag", lag || null], ["Exception", q.exception]].forEach(function (kv) {
        if (kv[1] === null || kv[1] === undefined) return;
        var div = sw.el("div");
        div.appendChild(sw.el("span", { class: "label" }, kv[0]));
        div.appendChild(sw.el("span", null, kv[1]));
        facts.appendChild(div);
      });
    }
    var h = q.history;
    var xs = secs(h.time);
    chart(s.querySelector("div.chart[data-chart-key^='q-dur-']") || s.querySelectorAll("div.chart")[0], [
      { label: "trigger execution", stroke: "#1f5fbf", width: 1.5, value: msValue },
      { label: "addBatch", stroke: "#2e7d32", value: msValue },
      { label: "trigger interval", stroke: "#888", dash: [4, 4], value: msValue }
    ], [xs, h.triggerExecutionMs, h.addBatchMs, xs.map(function () { return q.triggerIntervalMs; })],
      { hooks: { drawClear: [alertBands] } });
    chart(s.querySelectorAll("div.chart")[1], [
      { label: "input rows/s", stroke: "#b26a00" },
      { label: "processed rows/s", stroke: "#6a3fb5" }
    ], [xs, h.inputRowsPerSecond, h.processedRowsPerSecond]);
  }

  function render(d) {
    header(d);
    receivers(d.receivers || []);
    alerts(d.alerts || [], d.now);
    batchCharts(d);
    (d.queries || []).forEach(query);
    if (!sigs.scrolled && window.location.hash && d.queries && d.queries.length) {
      sigs.scrolled = true;
      var target = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
      if (target) target.scrollIntoView();
    }
    sw.refreshed(d.now);
  }

  function load() {
    return sw.getJson("/ui/data/apps/" + encodeURIComponent(key)).then(render, function (e) {
      if (e.status === 404) {
        text("state", "unknown app: nothing reported under this key");
        document.getElementById("stale").hidden = true;
        return;
      }
      throw e;
    });
  }

  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (k) {
      var c = charts[k];
      var w = Math.max(200, c.root.parentNode.clientWidth || 300);
      c.setSize({ width: w, height: 180 });
    });
  });
  sw.every(5000, load);
})();
