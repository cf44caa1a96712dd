// Keeps the kiosk clock on Paris time, whatever the screen's own time zone.
const clock = document.getElementById("kiosk-time");
if (clock) {
  const format = new Intl.DateTimeFormat(document.documentElement.lang || "fr", {
    hour: "2-digit", minute: "2-digit", timeZone: "Europe/Paris",
  });
  const tick = () => {
    const now = new Date();
    clock.textContent = format.format(now);
    clock.dateTime = now.toISOString();
  };
  tick();
  setInterval(tick, 10000);
}
