/* The expert's score sheet: checks each score as it is typed (range and step, exact decimals),
   counts what is scored, autosaves (debounced PUT /api/v1/sheets/{id} with the version read),
   keeps Enter from submitting by accident, and asks for confirmation before the sheet is locked. */
(function () {
  "use strict";
  var form = document.getElementById("sheet-form");
  if (!form || !window.SC) { return; }
  var SC = window.SC;
  var S = SC.strings();
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input[data-score]"));
  var comments = form.querySelector("textarea[name=comments]");
  var versionInput = form.querySelector("input[name=version]");
  var counter = document.getElementById("scored-count");
  var status = document.getElementById("save-status");
  var submitButton = form.querySelector("button[value=submit]");
  var dialog = document.getElementById("confirm-submit");
  var confirmForm = document.getElementById("confirm-form");
  var apiUrl = form.getAttribute("data-api");
  var PLACES = 2;

  var saving = null;       // the promise of the save in flight
  var again = false;       // something changed while saving: save once more afterwards
  var stale = false;       // the server has a newer version: stop autosaving
  var dirty = false;

  function setStatus(text, kind) {
    if (!status) { return; }
    status.textContent = text;
    status.className = "save-status" + (kind ? " " + kind : "");
  }

  function errorBox(input) {
    return document.getElementById("err-scores." + input.getAttribute("data-score"));
  }

  /* The rule a typed value breaks, or "" when it is empty (not scored yet) or valid. */
  function problem(input) {
    var raw = input.value.trim();
    if (raw === "") {
      return input.validity && input.validity.badInput ? S.not_a_number : "";
    }
    if (raw.charAt(0) === "-") { return S.negative; }
    var value = SC.scaled(raw, PLACES);
    if (value === null) { return S.not_a_number; }
    var max = SC.scaled(input.getAttribute("max"), PLACES);
    var step = SC.scaled(input.getAttribute("step"), PLACES);
    if (value > max) { return SC.format(S.too_high, { max: input.getAttribute("max") }); }
    if (step && value % step !== 0) { return SC.format(S.off_step, { step: input.getAttribute("step") }); }
    return "";
  }

  function check(input) {
    var rule = problem(input);
    input.setCustomValidity(rule);
    input.setAttribute("aria-invalid", rule ? "true" : "false");
    input.classList.toggle("invalid", !!rule);
    var box = errorBox(input);
    if (box) { box.textContent = rule; }
    return !rule;
  }

  function scoredCount() {
    var n = 0;
    inputs.forEach(function (input) {
      if (input.value.trim() !== "" && !problem(input)) { n += 1; }
    });
    return n;
  }

  function anyInvalid() {
    return inputs.some(function (input) { return !!problem(input); });
  }

  function updateCounter() {
    var done = scoredCount();
    if (counter) {
      counter.textContent = SC.format(S.counter, { done: done, total: inputs.length });
      counter.classList.toggle("complete", done === inputs.length);
    }
    if (submitButton) { submitButton.setAttribute("aria-disabled", anyInvalid() ? "true" : "false"); }
  }

  function payload() {
    var scores = {};
    inputs.forEach(function (input) {
      var raw = input.value.trim();
      if (raw !== "") { scores[input.getAttribute("data-score")] = raw; }
    });
    return {
      scores: scores,
      comments: comments ? comments.value : "",
      version: parseInt(versionInput.value, 10)
    };
  }

  function showFieldErrors(fields) {
    Object.keys(fields).forEach(function (path) {
      var code = path.replace(/^scores\./, "");
      var input = form.querySelector('input[data-score="' + code + '"]');
      if (input) {
        input.setCustomValidity(fields[path]);
        input.setAttribute("aria-invalid", "true");
        input.classList.add("invalid");
        var box = errorBox(input);
        if (box) { box.textContent = fields[path]; }
      }
    });
  }

  /* Save now; resolves to true when the server holds what is on screen. */
  function save() {
    if (stale) { return Promise.resolve(false); }
    if (saving) { again = true; return saving; }
    if (anyInvalid()) {
      setStatus(S.not_saved_invalid, "warn");
      return Promise.resolve(false);
    }
    dirty = false;
    setStatus(S.saving, "");
    saving = SC.request("PUT", apiUrl, payload()).then(function (result) {
      saving = null;
      if (result.ok) {
        if (result.data && result.data.version !== undefined) { versionInput.value = result.data.version; }
        if (confirmForm && confirmForm.elements.version) { confirmForm.elements.version.value = versionInput.value; }
        setStatus(SC.format(S.saved_at, { time: SC.clock() }), "ok");
        if (again || dirty) { again = false; return save(); }
        return true;
      }
      again = false;
      dirty = true;
      if (result.status === 409) {
        stale = true;
        setStatus(SC.errorMessage(result, S.save_failed), "error");
      } else if (result.status === 422) {
        showFieldErrors(SC.errorFields(result));
        setStatus(SC.errorMessage(result, S.save_failed), "error");
      } else if (result.status === 401) {
        setStatus(S.logged_out, "error");
      } else {
        setStatus(SC.errorMessage(result, S.save_failed), "error");
      }
      updateCounter();
      return false;
    });
    return saving;
  }

  var autosave = SC.debounce(save, 800);

  function changed() {
    dirty = true;
    if (!stale) { setStatus(S.unsaved, ""); }
    autosave();
  }

  inputs.forEach(function (input, index) {
    input.addEventListener("input", function () { check(input); updateCounter(); changed(); });
    input.addEventListener("blur", function () { check(input); });
    // Enter moves on to the next score (then to the comments), like a paper form: never submits.
    input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") { return; }
      event.preventDefault();
      check(input);
      var next = inputs[index + 1] || comments || submitButton;
      if (next) { next.focus(); if (next.select) { next.select(); } }
    });
  });
  if (comments) { comments.addEventListener("input", changed); }

  // Other single-line fields must not submit on Enter either.
  form.addEventListener("keydown", function (event) {
    var t = event.target;
    if (event.key === "Enter" && t.tagName === "INPUT" && t.type !== "submit" && t.type !== "button") {
      event.preventDefault();
    }
  });

  function openDialog() {
    var missing = inputs.length - scoredCount();
    var summary = document.getElementById("confirm-summary");
    if (summary) { summary.textContent = SC.format(S.confirm_summary, { done: scoredCount(), total: inputs.length, missing: missing }); }
    if (dialog && typeof dialog.showModal === "function") {
      dialog.showModal();
      var cancel = dialog.querySelector("[data-cancel]");
      if (cancel) { cancel.focus(); }
    } else if (window.confirm(S.confirm_question)) {
      confirmForm.submit();
    }
  }

  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    var intent = submitter ? submitter.value : "save";
    event.preventDefault();
    inputs.forEach(check);
    updateCounter();
    var firstBad = inputs.filter(function (input) { return !!problem(input); })[0];
    if (firstBad) {
      setStatus(S.fix_invalid, "error");
      firstBad.focus();
      return;
    }
    autosave.cancel();
    save().then(function (ok) {
      if (!ok) { return; }
      if (intent !== "submit") { return; }
      var firstEmpty = inputs.filter(function (input) { return input.value.trim() === ""; })[0];
      if (firstEmpty) {
        setStatus(SC.format(S.still_missing, { missing: inputs.length - scoredCount() }), "error");
        firstEmpty.focus();
        return;
      }
      openDialog();
    });
  });

  if (dialog) {
    var cancel = dialog.querySelector("[data-cancel]");
    if (cancel) {
      cancel.addEventListener("click", function (event) {
        event.preventDefault();
        dialog.close();
        if (submitButton) { submitButton.focus(); }
      });
    }
  }

  window.addEventListener("beforeunload", function (event) {
    if (dirty && !stale) { event.preventDefault(); event.returnValue = ""; }
  });
  if (confirmForm) {
    confirmForm.addEventListener("submit", function () { dirty = false; });
  }

  inputs.forEach(function (input) { if (input.value.trim() !== "") { check(input); } });
  updateCounter();
  form.classList.add("js");
})();
