// "Print the card" buttons: shown only when scripts run (otherwise the browser's own print command works).
for (const button of document.querySelectorAll("[data-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
