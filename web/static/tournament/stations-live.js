/* Stations page, live: listens to the tournament's board websocket and, on each event, fetches this page
 * again and swaps its calls and stations in place (no reload, the scroll position stays). The board
 * protocol is docs/boards.md: it connects with ?since=<the page's seq>, so an event or a fresh snapshot means
 * "something changed"; heartbeats are ignored. */
(function () {
  "use strict";

  var live = document.getElementById("stations-live");
  if (!live || !live.dataset.ws || !window.WebSocket) return;
  var attempts = 0;
  var pending = null;

  function refresh() {
    pending = null;
    fetch(window.location.pathname, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (text) {
        if (!text) return;
        var fresh = new DOMParser().parseFromString(text, "text/html").getElementById("stations-live");
        if (fresh) live.innerHTML = fresh.innerHTML;
      })
      .catch(function () { /* the next event or reconnection tries again */ });
  }

  function later() {
    if (!pending) pending = setTimeout(refresh, 300);
  }

  var seq = parseInt(live.dataset.since || "0", 10);

  function connect() {
    var socket = new WebSocket(live.dataset.ws + "?since=" + seq);
    socket.onopen = function () { attempts = 0; };
    socket.onmessage = function (event) {
      var message = JSON.parse(event.data);
      if (message.type === "event" || message.type === "snapshot") {
        seq = Math.max(seq, message.seq);
        later();
      }
    };
    socket.onclose = function () {
      var delay = Math.min(15000, 500 * Math.pow(2, attempts));
      attempts += 1;
      setTimeout(connect, delay);
    };
  }

  connect();
})();
