// Behaviour the CSP allows only from a file: no inline script anywhere.
"use strict";

// The live total of a person's six time shares, as they are typed.
document.addEventListener("input", (event) => {
  if (!event.target.matches("[data-time-share]")) {
    return;
  }
  const form = event.target.closest("[data-time-total-form]");
  if (!form) {
    return;
  }
  let total = 0;
  for (const input of form.querySelectorAll("[data-time-share]")) {
    const value = Number.parseInt(input.value, 10);
    if (Number.isFinite(value)) {
      total += value;
    }
  }
  const output = form.querySelector("[data-time-total]");
  output.textContent = String(total);
  output.closest("[data-time-total-field]").classList.toggle("over", total > 100);
  // All shares at 0 is time not entered, never 0%: say so beside the total.
  const notEntered = form.querySelector("[data-time-not-entered]");
  if (notEntered) {
    notEntered.hidden = total !== 0;
  }
});

// Cancel in a form opened in place closes it; opened as a page, the link navigates.
document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-close-editor]");
  const editor = link && link.closest(".editor");
  if (!editor) {
    return;
  }
  event.preventDefault();
  const home = editor.closest("article, section");
  editor.replaceChildren();
  // Keyboard users carry on from the card or section they were working in.
  const heading = home && home.querySelector("h2, h3");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }
});

// After a form posted in place, the keyboard focus goes where the user carries on: the
// first field in error, or else the heading of the section the save re-rendered. After
// another page of a list, or the list filtered (a link marked data-list-filter), the link
// followed went with the old list: the focus goes to the list's heading, where reading the
// new one starts.
document.addEventListener("htmx:afterSettle", (event) => {
  const swapped = event.target;
  const config = event.detail && event.detail.requestConfig;
  if (!config || !(swapped instanceof Element)) {
    return;
  }
  if (config.verb === "get") {
    const paged = config.elt instanceof Element &&
      config.elt.closest(".pagination, [data-list-filter]");
    const heading = paged && swapped.matches("section") && swapped.querySelector("h2");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
    return;
  }
  if (config.verb !== "post") {
    return;
  }
  const error = swapped.querySelector(".has-error");
  let focus = null;
  if (error) {
    focus = error.querySelector("input, select, textarea") ||
      error.closest("fieldset").querySelector("input, select, textarea");
  } else if (swapped.matches("section")) {
    focus = swapped.querySelector("h2");
    focus.setAttribute("tabindex", "-1");
  }
  if (focus) {
    focus.focus();
  }
});

// A wide org chart opens scrolled to the branch of the product managers and owners
// (or the top of the main hierarchy without any), not its left edge.
for (const scroller of document.querySelectorAll("[data-focus-x]")) {
  const focusX = Number.parseFloat(scroller.dataset.focusX);
  const focusY = Number.parseFloat(scroller.dataset.focusY || "0");
  if (Number.isFinite(focusX)) {
    scroller.scrollLeft = Math.max(0, focusX - scroller.clientWidth / 2);
  }
  if (Number.isFinite(focusY)) {
    scroller.scrollTop = Math.max(0, focusY - 24);
  }
}
