/* Forms like a public service: when a form comes back refused, an error summary at its top lists each field to
 * correct (a link that moves to the field), and focus moves to that summary so the person sees it whatever the
 * form's length. One place for every form: it reads what the shared field macros of _forms.html render (a field's
 * error is <p class="error" id="e-NAME"> and the input has aria-invalid="true" aria-describedby="e-NAME").
 * Without JavaScript the errors stay next to their fields, as the server wrote them. */
(function () {
  "use strict";

  function labelOf(input) {
    var label = input.id ? document.querySelector('label[for="' + input.id + '"]') : null;
    return label ? label.textContent.replace(/\s*\*\s*$/, "").trim() : (input.name || "");
  }

  function summarise(form, invalid, heading) {
    var box = document.createElement("div");
    box.className = "error-summary";
    box.setAttribute("role", "alert");
    box.setAttribute("tabindex", "-1");
    var title = document.createElement("h2");
    title.textContent = heading;
    box.appendChild(title);
    var list = document.createElement("ul");
    invalid.forEach(function (input) {
      var error = document.getElementById((input.getAttribute("aria-describedby") || "").split(" ")[0]);
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "#" + input.id;
      link.textContent = labelOf(input) + (error ? " : " + error.textContent.trim() : "");
      link.addEventListener("click", function (event) {
        event.preventDefault();
        input.focus();
        input.scrollIntoView({block: "center"});
      });
      item.appendChild(link);
      list.appendChild(item);
    });
    box.appendChild(list);
    form.insertBefore(box, form.firstChild);
    return box;
  }

  function start() {
    var script = document.querySelector("script[data-error-heading]");
    var heading = script ? script.dataset.errorHeading : "";
    var first = null;
    Array.prototype.forEach.call(document.querySelectorAll("form"), function (form) {
      var invalid = Array.prototype.filter.call(form.querySelectorAll('[aria-invalid="true"]'), function (el) {
        return el.id;
      });
      if (!invalid.length || form.querySelector(".error-summary")) return;
      var box = summarise(form, invalid, heading);
      first = first || box;
    });
    if (first) {
      first.focus();
      first.scrollIntoView({block: "start"});
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
