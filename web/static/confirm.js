/* Confirm, then do: a form marked data-confirm="what will happen" asks once in a <dialog> before it is sent.
 * Progressive enhancement only: without JavaScript the form is sent as before, and the server stays the
 * authority (it refuses what is not allowed whatever this page says). */
(function () {
  "use strict";

  var dialog = null;
  var pending = null;

  function build() {
    dialog = document.createElement("dialog");
    dialog.className = "confirm-dialog";
    dialog.setAttribute("aria-labelledby", "confirm-dialog-text");
    var text = document.createElement("p");
    text.id = "confirm-dialog-text";
    var actions = document.createElement("div");
    actions.className = "actions";
    var yes = document.createElement("button");
    yes.type = "button";
    yes.dataset.answer = "yes";
    var no = document.createElement("button");
    no.type = "button";
    no.className = "secondary";
    no.dataset.answer = "no";
    actions.appendChild(yes);
    actions.appendChild(no);
    dialog.appendChild(text);
    dialog.appendChild(actions);
    document.body.appendChild(dialog);
    yes.addEventListener("click", function () {
      var form = pending && pending.form;
      var submitter = pending && pending.submitter;
      dialog.close();
      if (!form) return;
      form.dataset.confirmed = "1";
      if (form.requestSubmit) form.requestSubmit(submitter || undefined); else form.submit();
    });
    no.addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("close", function () {
      var back = pending && (pending.submitter || pending.form.querySelector("button, [type=submit]"));
      pending = null;
      if (back && document.contains(back)) back.focus();
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
    if (form.dataset.confirmed === "1") { delete form.dataset.confirmed; return; }
    if (typeof HTMLDialogElement === "undefined") return;
    event.preventDefault();
    if (!dialog) build();
    pending = { form: form, submitter: event.submitter || null };
    dialog.querySelector("p").textContent = form.dataset.confirm;
    dialog.querySelector("[data-answer=yes]").textContent = form.dataset.confirmYes || "OK";
    dialog.querySelector("[data-answer=no]").textContent = form.dataset.confirmNo || "×";
    dialog.showModal();
    dialog.querySelector("[data-answer=no]").focus();
  }, true);
})();
