// Files over the attachment limit are never sent: the server would refuse the
// whole body unread, and what was typed with it would be lost. A file input
// with data-max-bytes checks what is chosen, says why in the page's language,
// and clears the choice so that the rest of the form can still be saved.
(function () {
  "use strict";

  function sizeText(bytes, lang) {
    // As Django's filesizeformat writes it: "3,0 MB" in Vietnamese.
    const units = ["KB", "MB", "GB", "TB"];
    if (bytes < 1024) {
      return bytes + "\u00a0byte";
    }
    let value = bytes / 1024;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit += 1;
    }
    const number = new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
    return number.format(value) + "\u00a0" + units[unit];
  }

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, (match, key) => (key in values ? values[key] : match));
  }

  function feedbackFor(input) {
    const id = input.id + "-limit";
    let box = document.getElementById(id);
    if (!box) {
      box = document.createElement("div");
      box.id = id;
      box.className = "invalid-feedback d-block";
      box.setAttribute("role", "alert");
      input.insertAdjacentElement("afterend", box);
      const described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      input.setAttribute("aria-describedby", described.concat(id).join(" "));
    }
    return box;
  }

  function problems(input) {
    const lang = document.documentElement.lang || "vi";
    const limit = Number(input.dataset.maxBytes);
    const files = Array.from(input.files || []);
    const found = files
      .filter((file) => file.size > limit)
      .map((file) => fill(input.dataset.fileTooBig, { name: file.name, size: sizeText(file.size, lang) }));
    const total = files.reduce((sum, file) => sum + file.size, 0);
    if (!found.length && total > Number(input.dataset.maxTotalBytes)) {
      found.push(fill(input.dataset.filesTooBig, { size: sizeText(total, lang) }));
    }
    return found;
  }

  function check(input) {
    const found = problems(input);
    const box = feedbackFor(input);
    box.textContent = found.join(" ");
    if (found.length) {
      input.value = "";
      input.classList.add("is-invalid");
      input.setAttribute("aria-invalid", "true");
    } else {
      input.classList.remove("is-invalid");
      input.removeAttribute("aria-invalid");
    }
    return !found.length;
  }

  document.querySelectorAll("input[type=file][data-max-bytes]").forEach((input) => {
    input.addEventListener("change", () => check(input));
    if (input.form) {
      input.form.addEventListener("submit", (event) => {
        if (!check(input)) {
          event.preventDefault();
          input.focus();
        }
      });
    }
  });
})();
