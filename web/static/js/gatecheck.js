/* The applicant's live gate self-check: as figures are typed, POST them (debounced) to
   /api/v1/rounds/{id}/eligibility-check and show each gate as pass / fail / missing with its
   detail. Nothing is stored by the check; the figures are saved with the draft. */
(function () {
  "use strict";
  var form = document.getElementById("application-form");
  var panel = document.getElementById("gate-results");
  if (!form || !panel || !window.SC) { return; }
  var SC = window.SC;
  var S = SC.strings();
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input[data-figure]"));
  var url = panel.getAttribute("data-check-url");
  var kind = panel.getAttribute("data-kind");
  var note = document.getElementById("gate-note");
  var sequence = 0;

  function figureError(code, text) {
    var input = form.querySelector('input[data-figure="' + code + '"]');
    var box = document.getElementById("err-figures." + code);
    if (input) {
      input.setAttribute("aria-invalid", text ? "true" : "false");
      input.classList.toggle("invalid", !!text);
    }
    if (box) { box.textContent = text || ""; }
  }

  // As people type figures: "1,200", "１２００", "2.5%", "2.5 %" mean 1200 and 2.5.
  function normalise(raw) {
    var text = raw.replace(/[\uFF10-\uFF19]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xFEE0); });
    text = text.replace(/\uFF0E/g, ".").replace(/[\s,\uFF0C\u3000]/g, "").replace(/[%\uFF05]$/, "");
    return text;
  }

  // A rejected figure: the gates no longer say anything about what is on the screen.
  function unknown() {
    Array.prototype.forEach.call(panel.querySelectorAll("[data-gate]"), function (item) {
      var badge = item.querySelector(".badge");
      var detail = item.querySelector(".detail");
      if (badge) { badge.className = "badge"; badge.textContent = "—"; }
      if (detail) { detail.textContent = ""; }
      item.setAttribute("data-result", "unknown");
    });
  }

  function show(gates) {
    gates.forEach(function (gate) {
      var item = panel.querySelector('[data-gate="' + gate.code + '"]');
      if (!item) { return; }
      var badge = item.querySelector(".badge");
      var detail = item.querySelector(".detail");
      badge.className = "badge " + gate.result;
      badge.textContent = S["result_" + gate.result] || gate.result;
      if (detail) { detail.textContent = gate.detail || ""; }
      item.setAttribute("data-result", gate.result);
    });
  }

  function check() {
    var figures = {};
    inputs.forEach(function (input) {
      figureError(input.getAttribute("data-figure"), "");
      var raw = normalise(input.value.trim());
      if (raw !== "") { figures[input.getAttribute("data-figure")] = raw; }
    });
    var mine = ++sequence;
    if (note) { note.textContent = S.checking; }
    SC.request("POST", url, { kind: kind, figures: figures }).then(function (result) {
      if (mine !== sequence) { return; }  // a later check has been sent: its answer wins
      if (result.ok && result.data && result.data.gates) {
        show(result.data.gates);
        if (note) { note.textContent = SC.format(S.checked_at, { time: SC.clock() }); }
        return;
      }
      unknown();
      var fields = SC.errorFields(result);
      Object.keys(fields).forEach(function (path) {
        figureError(path.replace(/^figures\./, ""), fields[path]);
      });
      if (note) { note.textContent = SC.errorMessage(result, S.check_failed); }
    });
  }

  // The draft is saved with the figures as the check read them.
  form.addEventListener("submit", function () {
    inputs.forEach(function (input) { input.value = normalise(input.value.trim()); });
  });

  var later = SC.debounce(check, 400);
  inputs.forEach(function (input) { input.addEventListener("input", later); });
})();
