"use strict";
(function () {
  var SVG = "http://www.w3.org/2000/svg";
  var tbody = document.querySelector("#rows > tbody");
  var rowsByKey = new Map();
  var page = 1;
  var pages = 1;
  var filter = "";

  function keyOf(r) {
    return r.kind + "\u0000" + r.app + "\u0000" + (r.query || "");
  }

  function cell(tr, cls) {
    var td = tr.querySelector("td." + cls);
    if (!td) {
      td = sw.el("td", { class: cls });
      tr.appendChild(td);
    }
    return td;
  }

  function setText(node, text) {
    if (node.textContent !== text) node.textContent = text;
  }

  function newRow(r) {
    var tr = sw.el("tr", { class: "row", "data-kind": r.kind, "data-app": r.app });
    if (r.kind === "query") tr.setAttribute("data-query", r.query);
    var name = cell(tr, "name");
    name.appendChild(sw.el("a", { class: "name", href: sw.appUrl(r.app, r.kind === "query" ? r.query : null) }));
    if (r.kind === "query") name.appendChild(sw.el("span", { class: "sub" }));
    ["state", "alerts", "batch", "delay", "lag", "spark"].forEach(function (c) { cell(tr, c); });
    return tr;
  }

  function alertsKey(alerts) {
    return alerts.map(function (a) { return a.name + "/" + a.severity; }).join("|");
  }

  function fillAlerts(td, alerts) {
    var k = alertsKey(alerts);
    if (td.dataset.key === k) return;
    td.dataset.key = k;
    td.textContent = "";
    alerts.forEach(function (a) {
      var s = sw.el("span", { class: "alert " + a.severity, "data-alertname": a.name, "data-severity": a.severity }, a.name);
      if (a.since) s.setAttribute("title", a.severity + ", firing since " + sw.dateTime(a.since));
      td.appendChild(s);
    });
  }

  function spark(td, values, interval) {
    var key = values.join(",") + "/" + interval;
    if (td.dataset.key === key) return;
    td.dataset.key = key;
    td.textContent = "";
    var w = 120, h = 28;
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 " + w + " " + h);
    svg.setAttribute("width", String(w));
    svg.setAttribute("height", String(h));
    svg.setAttribute("class", "sparkline");
    svg.setAttribute("data-points", String(values.length));
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "processing time, last 5 minutes");
    var max = Math.max.apply(null, values.concat([interval || 0, 1]));
    function y(v) { return (h - 2 - (v / max) * (h - 4)).toFixed(1); }
    if (interval) {
      var line = document.createElementNS(SVG, "line");
      line.setAttribute("x1", "0"); line.setAttribute("x2", String(w));
      line.setAttribute("y1", y(interval)); line.setAttribute("y2", y(interval));
      line.setAttribute("class", "spark-interval");
      svg.appendChild(line);
    }
    if (values.length > 0) {
      var step = values.length > 1 ? w / (values.length - 1) : 0;
      var pts = values.map(function (v, i) { return (i * step).toFixed(1) + "," + y(v); }).join(" ");
      var pl = document.createElementNS(SVG, "polyline");
      pl.setAttribute("points", values.length > 1 ? pts : "0," + y(values[0]) + " " + w + "," + y(values[0]));
      pl.setAttribute("class", "spark-line");
      svg.appendChild(pl);
    }
    td.appendChild(svg);
  }

  function update(tr, r) {
    tr.setAttribute("data-state", r.state);
    var a = tr.querySelector("a.name");
    setText(a, r.kind === "query" ? (r.name || r.query) : r.app);
    var sub = tr.querySelector("span.sub");
    if (sub) setText(sub, r.app);
    var st = cell(tr, "state");
    setText(st, r.state);
    st.className = "state s-" + String(r.state).replace(/[^a-z]/g, "");
    fillAlerts(cell(tr, "alerts"), r.alerts || []);
    setText(cell(tr, "batch"), sw.ms(r.processingMs) + " / " + sw.ms(r.intervalMs));
    var slow = r.processingMs !== null && r.intervalMs && r.processingMs > r.intervalMs;
    cell(tr, "batch").classList.toggle("slow", !!slow);
    var delay = r.kind === "app"
      ? "delay " + sw.ms(r.schedulingDelayMs)
      : "in " + sw.num(r.inputRowsPerSecond) + "/s, done " + sw.num(r.processedRowsPerSecond) + "/s";
    setText(cell(tr, "delay"), delay);
    setText(cell(tr, "lag"), r.lagRecords === null || r.lagRecords === undefined
      ? "-"
      : sw.num(r.lagRecords) + (r.lagSeconds !== null && r.lagSeconds !== undefined ? " (" + sw.ms(r.lagSeconds * 1000) + ")" : ""));
    spark(cell(tr, "spark"), r.spark || [], r.intervalMs);
  }

  function render(data) {
    setText(document.getElementById("count-apps"), String(data.apps));
    setText(document.getElementById("count-queries"), String(data.queries));
    setText(document.getElementById("count-firing"), String(data.firing));
    setText(document.getElementById("count-down"), String(data.down));
    page = data.page;
    pages = data.pages;
    setText(document.getElementById("page-info"),
      "page " + data.page + " of " + data.pages + " (" + data.rowsTotal + " rows)");
    document.getElementById("prev").disabled = page <= 1;
    document.getElementById("next").disabled = page >= pages;
    var seen = new Set();
    data.rows.forEach(function (r, i) {
      var k = keyOf(r);
      seen.add(k);
      var tr = rowsByKey.get(k);
      if (!tr) {
        tr = newRow(r);
        rowsByKey.set(k, tr);
      }
      update(tr, r);
      if (tbody.children[i] !== tr) tbody.insertBefore(tr, tbody.children[i] || null);
    });
    rowsByKey.forEach(function (tr, k) {
      if (!seen.has(k)) {
        tr.remove();
        rowsByKey.delete(k);
      }
    });
    applyFilter();
    sw.refreshed(data.now);
  }

  function applyFilter() {
    rowsByKey.forEach(function (tr) {
      var text = (tr.getAttribute("data-app") + " " + (tr.getAttribute("data-query") || "")).toLowerCase();
      tr.hidden = filter !== "" && text.indexOf(filter) < 0;
    });
  }

  function load() {
    return sw.getJson("/ui/data/overview?page=" + page).then(render);
  }

  document.getElementById("prev").addEventListener("click", function () {
    if (page > 1) { page--; load().catch(function (e) { sw.stale(e.status); }); }
  });
  document.getElementById("next").addEventListener("click", function () {
    if (page < pages) { page++; load().catch(function (e) { sw.stale(e.status); }); }
  });
  document.getElementById("filter").addEventListener("input", function (e) {
    filter = e.target.value.trim().toLowerCase();
    applyFilter();
  });
  sw.every(5000, load);
})();
