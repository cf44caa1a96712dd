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

// The kiosk's home asks again every heartbeat: a revoked address goes to a neutral screen, a board that
// starts (the server then redirects to it) or a new live tournament shows up, with no reload by hand.
const home = document.querySelector(".kiosk-screen[data-heartbeat]");
if (home) {
  const check = async () => {
    let answer;
    try {
      answer = await fetch(location.href, { cache: "no-store", credentials: "same-origin" });
    } catch (error) {
      return; // offline: try again at the next beat
    }
    if (answer.status === 404) {
      const box = document.createElement("div");
      box.className = "kiosk-screen";
      box.setAttribute("role", "alert");
      const title = document.createElement("h1");
      title.className = "kiosk-label";
      title.textContent = home.dataset.removed;
      const help = document.createElement("p");
      help.className = "kiosk-message";
      help.textContent = home.dataset.removedHelp;
      box.append(title, help);
      home.replaceWith(box);
      document.body.dataset.removed = "1";
      clearInterval(timer);
    } else if (answer.redirected) {
      location.assign(answer.url);
    } else if (answer.ok) {
      const page = new DOMParser().parseFromString(await answer.text(), "text/html");
      const fresh = page.querySelector(".kiosk-screen[data-live]");
      if (fresh && fresh.dataset.live !== home.dataset.live) location.reload();
    }
  };
  const timer = setInterval(check, Math.max(2, Number(home.dataset.heartbeat) || 15) * 1000);
}
