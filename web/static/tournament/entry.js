// Result entry on a tablet: tap the players of each race in finishing order instead of choosing places.
// Without JavaScript the page still works: every player has a place list per race.
(function () {
  "use strict";

  function setUpRace(fieldset) {
    var grid = fieldset.querySelector(".race-grid");
    var selects = Array.prototype.slice.call(fieldset.querySelectorAll("select"));
    if (!grid || !selects.length) return;
    var taps = document.createElement("div");
    taps.className = "race-taps";
    var status = document.createElement("p");
    status.className = "race-status";
    status.setAttribute("aria-live", "polite");
    var buttons = selects.map(function (select) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "tap-player";
      button.addEventListener("click", function () {
        if (select.value) return;
        var taken = selects.filter(function (s) { return s.value; }).length;
        select.value = String(taken + 1);
        refresh();
      });
      taps.appendChild(button);
      return button;
    });
    var reset = document.createElement("button");
    reset.type = "button";
    reset.className = "secondary small race-reset";
    reset.textContent = fieldset.closest("form").dataset.resetLabel || "↺";
    reset.addEventListener("click", function () {
      selects.forEach(function (s) { s.value = ""; });
      refresh();
    });

    function refresh() {
      var order = [];
      selects.forEach(function (select, index) {
        var button = buttons[index];
        button.textContent = "";
        var name = document.createElement("span");
        name.className = "pseudonym";
        name.textContent = select.dataset.player;
        button.appendChild(name);
        if (select.value) {
          var place = document.createElement("span");
          place.className = "place";
          place.textContent = select.value;
          button.insertBefore(place, name);
          order[Number(select.value) - 1] = select.dataset.player;
        }
        button.setAttribute("aria-pressed", select.value ? "true" : "false");
      });
      status.textContent = order.filter(Boolean).map(function (name, i) { return (i + 1) + ". " + name; }).join(" · ");
    }

    grid.hidden = true;
    fieldset.insertBefore(taps, grid);
    fieldset.insertBefore(status, grid);
    fieldset.insertBefore(reset, grid);
    refresh();
  }

  document.querySelectorAll("[data-entry-form]").forEach(function (form) {
    form.querySelectorAll("fieldset.race").forEach(setUpRace);
    // One tap sends once: a second tap while the page loads would only replay the same key.
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) {
        event.preventDefault();
        return;
      }
      form.dataset.sent = "1";
      form.classList.add("sending");
    });
  });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
