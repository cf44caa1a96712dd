// Result entry that survives a network drop. A result tapped while the tablet is offline is kept in
// localStorage with its form (idempotency key included), shown as waiting, and sent when the network
// returns (the "online" event, and retries with a growing wait). The key makes a second send of the same
// result harmless; a conflict (409) or a refusal (400) is kept and shown, never applied silently.
// Without JavaScript the forms post as usual.
(function () {
  "use strict";

  var STORE = "xpo-pending-results";
  var script = document.currentScript;
  var words = script ? script.dataset : {};
  var retryTimer = null;
  var attempts = 0;
  var sending = false;

  function load() {
    try { return JSON.parse(localStorage.getItem(STORE) || "[]"); } catch (error) { return []; }
  }

  function save(items) {
    localStorage.setItem(STORE, JSON.stringify(items));
    show(items);
  }

  function say(key, values) {
    return (words[key] || key).replace(/\{(\w+)\}/g, function (all, name) { return values && name in values ? values[name] : all; });
  }

  function box() {
    var found = document.getElementById("pending-results");
    if (found) return found;
    found = document.createElement("section");
    found.id = "pending-results";
    found.className = "pending-results";
    found.setAttribute("aria-live", "polite");
    var main = document.querySelector("main") || document.body;
    main.insertBefore(found, main.firstChild);
    return found;
  }

  function show(items) {
    var section = box();
    section.replaceChildren();
    var waiting = items.filter(function (item) { return item.state === "pending"; });
    section.hidden = !items.length;
    if (!items.length) return;
    if (waiting.length) {
      var title = document.createElement("p");
      title.className = "pending-count";
      title.textContent = say(waiting.length === 1 ? "one" : "many", { n: waiting.length });
      section.appendChild(title);
    }
    var list = document.createElement("ul");
    items.forEach(function (item) {
      var line = document.createElement("li");
      line.className = "pending-" + item.state;
      line.dataset.key = item.key;
      var text = document.createElement("span");
      text.textContent = item.label + " : " + say(item.state === "pending" ? "waiting" : item.state);
      line.appendChild(text);
      if (item.state !== "pending") {
        var link = document.createElement("a");
        link.href = item.action;
        link.textContent = say("open");
        line.append(" ", link, " ");
        var dismiss = document.createElement("button");
        dismiss.type = "button";
        dismiss.className = "secondary small";
        dismiss.textContent = say("dismiss");
        dismiss.addEventListener("click", function () {
          save(load().filter(function (other) { return other.key !== item.key; }));
        });
        line.appendChild(dismiss);
      }
      list.appendChild(line);
    });
    section.appendChild(list);
  }

  function settle(key, state) {
    var items = load();
    items.forEach(function (item) { if (item.key === key) item.state = state; });
    save(items.filter(function (item) { return !(item.key === key && state === "sent"); }));
  }

  async function sendAll() {
    if (sending) return;
    sending = true;
    clearTimeout(retryTimer);
    retryTimer = null;
    var failed = false;
    var queue = load().filter(function (item) { return item.state === "pending"; });
    for (var i = 0; i < queue.length; i++) {
      var item = queue[i];
      var answer;
      try {
        answer = await fetch(item.action, {
          method: "POST", body: item.body, credentials: "same-origin", cache: "no-store",
          headers: { "content-type": "application/x-www-form-urlencoded" }
        });
      } catch (error) {
        failed = true;  // still offline: try again later
        break;
      }
      if (answer.ok) {
        settle(item.key, "sent");
        var here = document.querySelector("[data-entry-form][data-queued] [name=idempotency_key]");
        if (here && here.value === item.key) { sending = false; location.assign(item.action); return; }  // show the match as saved
      }
      else if (answer.status === 409) settle(item.key, "conflict");
      else if (answer.status === 400 || answer.status === 422 || answer.status === 403 || answer.status === 404) settle(item.key, "refused");
      else { failed = true; break; }  // a server in trouble: try again later
    }
    sending = false;
    if (failed) {
      var delay = Math.min(30000, 1000 * Math.pow(2, attempts)) * (0.75 + Math.random() * 0.5);
      attempts += 1;
      retryTimer = setTimeout(sendAll, delay);
    } else {
      attempts = 0;
    }
  }

  document.querySelectorAll("[data-entry-form]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (navigator.onLine) return;  // the ordinary post
      event.preventDefault();
      event.stopImmediatePropagation();  // entry.js's "sending" state is for a post that leaves now
      var key = form.querySelector("[name=idempotency_key]").value;
      var items = load().filter(function (item) { return item.key !== key; });
      var title = document.querySelector("h1");
      var data = new FormData(form);
      if (event.submitter && event.submitter.name) data.append(event.submitter.name, event.submitter.value);  // the tapped winner
      items.push({
        key: key, action: form.action, body: new URLSearchParams(data).toString(),
        label: title ? title.textContent.trim() : form.action, state: "pending", saved: new Date().toISOString()
      });
      save(items);
      form.classList.remove("sending");
      delete form.dataset.sent;
      form.querySelectorAll("button, input, select").forEach(function (field) { field.disabled = true; });
      form.dataset.queued = "1";
    }, true);
  });

  window.addEventListener("online", function () { attempts = 0; sendAll(); });
  show(load());
  if (navigator.onLine && load().some(function (item) { return item.state === "pending"; })) sendAll();
})();
