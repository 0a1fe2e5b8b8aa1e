// The evaluator's sheet behaves like the expert's: each score is checked as it is typed (a number,
// within 0..max, on the step), Enter moves to the next score and never submits the form.
(function () {
  "use strict";
  var form = document.getElementById("evaluation-form");
  if (!form) { return; }
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input[name^='scores.']"));
  var comments = form.querySelector("textarea[name=comments]");

  function normalise(raw) {
    return raw.replace(/[\uFF10-\uFF19]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xFEE0); })
      .replace(/\uFF0E/g, ".").replace(/\s/g, "");
  }

  function problem(input) {
    var text = normalise(input.value);
    if (text === "") { return ""; }
    if (!/^\d+(\.\d+)?$/.test(text)) { return form.getAttribute("data-msg-number"); }
    var value = Number(text), max = Number(input.getAttribute("data-max")), step = Number(input.getAttribute("data-step") || "0");
    if (value > max) { return form.getAttribute("data-msg-range").replace("{max}", input.getAttribute("data-max")); }
    // compare in hundredths: the steps (0.5, 0.1 …) are decimal, floats are not
    if (step > 0 && Math.round(value * 100) % Math.round(step * 100) !== 0) {
      return form.getAttribute("data-msg-step").replace("{step}", input.getAttribute("data-step"));
    }
    return "";
  }

  function check(input) {
    var message = problem(input);
    var box = document.getElementById("err-" + input.name);
    input.setAttribute("aria-invalid", message ? "true" : "false");
    input.classList.toggle("invalid", !!message);
    if (box) { box.textContent = message; }
    if (box) { input.setAttribute("aria-describedby", box.id); }
  }

  inputs.forEach(function (input, i) {
    input.addEventListener("input", function () { check(input); });
    input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") { return; }
      event.preventDefault();
      var next = inputs[i + 1] || comments;
      if (next) { next.focus(); if (next.select) { next.select(); } }
    });
  });
  form.addEventListener("submit", function () {
    inputs.forEach(function (input) { input.value = normalise(input.value); });
  });
})();
