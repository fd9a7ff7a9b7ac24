// The heuristic admin's example rows (advisor/example_editor.py): add an example or a fact
// row, and narrow each row's facts to the heuristic's scope. The form works without this
// file: blank rows and a blank example are offered and "remove" is a checkbox.
(function () {
  "use strict";

  function scopeSelect() {
    return document.getElementById("id_scope");
  }

  function narrowFacts(editor) {
    var scope = scopeSelect() ? scopeSelect().value : "";
    editor.querySelectorAll("select.example-fact-name optgroup").forEach(function (group) {
      var fits = !scope || group.dataset.scope === scope;
      group.hidden = !fits;
      group.disabled = !fits;
    });
  }

  // A copy of a row or an example, its fields emptied and renamed by `rename`.
  function blankCopy(node, rename) {
    var copy = node.cloneNode(true);
    copy.querySelectorAll("[name]").forEach(function (field) {
      field.name = rename(field.name);
      if (field.type === "checkbox") { field.checked = false; }
      else if (field.type === "hidden") { /* counts are set by the caller */ }
      else if (field.tagName === "INPUT") { field.value = ""; }
      else { field.selectedIndex = 0; }
    });
    return copy;
  }

  function relabel(node, pattern, number) {
    node.querySelectorAll("[aria-label]").forEach(function (field) {
      field.setAttribute("aria-label", field.getAttribute("aria-label").replace(pattern, "$1" + number));
    });
  }

  function addFact(editor, example) {
    var name = editor.dataset.name;
    var count = example.querySelector("input.example-fact-count");
    var rows = example.querySelectorAll("tr.example-fact");
    var index = parseInt(count.value, 10);
    var prefix = name + "-" + example.dataset.index + "-";
    var copy = blankCopy(rows[rows.length - 1], function (field) {
      return field.replace(/^(.*)-\d+-(\w+)$/, prefix + index + "-$2");
    });
    relabel(copy, /(fact row )\d+/, String(index + 1));
    copy.querySelector("th").textContent = String(index + 1);
    rows[rows.length - 1].parentNode.appendChild(copy);
    count.value = String(index + 1);
    narrowFacts(editor);
  }

  function addExample(editor) {
    var name = editor.dataset.name;
    var count = editor.querySelector("input.example-count");
    var examples = editor.querySelectorAll("fieldset.example");
    var index = parseInt(count.value, 10);
    if (index >= parseInt(editor.dataset.max, 10)) { return; }
    var last = examples[examples.length - 1];
    var copy = blankCopy(last, function (field) {
      return field.replace(new RegExp("^" + name + "-\\d+-"), name + "-" + index + "-");
    });
    copy.dataset.index = String(index);
    copy.querySelector("legend").textContent = "Example " + (index + 1);
    relabel(copy, /(Example |example )\d+/, String(index + 1));
    last.parentNode.insertBefore(copy, last.nextSibling);
    count.value = String(index + 1);
    wireExample(editor, copy);
    narrowFacts(editor);
  }

  function wireExample(editor, example) {
    var add = example.querySelector("button.example-add-fact");
    add.hidden = false;
    add.addEventListener("click", function () { addFact(editor, example); });
  }

  function start() {
    document.querySelectorAll(".examples-editor").forEach(function (editor) {
      editor.querySelectorAll("fieldset.example").forEach(function (example) {
        wireExample(editor, example);
      });
      var add = editor.querySelector("button.example-add");
      add.hidden = false;
      add.addEventListener("click", function () { addExample(editor); });
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
