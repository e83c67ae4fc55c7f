// Progressive enhancement only: every page works without it.
// The error summary: each line links to its field, found by id or by name, which is marked invalid
// and gets the same message written under it (DSFR's fr-error-text), read with the field.
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
      var note = document.createElement("p");
      note.className = "fr-error-text";
      note.id = "erreur-" + field.id;
      note.textContent = link.textContent;
      if (field.matches("fieldset")) {
        var legend = field.querySelector("legend");
        if (legend) legend.insertAdjacentElement("afterend", note); else field.prepend(note);
      } else {
        field.insertAdjacentElement("afterend", note);
      }
      var described = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      if (described.indexOf(note.id) < 0) described.push(note.id);
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
