// Names for the admin's form controls that Django leaves without a <label>:
// the inputs of a tabular inline (their column heading is a <th>, not a label),
// the parts of a date-and-time field (one label for two inputs), and the boxes
// select2 draws for autocomplete fields (named after the field's label), and the
// icon of the filter widget (a role for its name).
"use strict";
(function () {
  function text(el) {
    return el ? el.textContent.replace(/[:*]\s*$/, "").replace(/\s+/g, " ").trim() : "";
  }
  function columnHeading(control) {
    const cell = control.closest("td");
    const table = cell && cell.closest("table");
    if (!table || !table.tHead) return "";
    const row = table.tHead.rows[table.tHead.rows.length - 1];
    let index = 0;
    for (const sibling of cell.parentElement.cells) {
      if (sibling === cell) break;
      index += sibling.colSpan;
    }
    let position = 0;
    for (const heading of row.cells) {
      if (position === index) return text(heading);
      position += heading.colSpan;
    }
    return "";
  }
  function fieldLabel(control) {
    const row = control.closest(".form-row, .fieldBox");
    return row ? text(row.querySelector("label, legend")) : "";
  }
  function name(root) {
    for (const control of root.querySelectorAll("input:not([type=hidden]), select, textarea")) {
      if (control.labels.length || control.getAttribute("aria-label")) continue;
      const label = columnHeading(control) || fieldLabel(control);
      if (!label) continue;
      const part = control.classList.contains("vDateField") || control.classList.contains("vTimeField")
        ? text(control.previousSibling) : "";
      control.setAttribute("aria-label", part ? `${label} (${part.replace(/:$/, "")})` : label);
    }
    // The filter widget's magnifying glass names itself with aria-label on a bare
    // <span>, which only an element with a role may carry: it is an image.
    for (const icon of root.querySelectorAll(".help-tooltip[aria-label]:not([role])")) {
      icon.setAttribute("role", "img");
    }
    for (const box of root.querySelectorAll(".select2-selection[role=combobox]")) {
      const container = box.closest(".select2-container");
      const select = container && container.previousElementSibling;
      if (!select) continue;
      const label = (select.labels && select.labels.length ? text(select.labels[0]) : "") || columnHeading(select);
      if (!label) continue;
      // The box, and the text inside it that names the choice (empty while nothing is chosen).
      box.setAttribute("aria-label", label);
      const chosen = box.querySelector(".select2-selection__rendered");
      if (chosen && !chosen.textContent.trim()) chosen.setAttribute("aria-label", label);
    }
  }
  // Whenever select2 draws its boxes or a formset row is added (jQuery's ready
  // handlers may run after the page's load event), as well as at load.
  let pending = false;
  const observer = new MutationObserver(() => {
    if (pending) return;
    pending = true;
    queueMicrotask(() => {
      pending = false;
      name(document);
    });
  });
  document.addEventListener("DOMContentLoaded", () => {
    name(document);
    observer.observe(document.body, { childList: true, subtree: true });
  });
})();
