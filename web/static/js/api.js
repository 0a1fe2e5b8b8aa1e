/* Shared helpers for the pages' scripts: JSON calls to /api/v1 with the session cookie and the
   CSRF header, translated strings handed over by the page, debouncing and exact decimal checks.
   Vanilla JS, no dependencies: the service runs on an intranet without CDNs. */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  /* The page renders its translated strings as JSON in <script type="application/json" id="page-strings">. */
  function strings() {
    var el = document.getElementById("page-strings");
    if (!el) { return {}; }
    try { return JSON.parse(el.textContent); } catch (e) { return {}; }
  }

  /* Fill %(name)s placeholders, the same syntax as the server's gettext messages. */
  function format(template, params) {
    return String(template || "").replace(/%\((\w+)\)s/g, function (_, key) {
      return params && params[key] !== undefined ? String(params[key]) : "";
    });
  }

  /* fetch() with the page session: resolves to {ok, status, data} and never rejects on HTTP errors. */
  function request(method, url, body) {
    var headers = { "Accept": "application/json", "X-CSRF-Token": csrfToken() };
    var options = { method: method, headers: headers, credentials: "same-origin" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (resp) {
      return resp.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        return { ok: resp.ok, status: resp.status, data: data };
      });
    }, function () {
      return { ok: false, status: 0, data: null };
    });
  }

  function debounce(fn, ms) {
    var timer = null;
    var debounced = function () {
      var args = arguments;
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(function () { timer = null; fn.apply(null, args); }, ms);
    };
    debounced.cancel = function () { if (timer) { clearTimeout(timer); timer = null; } };
    debounced.pending = function () { return timer !== null; };
    return debounced;
  }

  /* A non-negative decimal text with at most `places` decimals as an exact integer of
     10^-places units, or null. Never goes through binary floating point. */
  function scaled(text, places) {
    var t = String(text === undefined || text === null ? "" : text).trim();
    var m = /^(\d+)(?:\.(\d+))?$/.exec(t);
    if (!m) { return null; }
    var frac = m[2] || "";
    if (frac.replace(/0+$/, "").length > places) { return null; }
    frac = (frac + "0000000000").slice(0, places);
    return parseInt(m[1], 10) * Math.pow(10, places) + parseInt(frac || "0", 10);
  }

  function errorMessage(result, fallback) {
    if (result && result.data && result.data.error && result.data.error.message) {
      return result.data.error.message;
    }
    return fallback || "";
  }

  function errorFields(result) {
    return (result && result.data && result.data.error && result.data.error.fields) || {};
  }

  function clock() {
    var d = new Date();
    function pad(n) { return (n < 10 ? "0" : "") + n; }
    return pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
  }

  window.SC = {
    csrfToken: csrfToken,
    strings: strings,
    format: format,
    request: request,
    debounce: debounce,
    scaled: scaled,
    errorMessage: errorMessage,
    errorFields: errorFields,
    clock: clock
  };
})();
