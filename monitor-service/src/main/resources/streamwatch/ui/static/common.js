"use strict";
/* Shared helpers of the status pages. Data is only ever put in the DOM as text or attributes. */
var sw = (function () {
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (attrs[k] !== null && attrs[k] !== undefined) e.setAttribute(k, String(attrs[k]));
      });
    }
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function ms(v) {
    if (v === null || v === undefined) return "-";
    if (v >= 60000) return (v / 60000).toFixed(1) + " min";
    if (v >= 1000) return (v / 1000).toFixed(v >= 10000 ? 0 : 1) + " s";
    return Math.round(v) + " ms";
  }

  function num(v) {
    if (v === null || v === undefined) return "-";
    if (Math.abs(v) >= 1e6) return (v / 1e6).toFixed(1) + "M";
    if (Math.abs(v) >= 1e4) return (v / 1e3).toFixed(1) + "k";
    return String(Math.round(v * 10) / 10);
  }

  function pad(n) {
    return n < 10 ? "0" + n : String(n);
  }

  function clock(epochMs) {
    var d = new Date(epochMs);
    return pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
  }

  function dateTime(epochMs) {
    if (epochMs === null || epochMs === undefined) return "-";
    return new Date(epochMs).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
  }

  function appUrl(app, query) {
    return "/apps/" + encodeURIComponent(app) + (query ? "#query-" + encodeURIComponent(query) : "");
  }

  function refreshed(now) {
    var b = document.body;
    b.dataset.refreshes = String((parseInt(b.dataset.refreshes || "0", 10) || 0) + 1);
    b.dataset.updated = String(now);
    var u = document.getElementById("updated");
    if (u) u.textContent = "updated " + clock(now);
    var s = document.getElementById("stale");
    if (s) {
      s.hidden = true;
      s.textContent = "";
    }
  }

  function stale(status) {
    var s = document.getElementById("stale");
    if (!s) return;
    s.textContent = "";
    s.hidden = false;
    if (status === 401) {
      s.appendChild(document.createTextNode("Signed out: this page is no longer refreshed. "));
      var next = window.location.pathname + window.location.hash;
      s.appendChild(el("a", { href: "/signin?next=" + encodeURIComponent(next) }, "Sign in"));
    } else {
      s.textContent =
        "Refresh failed (" + (status || "no answer from the service") +
        "); showing data as of the last update. Retrying.";
    }
  }

  /** GETs JSON; rejects with {status} so callers can show what failed. */
  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) {
          var e = new Error("HTTP " + r.status);
          e.status = r.status;
          throw e;
        }
        return r.json();
      });
  }

  function every(msPeriod, fn) {
    var running = false;
    function tick() {
      if (running) return;
      running = true;
      Promise.resolve()
        .then(fn)
        .catch(function (e) {
          stale(e && e.status);
        })
        .then(function () {
          running = false;
        });
    }
    tick();
    return setInterval(tick, msPeriod);
  }

  return {
    el: el, ms: ms, num: num, clock: clock, dateTime: dateTime, appUrl: appUrl,
    refreshed: refreshed, stale: stale, getJson: getJson, every: every
  };
})();
