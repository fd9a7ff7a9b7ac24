// The heuristic admin's condition rows (advisor/condition_editor.py): add a row, and narrow
// each row's facts to the heuristic's scope and its operators to the fact's type. The form
// works without this file: blank rows are offered and "remove" is a checkbox.
(function () {
  "use strict";
  var ORDERING = ["<", "<=", ">", ">="];

  function scopeSelect() {
    return document.getElementById("id_scope");
  }

  function narrowFacts(editor) {
    var scope = scopeSelect() ? scopeSelect().value : "";
    editor.querySelectorAll("select.condition-fact optgroup").forEach(function (group) {
      var fits = !scope || group.dataset.scope === scope;
      group.hidden = !fits;
      group.disabled = !fits;
    });
  }

  function narrowOperators(row) {
    var fact = row.querySelector("select.condition-fact");
    var chosen = fact.options[fact.selectedIndex];
    var type = chosen ? chosen.dataset.type : "";
    row.querySelectorAll("select.condition-op option").forEach(function (option) {
      var fits = !type || type === "int" || ORDERING.indexOf(option.value) === -1;
      option.hidden = !fits;
      option.disabled = !fits;
    });
  }

  function addRow(editor) {
    var name = editor.dataset.name;
    var count = editor.querySelector("input.condition-row-count");
    var rows = editor.querySelectorAll("tr.condition-row");
    var last = rows[rows.length - 1];
    var index = parseInt(count.value, 10);
    var copy = last.cloneNode(true);
    copy.querySelectorAll("[name]").forEach(function (field) {
      field.name = field.name.replace(/^(.*)-\d+-(\w+)$/, name + "-" + index + "-$2");
      if (field.type === "checkbox") { field.checked = false; }
      else if (field.tagName === "INPUT") { field.value = ""; }
      else { field.selectedIndex = field.name.slice(-6) === "-level" ? 1 : 0; }
      var label = field.getAttribute("aria-label");
      if (label) { field.setAttribute("aria-label", label.replace(/\d+/, String(index + 1))); }
    });
    copy.querySelector("th").textContent = String(index + 1);
    last.parentNode.appendChild(copy);
    count.value = String(index + 1);
    narrowFacts(editor);
  }

  function start() {
  document.querySelectorAll(".condition-editor").forEach(function (editor) {
    var add = editor.querySelector("button.condition-add-row");
    add.hidden = false;
    add.addEventListener("click", function () { addRow(editor); });
    editor.addEventListener("change", function (event) {
      if (event.target.matches("select.condition-fact")) {
        narrowOperators(event.target.closest("tr"));
      }
    });
    editor.querySelectorAll("tr.condition-row").forEach(narrowOperators);
    narrowFacts(editor);
    if (scopeSelect()) {
      scopeSelect().addEventListener("change", function () { narrowFacts(editor); });
    }
  });
  }

  // The admin loads form media in the head: wait for the form.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
