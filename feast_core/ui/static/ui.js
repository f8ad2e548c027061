/* Feast UI: the only script. Live filter over the rows of the current page and the project selector.
   Everything works without it: the filter box then submits a search, the selector has a Go button. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var select = document.getElementById("project-select");
  if (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  }

  var box = document.getElementById("filter");
  var rows = Array.prototype.slice.call(document.querySelectorAll("table.filterable tbody tr[data-filter]"));
  var noMatch = document.querySelector(".no-match");
  if (!box || rows.length === 0) { return; }

  function apply() {
    var words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (row) {
      var text = row.getAttribute("data-filter");
      var match = words.every(function (w) { return text.indexOf(w) !== -1; });
      row.hidden = !match;
      if (match) { shown += 1; }
    });
    if (noMatch) { noMatch.hidden = shown !== 0; }
  }
  box.addEventListener("input", apply);
  apply();
})();
