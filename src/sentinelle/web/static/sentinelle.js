// Progressive enhancement only: every page works without it.
// The error summary: each line links to its field, found by id or by name, which is marked invalid.
(function () {
  "use strict";
  function fieldOf(name) {
    return document.getElementById(name) || document.getElementById("question-" + name) ||
      document.querySelector("main [name='" + CSS.escape(name) + "']");
  }
  function markErrors() {
    var summary = document.getElementById("erreurs");
    if (!summary) return;
    summary.querySelectorAll("a[data-field]").forEach(function (link) {
      var field = fieldOf(link.dataset.field);
      if (!field) { link.removeAttribute("href"); return; }
      if (!field.id) field.id = "champ-" + link.dataset.field;
      link.setAttribute("href", "#" + field.id);
      field.setAttribute("aria-invalid", "true");
      var described = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      if (described.indexOf("erreurs") < 0) described.push("erreurs");
      field.setAttribute("aria-describedby", described.join(" "));
      link.addEventListener("click", function (event) {
        event.preventDefault();
        field.scrollIntoView({block: "center"});
        (field.matches("fieldset") ? field.querySelector("input, select, textarea") || field : field).focus();
      });
    });
    summary.focus();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", markErrors);
  else markErrors();
})();
