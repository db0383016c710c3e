// The segment editor: show, in each condition row, only the inputs its
// kind uses. Without this script every input shows, and the server
// ignores the ones a kind does not use.
(function () {
  "use strict";
  function sync(row) {
    var kind = row.querySelector(".cond-kind").value;
    row.dataset.kind = kind;
    row.querySelectorAll("[data-for]").forEach(function (el) {
      var on = el.dataset.for.split(" ").indexOf(kind) >= 0;
      el.hidden = !on;
    });
    // Keep the field chosen one of the kind's own (a hidden option is
    // still sent, so every row sends every input, in order).
    var field = row.querySelector("select[name=field]");
    var opt = field.options[field.selectedIndex];
    if ((kind === "contact" || kind === "company") && opt && opt.parentNode.hidden) {
      var first = field.querySelector("optgroup:not([hidden]) option");
      if (first) first.selected = true;
    }
    // The attribute's name only for a custom attribute.
    var attr = row.querySelector("input[name=attr]");
    if (attr) attr.closest("label").hidden = !(kind === "contact" && field.value === "attr");
  }
  document.querySelectorAll(".condition-row").forEach(function (row) {
    sync(row);
    row.querySelector(".cond-kind").addEventListener("change", function () { sync(row); });
    row.querySelector("select[name=field]").addEventListener("change", function () { sync(row); });
  });
})();
