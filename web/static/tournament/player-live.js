/* A player's space, live: listens to the public board websocket of each of the player's tournaments
 * (docs/boards.md) and, on each event, fetches this private page again and swaps its live part in place
 * (no reload, the scroll position and an open form stay). The board carries no personal data: an event only
 * says "something changed in this tournament"; what changed for this player comes from their own page.
 * When the player is newly called to a station, the phone vibrates where the browser allows and a
 * screen reader announces it. Reconnects by itself (backoff 0.5 s … 15 s), also when the socket stays
 * silent for 2.5 heartbeats, and fetches the page again once back. */
(function () {
  "use strict";

  var live = document.getElementById("player-live");
  if (!live || !live.dataset.live || !window.WebSocket || !window.fetch) return;
  var announce = document.getElementById("player-announce");
  var heartbeat = parseFloat(live.dataset.heartbeat || "15") * 1000;
  var pending = null;

  function calledCount(root) {
    var called = root.querySelector("[data-called]");
    return called ? parseInt(called.dataset.called, 10) : 0;
  }

  function busy() {
    // Do not pull a form from under the player's fingers while they type a note.
    var active = document.activeElement;
    return active && live.contains(active) && (active.tagName === "TEXTAREA" || active.tagName === "INPUT");
  }

  function refresh() {
    pending = null;
    if (busy()) { later(1000); return; }
    fetch(window.location.pathname, { credentials: "same-origin", cache: "no-store", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (text) {
        if (!text) return;
        var fresh = new DOMParser().parseFromString(text, "text/html").getElementById("player-live");
        if (!fresh) return;
        var before = calledCount(live);
        var open = {};
        live.querySelectorAll("details[open]").forEach(function (d, i) { open[i] = true; });
        live.innerHTML = fresh.innerHTML;
        live.querySelectorAll("details").forEach(function (d, i) { if (open[i]) d.open = true; });
        if (calledCount(live) > before) {
          var heading = live.querySelector("[data-called] h2");
          if (announce && heading) announce.textContent = heading.textContent + " " + live.querySelector("[data-called] li").textContent;
          if (navigator.vibrate) { try { navigator.vibrate([300, 150, 300]); } catch (e) { /* not allowed */ } }
        }
      })
      .catch(function () { /* the next event or reconnection tries again */ });
  }

  function later(delay) {
    if (!pending) pending = setTimeout(refresh, delay === undefined ? 150 : delay);
  }

  function watch(target) {
    var seq = target.since || 0;
    var attempts = 0;
    var silence = null;
    var socket = null;

    function quiet() {
      clearTimeout(silence);
      silence = setTimeout(function () { if (socket) socket.close(); }, heartbeat * 2.5);
    }

    function connect() {
      socket = new WebSocket(target.ws + "?since=" + seq);
      socket.onopen = function () {
        if (attempts > 0) later();  // back after a drop: whatever was missed is on the page now
        attempts = 0;
        quiet();
      };
      socket.onmessage = function (event) {
        quiet();
        var message = JSON.parse(event.data);
        if ((message.type === "event" || message.type === "snapshot") && message.seq > seq) {
          seq = message.seq;
          later();
        } else if (message.type === "snapshot") {
          seq = message.seq;
        }
      };
      socket.onclose = function () {
        clearTimeout(silence);
        socket = null;
        var delay = Math.min(15000, 500 * Math.pow(2, attempts)) * (0.75 + Math.random() / 2);
        attempts += 1;
        setTimeout(connect, delay);
      };
    }

    connect();
  }

  JSON.parse(live.dataset.live).forEach(watch);
  window.addEventListener("online", function () { later(); });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) later(); });
})();
