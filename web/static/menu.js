// The menu starts open (it works without JavaScript); on a phone it folds behind its "Menu" button.
(function () {
  var menu = document.querySelector("details.menu");
  if (menu && window.matchMedia("(max-width: 40rem)").matches) menu.open = false;
})();
