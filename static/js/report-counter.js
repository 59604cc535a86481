// The monthly report's live counter: characters in all (whitespace not counted, as the server counts them)
// and the problems' share; it turns red when a rule is broken. The server checks the same rules on submit
// and is the authority: this only warns while typing. Loaded by the monthly report page alone.
(function () {
  "use strict";
  var counter = document.getElementById("report-counter");
  if (!counter) return;
  var form = counter.closest("form");
  var limit = Number(counter.dataset.limit);
  var parts = ["highlights", "problems", "measures"].map(function (name) { return form.elements[name]; });
  var shown = {};
  counter.querySelectorAll("[data-count]").forEach(function (element) { shown[element.dataset.count] = element; });
  var rules = {};
  counter.querySelectorAll("[data-rule]").forEach(function (element) { rules[element.dataset.rule] = element; });

  // One character per code point, so that a character outside the BMP counts once, as in Python.
  var count = function (text) {
    var visible = text.replace(/\s/g, "");
    return visible.length - (visible.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g) || []).length;
  };

  var update = function () {
    var counts = parts.map(function (part) { return count(part.value); });
    var total = counts[0] + counts[1] + counts[2];
    var problems = counts[1];
    var tooLong = total > limit;
    var tooFewProblems = problems === 0 || problems * 2 < total;
    shown.total.textContent = total;
    shown.problems.textContent = problems;
    shown.share.textContent = total ? Math.floor(problems * 100 / total) : 0;
    rules.total.classList.toggle("broken", tooLong);
    rules.share.classList.toggle("broken", tooFewProblems);
    counter.classList.toggle("broken", tooLong || tooFewProblems);
  };

  form.addEventListener("input", update);
  update();
})();
