/* X.PO Live boards: keep a tournament's board in step with the server, and draw it.
 *
 * Protocol (docs/boards.md): a snapshot, then one event per seq carrying what it changed (a delta,
 * or whole parts when replayed from the database).
 * The page starts from the snapshot embedded in it, connects with ?since=<its seq>, and on any
 * loss reconnects with backoff from its last seq. Nothing here needs a mouse.
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("board-config").textContent);
  var words = config.words;
  var board = JSON.parse(document.getElementById("board-initial").textContent);
  var seq = board.seq;
  var view = config.view;
  var SVG = "http://www.w3.org/2000/svg";
  var SHARED = ["tournament", "stations", "calls", "podium"];

  function say(key, values) {
    return (words[key] || key).replace(/\{(\w+)\}/g, function (all, name) {
      return values && name in values ? String(values[name]) : all;
    });
  }

  // --- state ---------------------------------------------------------------------------------

  function byIds(list) {
    var out = {};
    list.forEach(function (item) { out[item.id] = item; });
    return out;
  }

  // The lists a delta patches item by item, and each item's key (snapshots.KEYED_LISTS).
  var KEYS = {
    matches: function (match) { return match.id; },
    standings: function (row) { return row.entrant ? row.entrant.player_id : null; },
    stations: function (station) { return station.number; },
    calls: function (call) { return call.station; }
  };

  function applyList(current, change, key) {
    if ("all" in change) return change.all;
    var known = {};
    current.forEach(function (item) { known[key(item)] = item; });
    (change.items || []).forEach(function (item) { known[key(item)] = item; });
    (change.patch || []).forEach(function (pair) { known[pair[0]] = Object.assign({}, known[pair[0]], pair[1]); });
    var order = change.order || current.map(key);
    return order.map(function (k) { return known[k]; });
  }

  // A delta (snapshots.diff): only what changed, patched into the parts it names.
  function applyDelta(delta) {
    var stages = byIds(board.stages);
    (delta.stages || []).forEach(function (change) {
      var stage = Object.assign({}, stages[change.id] || {}, change.set || {});
      ["matches", "standings"].forEach(function (name) {
        if (change[name]) stage[name] = applyList(stage[name], change[name], KEYS[name]);
      });
      stages[change.id] = stage;
    });
    var ids = delta.stage_order || board.stages.map(function (stage) { return stage.id; });
    board.stages = ids.filter(function (id) { return id in stages; }).map(function (id) { return stages[id]; });
    SHARED.forEach(function (part) {
      if (part in delta) board[part] = KEYS[part] ? applyList(board[part], delta[part], KEYS[part]) : delta[part];
    });
  }

  // Whole parts (a replay read from the database after a restart): replace the parts it names.
  function applyChanges(changes) {
    var byId = byIds(board.stages);
    changes.stages.forEach(function (stage) { byId[stage.id] = stage; });
    board.stages = changes.stage_order.filter(function (id) { return id in byId; }).map(function (id) { return byId[id]; });
    SHARED.forEach(function (part) { board[part] = changes[part]; });
  }

  function applyEvent(message) {
    if (message.delta) applyDelta(message.delta); else applyChanges(message.changes);
    board.seq = seq = message.seq;
  }

  function handle(message) {
    if (message.type === "snapshot") {
      board = message.board;
      seq = board.seq;
      render();
    } else if (message.type === "event") {
      if (message.seq <= seq) return;
      if (message.seq !== seq + 1) { restart(); return; }
      applyEvent(message);
      render();
    }
    document.body.dataset.seq = String(seq);
  }

  // --- connection ----------------------------------------------------------------------------

  var socket = null;
  var attempts = 0;
  var failingSince = null;
  var silenceTimer = null;
  var retryTimer = null;
  var statusBox = document.getElementById("board-status");
  var gone = false;

  function setStatus(status) {
    statusBox.dataset.status = status;
    statusBox.querySelector(".label").textContent = say(status);
  }

  function connect() {
    retryTimer = null;
    if (gone) return;
    var current = new WebSocket(config.ws_url + "?since=" + seq + (config.screen ? "&ecran=" + encodeURIComponent(config.screen) : ""));
    socket = current;
    current.onopen = function () {
      attempts = 0;
      failingSince = null;
      setStatus("connected");
      listen();
    };
    current.onmessage = function (event) {
      if (socket !== current) return;
      listen();
      handle(JSON.parse(event.data));
    };
    current.onclose = function (event) {
      if (event.code === REVOKED) { socket = null; removed(); return; }
      if (socket === current) { socket = null; retry(); }
    };
  }

  var REVOKED = 4003;  // hub.REVOKED_CODE: this kiosk screen's address was revoked or replaced

  // A revoked screen shows nothing of the tournament any more, and never reconnects.
  function removed() {
    clearTimeout(silenceTimer);
    clearTimeout(retryTimer);
    gone = true;
    var main = document.querySelector("main");
    var box = el("div", "board-removed");
    box.setAttribute("role", "alert");
    box.appendChild(el("h1", null, say("removed")));
    box.appendChild(el("p", null, say("removed_help")));
    main.replaceChildren(box);
    document.body.dataset.removed = "1";
  }

  function listen() {
    clearTimeout(silenceTimer);
    silenceTimer = setTimeout(restart, config.heartbeat * 2500 + 2000);
  }

  function restart() {
    var old = socket;
    socket = null;
    if (old) old.close();
    retry();
  }

  function retry() {
    if (gone) return;
    clearTimeout(silenceTimer);
    if (retryTimer) return;
    failingSince = failingSince || Date.now();
    setStatus(!navigator.onLine || Date.now() - failingSince > 30000 ? "offline" : "reconnecting");
    var delay = retryDelay(attempts);
    attempts += 1;
    retryTimer = setTimeout(connect, delay);
  }

  // The wait before reconnection attempt n (from 0): the first soon (100-300 ms), then doubling up to
  // a 2 s cap, each drawn at random over the upper half of its range, so the screens of a restarted
  // server are all back within about 2 s of it accepting, spread over that time rather than together
  // (a refused connection costs the server nothing). perf/bench_storm.py uses the same rule.
  function retryDelay(n) {
    if (n === 0) return 100 + Math.random() * 200;
    var ceiling = Math.min(2000, 250 * Math.pow(2, n));
    return ceiling * (0.5 + Math.random() * 0.5);
  }

  window.addEventListener("online", function () {
    if (retryTimer) { clearTimeout(retryTimer); retryTimer = null; attempts = 0; connect(); }
  });

  // --- drawing helpers -----------------------------------------------------------------------

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function svg(tag, attributes, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function entrantText(entrant) {
    return entrant ? say("entrant", entrant) : say("to_be_decided");
  }

  function finalStage() {
    return board.stages.filter(function (s) { return s.kind === "final"; }).pop() || null;
  }

  function stageTitle(stage) {
    if (stage.kind === "final") return say("final");
    return say("qualifier", { library: stage.library ? stage.library.commune : "" });
  }

  function matchById(stage) {
    var found = {};
    stage.matches.forEach(function (m) { found[m.id] = m; });
    return found;
  }

  function seatLabel(stage, match, seat, byId) {
    var entrant = match.entrants[seat];
    if (entrant) return entrant;
    var slot = match.slots[seat];
    if (slot && slot.bye) return { label: say("bye") };
    if (slot && slot.from && byId[slot.from] && byId[slot.from].number) {
      var key = slot.take === "loser" ? "loser_of" : "winner_of";
      return { label: say(key, { number: byId[slot.from].number }) };
    }
    return { label: say("to_be_decided") };
  }

  function isWinner(match, entrant) {
    return !!(entrant && match.ranking && match.ranking[0] && match.ranking[0].player_id === entrant.player_id);
  }

  function calledStations() {
    var called = {};
    board.calls.forEach(function (call) { called[call.stage_id + ":" + call.match_id] = call.station; });
    return called;
  }

  function empty(text) {
    return el("p", "board-empty", text);
  }

  // --- bracket -------------------------------------------------------------------------------
  //
  // Laid out in the units the SVG is drawn in. A public board uses fixed sizes and scales to the page's width.
  // A kiosk lays out in the screen's own pixels, from a text size tied to the screen's height (28 px at
  // 1080p): boxes widen to fill the width; when everything cannot fit, the screen pages through the
  // sections (main bracket, losers bracket…) and leaves out finished early rounds, rather than shrink the text.
  // The grand final and third-place match stand to the right of the last column of every section.

  var TRAILING = ["grand_final", "third_place"];

  function sizes(kiosk, area) {
    if (!kiosk) return { font: 24, boxW: 340, rowH: 46, headH: 30, gapX: 70, gapY: 26, fit: false };
    var font = Math.max(14, Math.round(window.innerHeight * 0.026));
    return { font: font, boxW: 0, rowH: Math.round(font * 1.25), headH: Math.round(font * 1.0),
      gapX: Math.round(font * 1.6), gapY: Math.round(font * 0.3), fit: true, area: area };
  }

  function sectionOf(match) {
    if (TRAILING.indexOf(match.bracket) >= 0) return "trailing";
    return match.bracket === "winners" ? "main" : match.bracket;
  }

  function columnsOf(matches, skip) {
    var keys = [], by = {};
    matches.forEach(function (match) {
      var key = TRAILING.indexOf(match.bracket) >= 0 ? 1000 * (TRAILING.indexOf(match.bracket) + 1) + match.round : match.round;
      if (!(key in by)) { by[key] = []; keys.push(key); }
      by[key].push(match);
    });
    keys.sort(function (a, b) { return a - b; });
    return keys.slice(skip || 0).map(function (key) { return by[key]; });
  }

  function finished(column) {
    return column.every(function (match) { return match.state === "decided"; });
  }

  // Positions of the matches of `parts` ([{name, columns}]), stacked; the trailing columns after them.
  function layout(parts, trailing, size) {
    var columnCount = 0;
    parts.forEach(function (part) { columnCount = Math.max(columnCount, part.columns.length); });
    var allColumns = columnCount + trailing.length;
    var boxW = size.boxW;
    if (size.fit) {
      boxW = Math.floor((size.area.width - 8 - size.gapX * (allColumns - 1)) / allColumns);
      boxW = Math.max(size.font * 9, Math.min(size.font * 40, boxW));
    }
    var boxes = {}, titles = [], top = 0;
    function place(column, x, floorTop, section) {
      var items = column.map(function (match, order) {
        var height = size.headH + size.rowH * Math.max(2, match.slots.length);
        var sources = match.slots.map(function (slot) { return slot.from && slot.take === "winner" ? boxes[slot.from] : null; })
          .filter(Boolean);
        if (section !== "trailing") sources = sources.filter(function (box) { return box.section === section; });
        var wanted = sources.length
          ? sources.reduce(function (sum, box) { return sum + box.y + box.h / 2; }, 0) / sources.length - height / 2
          : floorTop + order * (height + size.gapY);
        return { match: match, h: height, y: wanted };
      });
      var floor = floorTop;
      items.sort(function (a, b) { return a.y - b.y; }).forEach(function (item) {
        item.y = Math.max(item.y, floor);
        floor = item.y + item.h + size.gapY;
        boxes[item.match.id] = { x: x, y: item.y, h: item.h, section: section, match: item.match };
      });
      return floor;
    }
    parts.forEach(function (part) {
      if (part.name !== "main") {
        titles.push({ y: top + size.font, text: part.name });
        top += Math.round(size.font * 1.5);
      }
      var bottom = top;
      part.columns.forEach(function (column, index) {
        bottom = Math.max(bottom, place(column, index * (boxW + size.gapX), top, part.name));
      });
      top = bottom + size.gapY * 2;
    });
    trailing.forEach(function (column, index) {
      top = Math.max(top, place(column, (columnCount + index) * (boxW + size.gapX), 0, "trailing") + size.gapY * 2);
    });
    var width = Math.max(0, allColumns * (boxW + size.gapX) - size.gapX);
    return { boxes: boxes, titles: titles, width: width, height: Math.max(0, top - size.gapY * 2), boxW: boxW };
  }

  // The pages a kiosk shows in turn: everything if it fits, else one section per page (the trailing
  // columns with the main one), each leaving out finished early rounds while it does not fit.
  function pages(bySection, sections, trailing, size) {
    var parts = sections.map(function (name) { return { name: name, matches: bySection[name] }; });
    var all = parts.map(function (part) { return { name: part.name, columns: columnsOf(part.matches) }; });
    var fits = function (drawn) { return !size.fit || drawn.height <= size.area.height; };
    var whole = layout(all, trailing, size);
    if (fits(whole) || parts.length < 2 && !trailingMatters(all)) return [whole];
    var out = [];
    parts.forEach(function (part, index) {
      var skip = 0, drawn;
      var own = index === 0 ? trailing : [];
      while (true) {
        var columns = columnsOf(part.matches, skip);
        drawn = layout([{ name: part.name, columns: columns }], own, size);
        if (fits(drawn) || columns.length < 2 || !finished(columns[0])) break;
        skip += 1;
      }
      out.push(drawn);
    });
    return out;
  }

  function trailingMatters(all) {
    return all.length && all[0].columns.length > 1 && finished(all[0].columns[0]);
  }

  var bracketPage = 0;

  function drawBracket(container) {
    var stage = finalStage();
    if (!stage || !stage.matches.length) { container.appendChild(empty(say("no_final"))); return; }
    var byId = matchById(stage);
    var called = calledStations();
    var sections = [], bySection = {}, trailingMatches = [];
    stage.matches.forEach(function (match) {
      if (match.state === "bye") return;
      var name = sectionOf(match);
      if (name === "trailing") { trailingMatches.push(match); return; }
      if (!bySection[name]) { bySection[name] = []; sections.push(name); }
      bySection[name].push(match);
    });
    sections.sort(function (a, b) { return (a === "main" ? 0 : 1) - (b === "main" ? 0 : 1); });
    var kiosk = document.body.classList.contains("board-kiosk");
    var area = kiosk ? { width: container.clientWidth || window.innerWidth, height: container.clientHeight || window.innerHeight * 0.8 } : null;
    var size = sizes(kiosk, area);
    var trailing = columnsOf(trailingMatches);
    var all = pages(bySection, sections, trailing, size);
    var drawnPage = all[bracketPage % all.length];
    var drawn = svg("g");
    var lines = svg("g", { "class": "connectors" });
    var boxes = drawnPage.boxes;
    drawnPage.titles.forEach(function (title) {
      drawn.appendChild(svg("text", { x: 0, y: title.y, "class": "section-title", "font-size": size.font },
        say(title.text in words ? title.text : "pool", { name: title.text })));
    });
    Object.keys(boxes).forEach(function (id) {
      var box = boxes[id];
      drawn.appendChild(drawMatch(stage, box.match, box.x, box.y, byId, called, size, drawnPage.boxW));
      box.match.slots.forEach(function (slot, seat) {
        var from = slot.from && slot.take === "winner" ? boxes[slot.from] : null;
        if (!from) return;
        var x1 = from.x + drawnPage.boxW, y1 = from.y + from.h / 2;
        var x2 = box.x, y2 = box.y + size.headH + size.rowH * seat + size.rowH / 2;
        var mid = x2 - size.gapX / 2;
        if (x2 <= x1) { mid = x1 + 12; }
        lines.appendChild(svg("path", { d: "M" + x1 + " " + y1 + " H" + mid + " V" + y2 + " H" + x2 }));
      });
    });
    var width = drawnPage.width, height = drawnPage.height;
    if (size.fit) {  // the screen's own pixels: the picture is exactly as large as the room it has
      width = Math.max(width, 1);
      height = Math.max(height, 1);
    }
    var picture = svg("svg", {
      viewBox: "-4 -4 " + (width + 8) + " " + (height + 8), "class": "bracket", role: "img",
      "aria-label": say("bracket"), preserveAspectRatio: "xMidYMin meet"
    });
    if (size.fit) {  // a page still too tall (a first round still being played): shrink it to fit, the last resort
      var shrink = Math.min(1, size.area.height / (height + 8), size.area.width / (width + 8));
      picture.setAttribute("width", (width + 8) * shrink);
      picture.setAttribute("height", (height + 8) * shrink);
    }
    picture.appendChild(lines);
    picture.appendChild(drawn);
    container.appendChild(picture);
    container.dataset.pages = String(all.length);
    // A name longer than its box is narrowed to fit rather than cut off or spilling over.
    picture.querySelectorAll("text.name, text.head").forEach(function (text) {
      var room = drawnPage.boxW - 24;
      if (text.getComputedTextLength() > room) {
        text.setAttribute("textLength", room);
        text.setAttribute("lengthAdjust", "spacingAndGlyphs");
      }
    });
  }

  function drawMatch(stage, match, x, y, byId, called, size, boxW) {
    var station = called[stage.id + ":" + match.id];
    var group = svg("g", {
      "class": "match state-" + match.state + (station ? " called" : ""),
      "data-match": match.id, transform: "translate(" + x + "," + y + ")"
    });
    var rows = Math.max(2, match.slots.length);
    var small = Math.ceil(size.font * 0.86);
    var baseline = Math.round(size.rowH / 2 + size.font * 0.36);
    group.appendChild(svg("rect", { width: boxW, height: size.headH + size.rowH * rows, rx: 8, "class": "box" }));
    var head = say("match", { number: match.number });
    if (station) head += " · " + say("station", { number: station });
    else if (match.result && match.result.outcome !== "played") head += " · " + say("forfeit");
    group.appendChild(svg("text", { x: 12, y: Math.round(size.headH / 2 + small * 0.36), "class": "head", "font-size": small }, head));
    for (var seat = 0; seat < match.slots.length; seat++) {
      var entrant = seatLabel(stage, match, seat, byId);
      var rowY = size.headH + size.rowH * seat;
      var classes = "seat";
      if (entrant.player_id !== undefined) classes += isWinner(match, entrant) ? " winner" : (match.ranking ? " loser" : "");
      else classes += " unknown";
      var row = svg("g", { "class": classes, "data-player": entrant.player_id === undefined ? "" : entrant.player_id });
      row.appendChild(svg("rect", { y: rowY, width: boxW, height: size.rowH, "class": "seat-bg" }));
      row.appendChild(svg("text", { x: 12, y: rowY + baseline, "class": "name", "font-size": size.font }, entrant.pseudonym || entrant.label));
      if (entrant.commune && boxW >= size.font * (size.fit ? 16 : 12)) {  // no room for both: the pseudonym alone
        row.appendChild(svg("text", { x: boxW - 12, y: rowY + baseline, "class": "commune", "text-anchor": "end", "font-size": small }, entrant.commune));
      }
      group.appendChild(row);
    }
    return group;
  }

  // --- matches, upcoming, standings, podium --------------------------------------------------

  function callLine(call) {
    var names = call.entrants.map(entrantText);
    var versus = names.length === 2 ? say("versus", { home: names[0], away: names[1] }) : names.join(" · ");
    return say("match", { number: call.number }) + " · " + say("station", { number: call.station }) + " · " + versus;
  }

  function drawMatches(container) {
    if (board.calls.length) {
      var list = el("ol", "call-list");
      board.calls.forEach(function (call) {
        var line = el("li", "call", callLine(call));
        line.dataset.match = call.match_id;
        list.appendChild(line);
      });
      container.appendChild(list);
    }
    if (board.stations.length) {
      var grid = el("div", "stations");
      board.stations.forEach(function (station) {
        var card = el("div", "station" + (station.match_id ? " busy" : ""));
        card.appendChild(el("p", "station-number", say("station", { number: station.number })));
        card.appendChild(el("p", "station-match", station.match_id ? say("match", { number: station.match_number }) : say("free_station")));
        grid.appendChild(card);
      });
      container.appendChild(grid);
    }
    var playing = [];
    board.stages.forEach(function (stage) {
      if (stage.kind === "final" || stage.status !== "running") return;
      stage.matches.forEach(function (match) { if (match.state === "playable") playing.push([stage, match]); });
    });
    if (playing.length) container.appendChild(matchList(playing, "next"));
    if (!board.calls.length && !playing.length) container.appendChild(empty(say("no_matches")));
  }

  function matchList(items, label) {
    var list = el("ol", "match-list");
    items.forEach(function (item) {
      var stage = item[0], match = item[1];
      var byId = matchById(stage);
      var line = el("li", "match-line state-" + match.state);
      line.dataset.match = match.id;
      line.appendChild(el("span", "match-number", say("match", { number: match.number })));
      var names = match.slots.map(function (slot, seat) {
        var entrant = seatLabel(stage, match, seat, byId);
        return entrant.pseudonym ? say("entrant", entrant) : entrant.label;
      });
      line.appendChild(el("span", "match-names", names.length === 2 ? say("versus", { home: names[0], away: names[1] }) : names.join(" · ")));
      var where = stage.kind !== "final" ? stageTitle(stage) : say(match.state === "waiting" ? "waiting" : label);
      line.appendChild(el("span", "match-where", where));
      list.appendChild(line);
    });
    return list;
  }

  function drawUpcoming(container) {
    var called = calledStations();
    var items = [];
    var planned = [];
    var stages = board.stages.filter(function (s) { return s.status === "running"; });
    stages.sort(function (a, b) { return (a.kind === "final" ? 0 : 1) - (b.kind === "final" ? 0 : 1); });
    stages.forEach(function (stage) {
      ["playable", "waiting"].forEach(function (state) {
        stage.matches.forEach(function (match) {
          if (match.state === state && !called[stage.id + ":" + match.id]) items.push([stage, match]);
        });
      });
      (stage.planned || []).forEach(function (round) { planned.push([stage, round]); });
    });
    if (!items.length && !planned.length) { container.appendChild(empty(say("no_upcoming"))); return; }
    if (items.length) container.appendChild(matchList(items.slice(0, 12), "next"));
    if (planned.length) {
      var list = el("ol", "match-list planned");
      planned.forEach(function (item) {
        var stage = item[0], round = item[1];
        var line = el("li", "match-line state-waiting");
        var key = round.heats === 1 ? "planned_final" : "planned_heats";
        line.appendChild(el("span", "match-names", say(key, { heats: round.heats, players: round.players })));
        line.appendChild(el("span", "match-where", stage.kind === "final" ? say("after_current_heats") : stageTitle(stage)));
        list.appendChild(line);
      });
      container.appendChild(list);
    }
  }

  function drawStandings(container) {
    var stages = board.stages.filter(function (s) { return s.kind === "qualifier" || s.status === "running"; });
    if (!stages.length) { container.appendChild(empty(say("no_standings"))); return; }
    stages.sort(function (a, b) {
      return (a.kind === "final" ? 0 : 1) - (b.kind === "final" ? 0 : 1) || (a.status === "running" ? 0 : 1) - (b.status === "running" ? 0 : 1);
    });
    var grid = el("div", "standings");
    stages.forEach(function (stage) {
      var card = el("section", "standing-card");
      card.appendChild(el("h3", null, stageTitle(stage)));
      card.appendChild(el("p", "standing-status", say(stage.status)));
      var table = el("table");
      var head = el("tr");
      ["place", "player", "points", "record"].forEach(function (key) { head.appendChild(el("th", null, say(key))); });
      table.appendChild(el("thead")).appendChild(head);
      var body = table.appendChild(el("tbody"));
      stage.standings.slice(0, 8).forEach(function (line) {
        var row = el("tr", line.provisional ? "provisional" : null);
        row.appendChild(el("td", "place", line.place));
        var name = el("td", "name", line.entrant ? line.entrant.pseudonym : "?");
        if (line.provisional) name.appendChild(el("span", "badge", say("in_play")));
        row.appendChild(name);
        row.appendChild(el("td", "points", line.points === null || line.points === undefined ? "—" : line.points));
        row.appendChild(el("td", "record", line.wins + "–" + line.draws + "–" + line.losses));
        body.appendChild(row);
      });
      card.appendChild(table);
      grid.appendChild(card);
    });
    container.appendChild(grid);
  }

  function drawPodium(container) {
    if (!board.podium.length) { container.appendChild(empty(say("no_podium"))); return; }
    var steps = el("ol", "podium");
    var labels = { 1: "first", 2: "second", 3: "third" };
    board.podium.slice().sort(function (a, b) { return a.place - b.place; }).forEach(function (line) {
      var step = el("li", "step place-" + line.place);
      step.appendChild(el("p", "step-place", say(labels[line.place] || "third")));
      step.appendChild(el("p", "step-name", line.entrant ? line.entrant.pseudonym : "?"));
      step.appendChild(el("p", "step-commune", line.entrant ? line.entrant.commune : ""));
      steps.appendChild(step);
    });
    container.appendChild(steps);
  }

  var DRAW = { bracket: drawBracket, matches: drawMatches, upcoming: drawUpcoming, standings: drawStandings, podium: drawPodium };
  var pending = false;

  function render() {
    if (pending || gone) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      var container = document.getElementById("board-view");
      var fresh = container.cloneNode(false);
      fresh.dataset.view = view;
      document.getElementById("board-view-title").textContent = say(view);  // before the bracket measures its room
      container.replaceWith(fresh);
      DRAW[view](fresh);
      document.body.dataset.seq = String(seq);
    });
  }

  if (config.rotation > 0) {
    setInterval(function () {
      var shown = document.getElementById("board-view");
      if (view === "bracket" && bracketPage + 1 < Number(shown.dataset.pages || 1)) {
        bracketPage += 1;
      } else {
        bracketPage = 0;
        view = config.views[(config.views.indexOf(view) + 1) % config.views.length];
      }
      render();
    }, config.rotation * 1000);
  }
  window.addEventListener("resize", function () { render(); });

  window.xpoBoard = {
    get seq() { return seq; },
    get board() { return board; },
    get view() { return view; }
  };

  render();
  connect();
})();
