// leathernest: the trainee's page. Join a class with its code and a name, pick an open exercise,
// lay its pieces on the hide by hand, submit, see the score and the engine's layout beside one's
// own, and one's history. The server judges every move with the exact validator's rules: a move
// sends the layout and the pieces that moved (POST .../check), and the page keeps the other
// pieces' answers. The layout is kept in this browser (localStorage) after every change, so a
// reload or a closed tab loses nothing; the server keeps a copy too (another tablet).
"use strict";

const SNAP_PX = 14;        // snap when the gap to a neighbour or edge is this close on screen
const SNAP_SAFETY_MM = 0.01; // snapped pieces keep this much more than the gap (validator: 1e-6)
const FINE_DEG = 1;
const HISTORY = 500;
const TOUCH_PX = 44;       // the smallest thing a finger should have to hit
const LONG_PRESS_MS = 450; // a finger held this long on a tray piece picks it up
const SAME_TURN_DEG = 5;
const MAX_MOVED = 40;      // more moved pieces than this (the server takes 50): check them all   // coarse turns closer than this are one step (they look the same)
// Worst first: what ruins a piece before what wastes leather.
const RULE_ORDER = ["defect", "outside", "overlap", "grade", "grain", "rotation", "mirror", "gap",
                    "margin", "group", "demand", "unknown", "area", "polygon"];
const GLOBAL_KINDS = new Set(["unknown", "demand", "group"]);

const S = {
  token: localStorage.getItem("leathernest.token"), me: null, eid: null, ex: null,
  job: null, pieces: new Map(), tabs: [], tab: null, placed: new Map(), undo: [], redo: [],
  selected: null, snap: true, snapAllowed: true, violations: [], checkMs: null, drag: null,
  view: null, engine: null, score: null, online: true, sent: new Map(), moved: new Set(),
  submitted: null, pointers: new Map(), pinch: null, reported: 0,
};

// ---------------------------------------------------------------------------------------------
// Talking to the server

async function api(method, url, body) {
  const opts = {method, headers: {"X-Trainee-Token": S.token || ""}};
  if (body !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  let r;
  try {
    r = await fetch(url, opts);
  } catch (e) {
    setOnline(false);
    throw new Error(t("err.offline"));
  }
  setOnline(true);
  if (!r.ok) {
    let data = {};
    try { data = await r.json(); } catch (e) { /* not JSON */ }
    const err = new Error(data.code && t(`err.${data.code}`) !== `err.${data.code}` ? t(`err.${data.code}`) : (data.error || String(r.status)));
    err.status = r.status; err.code = data.code;
    throw err;
  }
  return r;
}

function setOnline(on) {
  if (S.online === on) return;
  S.online = on;
  const b = document.getElementById("offline");
  if (b) b.hidden = on;
  if (S.job) renderFigures();
}

// ---------------------------------------------------------------------------------------------
// Rules the page knows (rotation, mirror, grain) to offer only what a piece allows

function rotationAllowed(piece, rot) {
  const r = piece.rotations;
  if (r.free) return true;
  const a = norm360(rot);
  for (const x of r.angles) { const d = Math.abs(norm360(a - x)); if (Math.min(d, 360 - d) < 1e-6) return true; }
  for (const [lo, hi] of r.ranges) {
    if (hi - lo >= 360) return true;
    const s = norm360(a - lo);
    if (s <= hi - lo + 1e-6 || s >= 360 - 1e-6) return true;
  }
  return false;
}

function backboneDeg(hide, x, y) {
  const bb = hide.backbone;
  if (!bb) return 0;
  let best = 0, bestD = Infinity;
  for (let i = 0; i + 1 < bb.length; i++) {
    const [x0, y0] = bb[i], [x1, y1] = bb[i + 1];
    if (x0 === x1 && y0 === y1) continue;
    const q = closestOnSegment([x, y], bb[i], bb[i + 1]);
    const d = Math.hypot(x - q[0], y - q[1]);
    if (d < bestD) { bestD = d; best = Math.atan2(y1 - y0, x1 - x0) * 180 / Math.PI; }
  }
  return best;
}

function placedGrainDeg(piece, rot, mirrored) {
  const g = piece.grain.direction_deg;
  return (mirrored ? 180 - g : g) + rot;
}

function grainTarget(piece, pl) {
  const hide = tabOf(pl).hide;
  const c = placedCentroid(pl);
  return backboneDeg(hide, c[0], c[1]) + (piece.grain.across ? 90 : 0);
}

function grainError(piece, pl) {
  if (!piece.grain) return 0;
  return axisDiff(placedGrainDeg(piece, pl.rot, pl.mirrored), grainTarget(piece, pl));
}

// The coarse turns R steps through: quarter turns the piece allows (its angle list when it has
// one), plus, for a piece with grain, the turns that lay the grain along the backbone; with
// grain, only turns within its tolerance are offered. Turns that differ by less than
// SAME_TURN_DEG look the same, so they are one step (the one nearest the grain's target):
// every press visibly turns the piece.
function coarseTurns(piece, pl) {
  const r = piece.rotations;
  let c = [...r.angles];
  if (r.free || r.ranges.length) c.push(0, 90, 180, 270, ...r.ranges.flat());
  let target = null;
  if (piece.grain) {
    target = grainTarget(piece, pl);
    const d0 = placedGrainDeg(piece, 0, pl.mirrored);
    c.push(target - d0, target + 180 - d0);
    const ok = c.filter((a) => axisDiff(placedGrainDeg(piece, a, pl.mirrored), target)
                               <= piece.grain.tolerance_deg + 1e-6);
    if (ok.length) c = ok;
  }
  c = c.map(norm360).filter((a) => rotationAllowed(piece, a)).sort((a, b) => a - b);
  const err = (a) => (target === null ? 0 : axisDiff(placedGrainDeg(piece, a, pl.mirrored), target));
  const out = [];
  for (const a of c) {
    const last = out[out.length - 1];
    if (last !== undefined && a - last < SAME_TURN_DEG) {
      if (err(a) < err(last)) out[out.length - 1] = a;
    } else out.push(a);
  }
  if (out.length > 1 && out[0] + 360 - out[out.length - 1] < SAME_TURN_DEG) {
    const last = out.pop();
    if (err(last) < err(out[0])) out[0] = last;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// State

function tabOf(pl) { return S.tabs.find((tb) => tb.key === tabKey(pl.hide, pl.hideCopy)); }
function currentTab() { return S.tabs.find((tb) => tb.key === S.tab); }
function placedCentroid(pl) { return apply(transformOf(pl), S.pieces.get(pl.pid).centroid); }
function pieceName(key) {
  const [pid, copy] = [key.slice(0, key.lastIndexOf("#")), +key.slice(key.lastIndexOf("#") + 1)];
  const p = S.pieces.get(pid);
  if (!p) return key;
  return p.copies > 1 ? `${p.name} ${copy + 1}` : p.name;
}

function snapshot() {
  return [...S.placed.values()].map((p) => ({...p}));
}

function commit(before) {
  S.undo.push(before);
  if (S.undo.length > HISTORY) S.undo.shift();
  S.redo = [];
  changed();
}

function restore(list) {
  S.placed = new Map(list.map((p) => [keyOf(p.pid, p.copy), {...p}]));
  if (S.selected && !S.placed.has(S.selected)) S.selected = null;
}

function undo() {
  if (!S.undo.length) return say(t("say.nothing_undo"));
  S.redo.push(snapshot());
  restore(S.undo.pop());
  changed();
}

function redo() {
  if (!S.redo.length) return say(t("say.nothing_redo"));
  S.undo.push(snapshot());
  restore(S.redo.pop());
  changed();
}

function freeCopy(piece, mirroredHand, tab) {
  const taken = (c) => S.placed.has(keyOf(piece.id, c));
  const free = [];
  for (let c = 0; c < piece.copies; c++) {
    if (taken(c)) continue;
    if (piece.mirror === "pair" && (c % 2 === 1) !== mirroredHand) continue;
    free.push(c);
  }
  if (piece.mirror !== "pair" || !free.length) return free.length ? free[0] : null;
  // A pair comes from one hide: take the copy whose partner is on this hide, else an unplaced one.
  const partner = (c) => S.placed.get(keyOf(piece.id, c ^ 1));
  const here = free.find((c) => partner(c) && tabKey(partner(c).hide, partner(c).hideCopy) === tab);
  if (here !== undefined) return here;
  const lone = free.find((c) => !partner(c));
  return lone !== undefined ? lone : free[0];
}

function trayCount(piece, mirroredHand) {
  let n = 0;
  for (let c = 0; c < piece.copies; c++) {
    if (S.placed.has(keyOf(piece.id, c))) continue;
    if (piece.mirror === "pair" && (c % 2 === 1) !== mirroredHand) continue;
    n++;
  }
  return n;
}

// Put the placement's centroid at (cx, cy).
function centreAt(pl, cx, cy) {
  const c = placedCentroid(pl);
  pl.x += cx - c[0]; pl.y += cy - c[1];
}

// ---------------------------------------------------------------------------------------------
// Drawing the board

// Screen pixels per mm: the SVG fits the view box in both directions ("meet"), so the smaller
// of the two ratios is the drawing's scale.
function pxPerMm() {
  const svg = document.getElementById("view");
  return Math.min(svg.clientWidth / S.view[2], svg.clientHeight / S.view[3]) || 1;
}

function fitView() {
  const [x0, y0, x1, y1] = currentTab().hide.bbox;
  const pad = 0.04 * Math.max(x1 - x0, y1 - y0);
  S.view = [x0 - pad, y0 - pad, x1 - x0 + 2 * pad, y1 - y0 + 2 * pad];
}

// On a touch screen, start zoomed in so that the order's typical piece is at least a finger
// wide (TOUCH_PX), around the middle of the hide; "fit" shows the whole hide.
function touchView() {
  fitView();
  if (!matchMedia("(pointer: coarse)").matches) return;
  const sides = [...S.pieces.values()].map((p) => Math.min(p.w, p.h)).sort((a, b) => a - b);
  const typical = sides[Math.floor(sides.length / 2)] || 1;
  const f = TOUCH_PX / (typical * pxPerMm());
  if (f > 1) zoom(Math.min(f, 6), null, false);
}

function violationsByPiece() {
  const out = new Map();
  const add = (k, v) => { if (!out.has(k)) out.set(k, []); out.get(k).push(v); };
  for (const v of S.violations) {
    for (const p of v.pieces) add(p, v);
    if (v.kind === "group") {  // "pair bifold_wallet.card_pocket#3": mark both copies
      const m = /^pair (.+)#(\d+)$/.exec(v.pieces[0] || "");
      if (m) for (const c of [2 * +m[2], 2 * +m[2] + 1]) add(keyOf(m[1], c), v);
    }
  }
  for (const list of out.values()) list.sort(worseFirst);
  return out;
}

function worseFirst(a, b) {
  const ra = RULE_ORDER.indexOf(a.kind), rb = RULE_ORDER.indexOf(b.kind);
  return (ra < 0 ? 99 : ra) - (rb < 0 ? 99 : rb) || (b.amount || 0) - (a.amount || 0);
}

// Where a piece's one-line rule goes: just above the piece, so the piece itself stays visible.
function labelPoint(pl, scale) {
  const box = bbox(placedRing(pl, S.pieces.get(pl.pid).outer));
  return [(box[0] + box[2]) / 2, box[3] + 10 / scale];
}

// A label's anchor moved so that its text (about 0.55 em a character) stays inside the view.
function inView([x, y], text, size) {
  const half = 0.55 * size * text.length / 2, [vx, , vw] = S.view;
  if (vw < 2 * half) return [vx + vw / 2, y];
  return [Math.min(Math.max(x, vx + half), vx + vw - half), y];
}

function render() {
  if (!S.job) return;
  const svg = document.getElementById("view");
  svg.replaceChildren();
  const tab = currentTab();
  svg.setAttribute("viewBox", S.view.join(" "));
  const world = drawHide(svg, tab.hide, {interactive: true, zoneTitle: zoneWords});
  const scale = pxPerMm();
  const grab = matchMedia("(pointer: coarse)").matches ? 24 : 8;
  const bad = violationsByPiece();
  const labels = el("g", {}, world);
  for (const pl of S.placed.values()) {
    if (tabKey(pl.hide, pl.hideCopy) !== tab.key || (S.drag && S.drag.key === keyOf(pl.pid, pl.copy))) continue;
    const k = keyOf(pl.pid, pl.copy);
    const rules = bad.get(k) || [];
    const cls = [rules.length ? "bad" : "", S.selected === k ? "selected" : ""].join(" ");
    const g = drawPiece(world, pl, S.pieces.get(pl.pid), cls, scale, grab);
    if (rules.length) {  // the worst rule, in words, on the piece
      g.setAttribute("data-violation", rules[0].kind);
      const full = `${rules[0].rule}: ${rules[0].text}`;
      const text = full.length > 70 ? full.slice(0, 67) + "..." : full;
      textAt(labels, inView(labelPoint(pl, scale), text, 13 / scale), text, 13 / scale, "rule-label");
    }
  }
  if (S.drag && S.drag.pl && S.drag.onBoard) {
    const g = drawPiece(world, S.drag.pl, S.pieces.get(S.drag.pl.pid), "selected " + (S.drag.clash ? "pending" : ""), scale);
    g.setAttribute("id", "dragged");
    if (S.drag.clash) textAt(labels, labelPoint(S.drag.pl, scale), S.drag.clash, 13 / scale, "rule-label");
  }
  world.appendChild(labels);
  renderFigures();
  renderTray();
  renderTabs();
  renderSide();
}

let tabsSeen = "";

function renderTabs() {
  const nav = document.getElementById("hide-tabs");
  const counts = S.tabs.map((tb) => [...S.placed.values()].filter((p) => tabKey(p.hide, p.hideCopy) === tb.key).length);
  const seen = `${S.tab}|${counts}|${I18N.lang}`;
  if (seen === tabsSeen) return;
  tabsSeen = seen;
  nav.replaceChildren();
  for (const [i, tb] of S.tabs.entries()) {
    const b = document.createElement("button");
    b.textContent = `${tb.label} (${counts[i]})`;
    b.className = tb.key === S.tab ? "active" : "";
    b.setAttribute("role", "tab");
    b.onclick = () => { S.tab = tb.key; S.selected = null; touchView(); render(); saveLocal(); };
    nav.appendChild(b);
  }
}

function thumb(piece, mirrored) {
  const svg = el("svg", {});
  const ring = mirrored ? piece.outer.map(([x, y]) => [-x, y]) : piece.outer;
  const [x0, y0, x1, y1] = bbox(ring);
  const pad = 0.05 * Math.max(x1 - x0, y1 - y0);
  svg.setAttribute("viewBox", `${x0 - pad} ${-y1 - pad} ${x1 - x0 + 2 * pad} ${y1 - y0 + 2 * pad}`);
  const g = el("g", {transform: "scale(1,-1)"}, svg);
  const holes = mirrored ? piece.holes.map((h) => h.map(([x, y]) => [-x, y])) : piece.holes;
  el("path", {d: pathD(ring, holes), fill: piece.fill, stroke: "#222", "fill-rule": "evenodd",
              "vector-effect": "non-scaling-stroke"}, g);
  return svg;
}

// Grades in words (the server's catalogue, in the page's language).
function needWords(piece) {
  const w = S.job.grade_words;
  return piece.min_grade === null ? w.needs.best : (w.needs[piece.min_grade] || w.needs.best);
}
function zoneWords(grade) { return S.job.grade_words.zones[grade] || `${grade}`; }

// The tray is built once per language; moves only update its counts, so that no element a
// finger is on goes away under it.
function buildTray() {
  const box = document.getElementById("tray-items");
  box.replaceChildren();
  for (const piece of S.pieces.values()) {
    const hands = piece.mirror === "pair" ? [false, true] : [false];
    for (const hand of hands) {
      const div = document.createElement("div");
      div.className = "tray-item";
      div.dataset.piece = piece.id;
      div.dataset.mirrored = hand;
      div.appendChild(thumb(piece, hand));
      const name = document.createElement("div");
      name.className = "name";
      const extra = piece.mirror === "pair" ? ` (${t(hand ? "tray.mirrored" : "tray.drawn")})` : "";
      const grain = piece.grain ? `; ${t("tray.grain", {tol: num(piece.grain.tolerance_deg)})}` : "";
      name.innerHTML = `${escapeHtml(piece.name)}${escapeHtml(extra)}<br><span class="grade">` +
                       `${escapeHtml(needWords(piece) + grain)}</span>`;
      div.appendChild(name);
      const count = document.createElement("span");
      count.className = "count";
      div.appendChild(count);
      div.addEventListener("pointerdown", (ev) => trayDown(ev, piece, hand));
      box.appendChild(div);
    }
  }
}

function renderTray() {
  let left = 0;
  for (const div of document.querySelectorAll(".tray-item")) {
    const n = trayCount(S.pieces.get(div.dataset.piece), div.dataset.mirrored === "true");
    left += n;
    div.querySelector(".count").textContent = n;
    div.classList.toggle("empty", !n);
  }
  document.getElementById("tray-left").textContent = t("tray.left", {n: left});
}

function figures() {
  let area = 0, n = 0, usable = 0, cost = 0, priced = true;
  const used = new Set();
  for (const pl of S.placed.values()) {
    n++; area += S.pieces.get(pl.pid).area_mm2; used.add(tabKey(pl.hide, pl.hideCopy));
  }
  for (const tb of S.tabs) {
    if (!used.has(tb.key)) continue;
    usable += tb.hide.usable_area_mm2;
    if (tb.hide.cost === null) priced = false; else cost += tb.hide.cost;
  }
  const total = [...S.pieces.values()].reduce((s, p) => s + p.copies, 0);
  return {n, total, hides: used.size, usable, util: usable ? area / usable : 0,
          cost: priced ? cost : null};
}

function checking() { return checkBusy || S.moved.size > 0; }

// The rules' state: "all kept" only when pieces are placed, the server answered the last check
// and nothing is waiting to be checked.
function renderFigures() {
  const f = figures();
  document.getElementById("fig-placed").textContent = t("fig.placed_of", {n: f.n, total: f.total});
  document.getElementById("fig-hides").textContent = f.hides;
  document.getElementById("fig-leather").textContent = `${num(f.usable / 1e6, 3)} m²`;
  document.getElementById("fig-util").textContent = `${num(100 * f.util, 1)} %`;
  document.getElementById("fig-cost").textContent = f.cost === null ? "-" : num(f.cost, 2);
  const st = document.getElementById("check-status");
  const n = S.violations.length;
  let text, cls, state;
  if (!S.online) { text = t("status.offline"); cls = "bad"; state = "offline"; }
  else if (checking()) { text = t("status.checking"); cls = ""; state = "checking"; }
  else if (n) { text = t("status.broken", {n}); cls = "bad"; state = "broken"; }
  else if (!f.n) { text = t("status.empty"); cls = ""; state = "empty"; }
  else {
    const ms = S.checkMs === null ? "" : ` (${Math.round(S.checkMs)} ms)`;
    text = t("status.kept") + ms; cls = "ok"; state = "kept";
  }
  st.textContent = text;
  st.className = cls;
  st.dataset.state = state;
  document.getElementById("rules-count").textContent = n ? `(${n})` : "";
}

function renderSide() {
  const ul = document.getElementById("violations");
  ul.replaceChildren();
  const list = [...S.violations].sort(worseFirst);
  if (!list.length) {
    const li = document.createElement("li");
    li.className = "muted";
    li.textContent = S.placed.size ? t("side.none") : t("side.none_yet");
    ul.appendChild(li);
  }
  for (const v of list) {
    const li = document.createElement("li");
    li.innerHTML = `<b>${escapeHtml(v.rule)}</b>: ${escapeHtml(v.text)}`;
    li.dataset.kind = v.kind;
    li.onclick = () => selectKey(v.pieces[0]);
    ul.appendChild(li);
  }
  const info = document.getElementById("selected-info");
  const pl = S.selected && S.placed.get(S.selected);
  if (!pl) { info.textContent = t("side.nothing_selected"); info.className = "muted"; return; }
  const piece = S.pieces.get(pl.pid);
  const parts = [`${pieceName(S.selected)}: ${num(norm360(pl.rot), 1)}°`];
  if (pl.mirrored) parts.push(t("side.mirrored"));
  if (piece.grain) parts.push(t("side.grain", {deg: num(grainError(piece, pl), 1), tol: num(piece.grain.tolerance_deg)}));
  parts.push(needWords(piece));
  info.className = "";
  info.textContent = parts.join("; ");
}

function renderLegend() {
  const ul = document.getElementById("legend");
  const items = [["#efe3cf", S.job.grade_words.best]];
  const grades = new Set(S.job.hides.flatMap((h) => h.zones.map((z) => z.grade)));
  for (const g of [...grades].sort((a, b) => b - a)) {
    items.push([GRADE_FILL[g] || "#ccc", g === 0 ? t("legend.fault") : zoneWords(g)]);
  }
  ul.replaceChildren();
  for (const [c, text] of items) {
    const li = document.createElement("li");
    li.innerHTML = `<i style="background:${c}"></i>${escapeHtml(text)}`;
    ul.appendChild(li);
  }
  const li = document.createElement("li");
  li.innerHTML = `<i style="background:none;border:1px dashed #1f3b73"></i>${escapeHtml(t("legend.backbone"))}`;
  ul.appendChild(li);
}

function say(text) { document.getElementById("message").textContent = text; }

// ---------------------------------------------------------------------------------------------
// Checks: the pieces that moved since the last check go to the server with the layout; their
// old answers (and the layout-wide ones) are replaced, the other pieces' answers are kept.

let checkBusy = false;

function sig(p) { return `${p.hide}:${p.hideCopy}:${p.rot}:${p.mirrored}:${p.x}:${p.y}`; }

function noteMoves() {
  for (const [k, p] of S.placed) if (S.sent.get(k) !== sig(p)) S.moved.add(k);
  for (const k of S.sent.keys()) if (!S.placed.has(k)) S.moved.add(k);
}

function layoutBody() {
  return {placements: toSolution([...S.placed.values()])};
}

async function runCheck(all = false) {
  noteMoves();
  if (checkBusy) return;
  // Nothing moved: still tell the server how many rules are broken now (the trainer's live
  // view shows it), with a check of no piece (only the layout-wide rules, cheap).
  if (!all && !S.moved.size && S.reported === S.violations.length) { renderFigures(); return; }
  checkBusy = true;
  const moved = [...S.moved];
  S.moved = new Set();
  S.sent = new Map([...S.placed].map(([k, p]) => [k, sig(p)]));
  // Many pieces at once (a layout opened, a long undo): the whole layout is checked.
  if (moved.length > MAX_MOVED) all = true;
  const body = {...layoutBody(), lang: I18N.lang, broken: S.violations.length};
  if (!all) body.moved = moved;
  const t0 = performance.now();
  try {
    const result = await (await api("POST", `/api/exercises/${S.eid}/check`, body)).json();
    const gone = new Set(moved);
    S.violations = all ? result.violations : S.violations.filter(
      (v) => !GLOBAL_KINDS.has(v.kind) && !v.pieces.some((p) => gone.has(p))).concat(result.violations);
    S.checkMs = performance.now() - t0;
    S.reported = body.broken;
  } catch (e) {
    for (const k of moved) S.moved.add(k);  // checked again when the server answers
    if (e.code === "closed") { say(t("say.closed")); S.ex.state = "closed"; }
    else say(t("say.check_failed", {why: e.message}));
  } finally {
    checkBusy = false;
  }
  render();
  const again = S.moved.size || S.reported !== S.violations.length;
  if (again && S.online) runCheck();
  else if (again) setTimeout(runCheck, 3000);
}

function changed() { render(); saveLocal(); runCheck(); }

// ---------------------------------------------------------------------------------------------
// Kept in this browser: the layout of each exercise after every change, restored on reload.

function storeKey() { return `leathernest.layout.${location.host}.${S.me.trainee.id}.${S.eid}`; }

function saveLocal() {
  if (!S.job) return;
  localStorage.setItem(storeKey(), JSON.stringify({placements: toSolution([...S.placed.values()]),
                                                   tab: S.tab, submitted: S.submitted,
                                                   saved_at: Date.now()}));
}

function unsaved() {
  if (!S.job || !S.placed.size) return false;
  return S.submitted !== JSON.stringify(toSolution([...S.placed.values()]));
}

window.addEventListener("beforeunload", (ev) => {
  if (!unsaved()) return;
  ev.preventDefault();
  ev.returnValue = "";  // the browser asks "leave the page?": the layout is not submitted yet
});

// ---------------------------------------------------------------------------------------------
// Moving pieces: drag from the tray (a sideways move or a long press on a tablet; an up or down
// swipe scrolls the tray), drag on the hide, two fingers zoom, snap, keys and buttons

function toWorld(ev) {
  const world = document.getElementById("world");
  const m = world.getScreenCTM().inverse();
  return [m.a * ev.clientX + m.c * ev.clientY + m.e, m.b * ev.clientX + m.d * ev.clientY + m.f];
}

function overElement(ev, id) {
  const r = document.getElementById(id).getBoundingClientRect();
  return ev.clientX >= r.left && ev.clientX <= r.right && ev.clientY >= r.top && ev.clientY <= r.bottom;
}

// A finger on a tray piece: wait to see whether it swipes (the tray scrolls, natively, since
// the tray allows vertical panning), moves sideways or holds still (either picks the piece up).
function trayDown(ev, piece, hand) {
  if (ev.pointerType === "mouse") return startTrayDrag(ev, piece, hand);
  const start = [ev.clientX, ev.clientY];
  let done = false;
  const stop = () => {
    done = true; clearTimeout(timer);
    window.removeEventListener("pointermove", move);
    window.removeEventListener("pointerup", stop);
    window.removeEventListener("pointercancel", stop);
  };
  const move = (e) => {
    const dx = e.clientX - start[0], dy = e.clientY - start[1];
    if (Math.abs(dx) > 10 && Math.abs(dx) > Math.abs(dy)) { stop(); startTrayDrag(e, piece, hand); }
    else if (Math.abs(dy) > 10) stop();  // a swipe: the tray scrolls
  };
  const timer = setTimeout(() => { if (!done) { stop(); startTrayDrag(ev, piece, hand); } }, LONG_PRESS_MS);
  window.addEventListener("pointermove", move);
  window.addEventListener("pointerup", stop);
  window.addEventListener("pointercancel", stop);
}

function startTrayDrag(ev, piece, mirroredHand) {
  if (S.ex.state !== "open") return say(t("say.closed"));
  if (!trayCount(piece, mirroredHand)) return say(t("say.none_left", {piece: piece.name}));
  if (ev.cancelable) ev.preventDefault();
  const copy = freeCopy(piece, mirroredHand, S.tab);
  const tab = currentTab();
  const pl = {pid: piece.id, copy, hide: tab.hide.id, hideCopy: tab.copy, rot: 0,
              mirrored: piece.mirror === "pair" ? copy % 2 === 1 : false, x: 0, y: 0};
  const turns = coarseTurns(piece, pl);
  if (turns.length) pl.rot = turns.reduce((a, b) => (axisDiff(a, 0) <= axisDiff(b, 0) ? a : b));
  S.drag = {key: keyOf(piece.id, copy), pl, fromTray: true, before: snapshot(), grab: null,
            onBoard: false};
  S.selected = S.drag.key;
  document.body.classList.add("dragging");
  listenDrag();
  say(t("say.drag_on"));
}

function startPieceDrag(ev, key) {
  const pl = S.placed.get(key);
  ev.preventDefault();
  const p = toWorld(ev);
  S.drag = {key, pl: {...pl}, fromTray: false, before: snapshot(), grab: [p[0] - pl.x, p[1] - pl.y],
            onBoard: true, start: [ev.clientX, ev.clientY], moved: false, pointer: ev.pointerId};
  S.selected = key;
  listenDrag();
  render();
}

function listenDrag() {
  window.addEventListener("pointermove", onDragMove);
  window.addEventListener("pointerup", onDragEnd);
  window.addEventListener("pointercancel", onDragEnd);
}

// While a finger drags a piece the page must not scroll under it.
document.addEventListener("touchmove", (ev) => { if (S.drag && ev.cancelable) ev.preventDefault(); }, {passive: false});

function onDragMove(ev) {
  const d = S.drag;
  if (!d || S.pinch) return;
  d.onBoard = overElement(ev, "view");
  if (d.start && Math.hypot(ev.clientX - d.start[0], ev.clientY - d.start[1]) > 3) d.moved = true;
  const p = toWorld(ev);
  if (d.grab) { d.pl.x = p[0] - d.grab[0]; d.pl.y = p[1] - d.grab[1]; } else centreAt(d.pl, p[0], p[1]);
  d.clash = d.onBoard ? preCheck(d.pl) : "";
  render();
}

function onDragEnd(ev) {
  window.removeEventListener("pointermove", onDragMove);
  window.removeEventListener("pointerup", onDragEnd);
  window.removeEventListener("pointercancel", onDragEnd);
  document.body.classList.remove("dragging");
  const d = S.drag;
  S.drag = null;
  if (!d) return;
  if (ev.type === "pointercancel" || S.pinch) { render(); return; }
  if (overElement(ev, "tray")) {  // taken back
    if (!d.fromTray) { S.placed.delete(d.key); S.selected = null; commit(d.before); say(t("say.taken_back")); }
    else render();
    return;
  }
  if (!d.onBoard || (!d.fromTray && !d.moved)) { render(); return; }
  const snapped = S.snap ? snap(d.pl) : "";
  S.placed.set(d.key, d.pl);
  commit(d.before);
  say(snapped || t("say.placed"));
}

// Fast pre-check while dragging (overlap, off the hide, on a fault); the server decides.
function preCheck(pl) {
  const piece = S.pieces.get(pl.pid);
  const ring = placedRing(pl, piece.outer), box = bbox(ring);
  const hide = tabOf(pl).hide;
  if (ring.some((p) => !pointInRing(p, hide.outer)) || ringsCross(ring, hide.outer)) return t("pre.off_hide");
  for (const z of hide.zones) {
    if (z.grade === 0 && boxesNear(box, z.box, 0) && ringsOverlap(ring, z.outer)) return t("pre.on_fault");
  }
  for (const other of S.placed.values()) {
    if (keyOf(other.pid, other.copy) === keyOf(pl.pid, pl.copy) || tabKey(other.hide, other.hideCopy) !== tabKey(pl.hide, pl.hideCopy)) continue;
    const o = placedRing(other, S.pieces.get(other.pid).outer);
    if (boxesNear(box, bbox(o), 0) && ringsOverlap(ring, o)) return t("pre.overlaps", {piece: pieceName(keyOf(other.pid, other.copy))});
  }
  return "";
}

// Obstacles of a placement with the distance each needs: neighbours (the gap), the hide's edge,
// holes and defects (the margin).
function obstacles(pl, reach) {
  const piece = S.pieces.get(pl.pid), hide = tabOf(pl).hide;
  const ring = placedRing(pl, piece.outer), box = bbox(ring);
  const out = [{name: t("snap.edge"), ring: hide.outer, need: S.job.margin_mm}];
  for (const h of hide.holes) out.push({name: t("snap.hole"), ring: h, need: S.job.margin_mm});
  for (const z of hide.zones) if (z.grade === 0) out.push({name: t("snap.fault"), ring: z.outer, need: S.job.margin_mm});
  for (const other of S.placed.values()) {
    if (keyOf(other.pid, other.copy) === keyOf(pl.pid, pl.copy) || tabKey(other.hide, other.hideCopy) !== tabKey(pl.hide, pl.hideCopy)) continue;
    out.push({name: pieceName(keyOf(other.pid, other.copy)), ring: placedRing(other, S.pieces.get(other.pid).outer), need: S.job.gap_mm});
  }
  return out.filter((o) => o.ring === hide.outer || boxesNear(box, bbox(o.ring), o.need + reach)).map((o) => ({...o, box}));
}

function clearOf(pl, list) {
  const ring = placedRing(pl, S.pieces.get(pl.pid).outer);
  return list.every((o) => !ringsCross(ring, o.ring) && ringDistance(ring, o.ring).d >= o.need - 1e-6);
}

// Snap: close the gap to the nearest neighbour or edge when it is within SNAP_PX on screen, then
// once more towards the next one (into a corner), never into a rule break.
function snap(pl) {
  const reach = SNAP_PX / pxPerMm();
  const near = obstacles(pl, reach);
  const ring0 = placedRing(pl, S.pieces.get(pl.pid).outer);
  if (near.some((o) => o.ring !== near[0].ring && ringsOverlap(ring0, o.ring))) return "";
  const done = [];
  for (let pass = 0; pass < 2; pass++) {
    const ring = placedRing(pl, S.pieces.get(pl.pid).outer);
    let best = null;
    for (const o of near) {
      if (done.includes(o) || ringsCross(ring, o.ring)) continue;
      const r = ringDistance(ring, o.ring);
      const slack = r.d - o.need - SNAP_SAFETY_MM;
      if (slack > 1e-3 && slack <= reach && (!best || slack < best.slack)) best = {o, r, slack};
    }
    if (!best) break;
    const ux = (best.r.pb[0] - best.r.pa[0]) / best.r.d, uy = (best.r.pb[1] - best.r.pa[1]) / best.r.d;
    const moved = {...pl, x: pl.x + ux * best.slack, y: pl.y + uy * best.slack};
    if (!clearOf(moved, near.filter((o) => o !== best.o && !ringsCross(ring, o.ring)))) break;
    pl.x = moved.x; pl.y = moved.y;
    done.push(best.o);
  }
  return done.length ? t("say.snapped", {what: done.map((o) => o.name).join(" + ")}) : "";
}

function selected() { return S.selected ? S.placed.get(S.selected) : null; }

function selectKey(key) {
  const pl = S.placed.get(key);
  if (!pl) return;
  S.selected = key;
  if (tabKey(pl.hide, pl.hideCopy) !== S.tab) { S.tab = tabKey(pl.hide, pl.hideCopy); fitView(); }
  render();
}

function modify(fn, keepCentre = true) {
  if (S.ex.state !== "open") return say(t("say.closed"));
  const pl = selected();
  if (!pl) return say(t("say.select_first"));
  const before = snapshot();
  const c = placedCentroid(pl);
  const note = fn(pl, S.pieces.get(pl.pid));
  if (note === false) return;
  if (keepCentre) centreAt(pl, c[0], c[1]);  // turns and mirrors keep the piece where it is
  commit(before);
  if (typeof note === "string") say(note);
}

function rotateCoarse(dir) {
  modify((pl, piece) => {
    const turns = coarseTurns(piece, pl);
    if (!turns.length) { say(t("say.no_turn")); return false; }
    const cur = norm360(pl.rot);
    const near = (a) => Math.min(Math.abs(a - cur), 360 - Math.abs(a - cur)) < SAME_TURN_DEG;
    const next = dir > 0 ? turns.find((a) => a > cur + 1e-6 && !near(a)) ?? turns.find((a) => !near(a))
                         : [...turns].reverse().find((a) => a < cur - 1e-6 && !near(a)) ?? [...turns].reverse().find((a) => !near(a));
    if (next === undefined) { say(t("say.one_turn", {piece: piece.name})); return false; }
    pl.rot = next;
    return t("say.turned", {deg: num(next, 1)});
  });
}

function rotateFine(dir) {
  modify((pl, piece) => {
    const next = norm360(pl.rot + dir * FINE_DEG);
    if (!rotationAllowed(piece, next)) {
      say(t("say.steps_only", {piece: piece.name, angles: piece.rotations.angles.map((a) => `${num(a)}°`).join(", ")}));
      return false;
    }
    if (piece.grain && axisDiff(placedGrainDeg(piece, next, pl.mirrored), grainTarget(piece, pl)) >
        piece.grain.tolerance_deg + 1e-6 && grainError(piece, pl) <= piece.grain.tolerance_deg + 1e-6) {
      say(t("say.grain_limit", {tol: num(piece.grain.tolerance_deg)}));
      return false;
    }
    pl.rot = next;
    return t("say.turned", {deg: num(next, 1)});
  });
}

function mirror() {
  modify((pl, piece) => {
    if (piece.mirror === "pair") { say(t("say.pair_hands")); return false; }
    if (piece.mirror !== "allowed") { say(t("say.no_mirror", {piece: piece.name})); return false; }
    pl.mirrored = !pl.mirrored;
    return pl.mirrored ? t("say.mirrored") : t("say.as_drawn");
  });
}

function takeBack() {
  const pl = selected();
  if (!pl) return say(t("say.select_first"));
  const before = snapshot();
  S.placed.delete(S.selected);
  S.selected = null;
  commit(before);
  say(t("say.taken_back"));
}

function nudge(dx, dy) { modify((pl) => { pl.x += dx; pl.y += dy; return ""; }, false); }

function zoom(f, at, draw = true) {
  const [x, y, w, h] = S.view;
  const [cx, cy] = at || [x + w / 2, y + h / 2];
  S.view = [cx - (cx - x) / f, cy - (cy - y) / f, w / f, h / f];
  if (draw) render();
}

function onKey(ev) {
  if (!S.job || document.getElementById("board-screen").hidden) return;
  if (ev.target.tagName === "INPUT" || ev.target.tagName === "SELECT") return;
  const k = ev.key, ctrl = ev.ctrlKey || ev.metaKey;
  if (ctrl && (k === "z" || k === "Z")) { ev.shiftKey ? redo() : undo(); }
  else if (ctrl && (k === "y" || k === "Y")) redo();
  else if (ctrl) return;
  else if (k === "r" || k === "R") rotateCoarse(ev.shiftKey ? -1 : 1);
  else if (k === "[") rotateFine(-1);
  else if (k === "]") rotateFine(1);
  else if (k === "m" || k === "M") mirror();
  else if (k === "Delete" || k === "Backspace") takeBack();
  else if (k === "Escape") { S.selected = null; render(); }
  else if (k === "s" || k === "S") toggleSnap();
  else if (k === "+" || k === "=") zoom(1.25);
  else if (k === "-") zoom(0.8);
  else if (k === "0") { fitView(); render(); }
  else if (k.startsWith("Arrow")) {
    const step = ev.shiftKey ? 10 : 1;
    nudge({ArrowLeft: -step, ArrowRight: step}[k] || 0, {ArrowDown: -step, ArrowUp: step}[k] || 0);
  } else return;
  ev.preventDefault();
}

function toggleSnap() {
  if (!S.snapAllowed) return say(t("say.snap_locked"));
  S.snap = !S.snap;
  document.getElementById("btn-snap").setAttribute("aria-pressed", S.snap);
  say(S.snap ? t("say.snap_on") : t("say.snap_off"));
}

// The board: a piece under the pointer is dragged, the background pans; a second finger on the
// board turns both into a pinch that zooms about their midpoint.
function onBoardDown(ev) {
  if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
  S.pointers.set(ev.pointerId, [ev.clientX, ev.clientY]);
  if (S.pointers.size === 2) return startPinch();
  const g = ev.target.closest && ev.target.closest(".piece");
  if (g && g.dataset.key && S.ex.state === "open") return startPieceDrag(ev, g.dataset.key);
  ev.preventDefault();
  S.selected = null;
  const start = [ev.clientX, ev.clientY], view0 = [...S.view], k = 1 / pxPerMm();
  const move = (e) => {
    if (S.pinch || e.pointerId !== ev.pointerId) return;
    S.view = [view0[0] - (e.clientX - start[0]) * k, view0[1] - (e.clientY - start[1]) * k, view0[2], view0[3]];
    render();
  };
  const up = () => { window.removeEventListener("pointermove", move); window.removeEventListener("pointerup", up); };
  window.addEventListener("pointermove", move);
  window.addEventListener("pointerup", up);
  render();
}

function startPinch() {
  if (S.drag) { S.drag = null; document.body.classList.remove("dragging"); }
  const [a, b] = [...S.pointers.values()];
  S.pinch = {d0: Math.hypot(a[0] - b[0], a[1] - b[1]) || 1, view0: [...S.view]};
  render();
}

// A point on the screen in the view box's coordinates (the SVG's own, y down).
function toView(cx, cy) {
  const m = document.getElementById("view").getScreenCTM().inverse();
  return [m.a * cx + m.c * cy + m.e, m.b * cx + m.d * cy + m.f];
}

function onBoardMove(ev) {
  if (!S.pointers.has(ev.pointerId)) return;
  S.pointers.set(ev.pointerId, [ev.clientX, ev.clientY]);
  if (!S.pinch || S.pointers.size < 2) return;
  const [a, b] = [...S.pointers.values()];
  const f = Math.max(0.2, Math.min(Math.hypot(a[0] - b[0], a[1] - b[1]) / S.pinch.d0, 20));
  S.view = [...S.pinch.view0];
  document.getElementById("view").setAttribute("viewBox", S.view.join(" "));
  zoom(f, toView((a[0] + b[0]) / 2, (a[1] + b[1]) / 2));
}

function onBoardUp(ev) {
  S.pointers.delete(ev.pointerId);
  if (S.pointers.size < 2 && S.pinch) { S.pinch = null; say(t("say.zoomed")); }
}

function onWheel(ev) {
  ev.preventDefault();
  zoom(ev.deltaY < 0 ? 1.15 : 1 / 1.15, toView(ev.clientX, ev.clientY));
}


// ---------------------------------------------------------------------------------------------
// Submit: confirm a layout that breaks a rule, keep the attempt, show the score

const SCORE_ROWS = [
  ["row.placed", "pieces_placed", "", true], ["row.hides", "hides_used", "", false],
  ["row.util", "utilisation", "%", true], ["row.consumed", "leather_consumed_m2", "m2", false],
  ["row.first", "first_waste_m2", "m2", false], ["row.second", "second_waste_m2", "m2", false],
  ["row.remnant", "remnant_m2", "m2", true], ["row.best", "best_misuse_m2", "m2", false],
  ["row.money", "money_consumed", "money", false], ["row.order", "leather_for_order_m2", "m2", false],
];

function fmt(v, unit = "") {
  if (v === null || v === undefined) return "-";
  if (unit === "%") return `${num(100 * v, 1)} %`;
  if (unit === "m2") return `${num(v, 3)} m²`;
  if (unit === "money") return num(v, 2);
  return num(v);
}

async function submit() {
  if (S.ex.state !== "open") return say(t("say.closed"));
  if (checking()) await settle();
  const broken = S.violations.length;
  if (broken && !window.confirm(t("confirm.broken", {n: broken}))) return say(t("say.not_submitted"));
  if (!S.placed.size) return say(t("say.place_first"));
  say(t("say.submitting"));
  try {
    const r = await api("POST", `/api/exercises/${S.eid}/attempts`, {...layoutBody(), lang: I18N.lang});
    const attempt = await r.json();
    S.submitted = JSON.stringify(toSolution([...S.placed.values()]));
    saveLocal();
    if (!attempt.scored) {
      say(t(attempt.checked ? "say.score_later" : "say.kept_checking"));
      waitForScore(attempt.id);
      return;
    }
    await showAttempt(attempt);
  } catch (e) {
    say(t("say.submit_failed", {why: e.message}));
  }
}

function settle() {
  return new Promise((resolve) => {
    const tick = () => (checking() && S.online ? setTimeout(tick, 50) : resolve());
    tick();
  });
}

async function waitForScore(aid) {
  for (let i = 0; i < 140; i++) {  // every second at first, then every 5 s, for 10 minutes
    await new Promise((r) => setTimeout(r, i < 20 ? 1000 : 5000));
    try {
      const a = await (await api("GET", `/api/attempts/${aid}?lang=${I18N.lang}`)).json();
      if (a.scored) { await showAttempt(a); return; }
    } catch (e) { /* the server may be restarting: try again */ }
  }
}

async function showAttempt(a) {
  S.score = a.score;
  try {
    const sol = await (await api("GET", `/api/exercises/${S.eid}/engine`)).json();
    S.engine = fromSolution(sol.placements);
  } catch (e) { S.engine = null; }
  showScore(a);
  say(t("say.scored", {points: num(a.score.points, 1)}));
}

function showScore(a) {
  const r = a.score, c = r.comparison, h = c.hand, e = c.engine;
  const parts = [];
  const total = h.pieces_demanded;
  const broken = r.violations.filter((v) => v.kind !== "missing");
  const placedLine = t("score.placed", {n: h.pieces_placed, total});
  let verdict;
  if (broken.length) verdict = t("score.broken", {n: broken.length});
  else if (h.pieces_placed < total) verdict = t("score.partial", {n: total - h.pieces_placed});
  else verdict = t("score.valid");
  const cls = broken.length || r.points < 80 ? "poor" : r.points >= 100 ? "good" : "";
  parts.push(`<p id="score-placed" class="placed">${escapeHtml(placedLine)}</p>` +
             `<p id="points" class="points ${cls}">${escapeHtml(t("score.points", {points: num(r.points, 1)}))}</p>` +
             `<p id="verdict">${escapeHtml(verdict)} <span class="muted">${escapeHtml(t("score.hundred"))}</span></p>`);
  const d = c.difference;
  if (d && d.leather_saved_m2 !== null && h.pieces_placed === total && !broken.length) {
    const key = d.leather_saved_m2 >= 0 ? "score.engine_saves" : "score.you_save";
    const money = d.money_saved === null ? "" : t("score.worth", {money: num(Math.abs(d.money_saved), 2), price: num(d.price_per_m2, 2)});
    parts.push(`<p><b>${escapeHtml(t(key, {m2: num(Math.abs(d.leather_saved_m2), 3)}))}</b>${escapeHtml(money)}</p>`);
  }
  let rows = `<tr><th class='name'></th><th>${escapeHtml(t("score.yours"))}</th><th>${escapeHtml(t("score.engine"))}</th></tr>`;
  for (const [name, key, unit, higher] of SCORE_ROWS) {
    const x = h[key], y = e ? e[key] : null;
    let cx = "", cy = "";
    if (typeof x === "number" && typeof y === "number" && Math.abs(x - y) > 1e-9) {
      const better = (x > y) === higher;
      cx = better ? "better" : "worse"; cy = better ? "worse" : "better";
    }
    rows += `<tr><td class="name">${escapeHtml(t(name))}</td><td class="${cx}">${fmt(x, unit)}</td><td class="${cy}">${fmt(y, unit)}</td></tr>`;
  }
  parts.push(`<table id="score-table">${rows}</table><p class="muted">${escapeHtml(t("score.explain"))}</p>`);
  if (r.violations.length) {
    parts.push(`<h3>${escapeHtml(t("score.rules"))}</h3><ul>${r.violations.map((v) =>
      `<li><b>${escapeHtml(v.rule)}</b>: ${escapeHtml(v.text)}</li>`).join("")}</ul>`);
  }
  if (r.feedback.length) {
    parts.push(`<h3>${escapeHtml(t("score.where"))}</h3><ol id="feedback">${r.feedback.map((f) =>
      `<li data-piece="${escapeHtml(f.pieces[0])}">${escapeHtml(f.text)}</li>`).join("")}</ol>`);
  }
  parts.push(`<h3>${escapeHtml(t("score.sides"))}</h3><div id='sides'></div>`);
  parts.push(`<p><button id='btn-score-json'>${escapeHtml(t("btn.save_json"))}</button> ` +
             `<button id='btn-score-dxf'>${escapeHtml(t("btn.save_dxf"))}</button></p>`);
  const body = document.getElementById("score-body");
  body.innerHTML = parts.join("");
  const mine = fromSolution(a.layout.placements);
  const cols = [[t("score.yours"), mine, r.feedback]];
  if (S.engine) cols.push([t("score.engine"), S.engine, []]);
  sideBySide(document.getElementById("sides"), S.tabs, S.pieces, cols);
  for (const li of body.querySelectorAll("#feedback li")) {
    li.onclick = () => { hideScore(); selectKey(li.dataset.piece); };
  }
  document.getElementById("btn-score-json").onclick = saveJson;
  document.getElementById("btn-score-dxf").onclick = saveDxf;
  document.getElementById("score").hidden = false;
}

function hideScore() { document.getElementById("score").hidden = true; }

async function showHistory() {
  const list = await (await api("GET", `/api/exercises/${S.eid}/attempts`)).json();
  const ul = document.getElementById("history-list");
  ul.replaceChildren();
  if (!list.length) {
    const li = document.createElement("li"); li.className = "muted"; li.textContent = t("history.none");
    ul.appendChild(li);
  }
  for (const a of [...list].reverse()) {
    const li = document.createElement("li");
    const when = new Date(a.submitted_at).toLocaleString(I18N.lang);
    const pts = a.points === null ? t("history.waiting") : t("score.points", {points: num(a.points, 1)});
    li.textContent = `${when}: ${pts}; ${t("score.placed", {n: a.placed, total: a.total})}` +
                     (a.rules_broken ? `; ${t("status.broken", {n: a.rules_broken})}` : "");
    li.onclick = async () => {
      const full = await (await api("GET", `/api/attempts/${a.id}?lang=${I18N.lang}`)).json();
      document.getElementById("history").hidden = true;
      if (full.scored) await showAttempt(full);
    };
    ul.appendChild(li);
  }
  document.getElementById("history").hidden = false;
}

async function download(kind, fallbackName) {
  try {
    const r = await api("POST", `/api/exercises/${S.eid}/${kind}`, layoutBody());
    const blob = await r.blob();
    const m = /filename="([^"]+)"/.exec(r.headers.get("Content-Disposition") || "");
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = m ? m[1] : fallbackName;
    document.body.appendChild(a);
    a.click();
    a.remove();
    say(t("say.saved", {file: a.download}));
  } catch (e) {
    say(t("say.cannot_save", {why: e.message}));
  }
}

function saveJson() { download("solution", "layout.json"); }
function saveDxf() { download("dxf", "layout.dxf"); }

// ---------------------------------------------------------------------------------------------
// Screens: join, the exercises, the board

function show(id) {
  for (const s of ["join-screen", "list-screen", "board-screen"]) document.getElementById(s).hidden = s !== id;
}

async function join(ev) {
  ev.preventDefault();
  const code = document.getElementById("join-code").value, name = document.getElementById("join-name").value;
  const out = document.getElementById("join-error");
  out.textContent = "";
  try {
    const r = await api("POST", "/api/join", {code, name, token: S.token || undefined});
    const data = await r.json();
    S.token = data.token;
    localStorage.setItem("leathernest.token", S.token);
    localStorage.setItem("leathernest.name", data.trainee.name);
    await exercises(true);
  } catch (e) {
    out.textContent = e.message;
  }
}

let listTimer = null;

async function exercises(enterSingle = false) {
  clearTimeout(listTimer);
  try {
    S.me = await (await api("GET", `/api/me?lang=${I18N.lang}`)).json();
  } catch (e) {
    if (e.status === 401) { S.token = null; localStorage.removeItem("leathernest.token"); }
    show("join-screen");
    if (e.status !== 401) document.getElementById("join-error").textContent = e.message;
    return;
  }
  document.getElementById("who").textContent = `${S.me.trainee.name} · ${S.me.class.name}`;
  const open = S.me.exercises.filter((x) => x.state === "open");
  const last = localStorage.getItem(`leathernest.exercise.${location.host}.${S.me.trainee.id}`);
  const again = S.me.exercises.find((x) => String(x.id) === last && x.state === "open");
  if (enterSingle && (again || open.length === 1)) return enter((again || open[0]).id);
  const ul = document.getElementById("exercise-list");
  ul.replaceChildren();
  if (!S.me.exercises.length) {
    const li = document.createElement("li"); li.className = "muted"; li.textContent = t("list.none");
    ul.appendChild(li);
  }
  for (const x of S.me.exercises) {
    const li = document.createElement("li");
    const b = document.createElement("button");
    b.className = x.state === "open" ? "primary" : "";
    b.dataset.exercise = x.id;
    const best = x.best === null ? "" : `; ${t("list.best", {points: num(x.best, 1)})}`;
    b.textContent = `${x.title} (${t(`state.${x.state}`)}; ${t("list.attempts", {n: x.attempts})}${best})`;
    b.onclick = () => enter(x.id);
    li.appendChild(b);
    ul.appendChild(li);
  }
  show("list-screen");
  listTimer = setTimeout(() => exercises(false), 5000);  // the trainer may open one any moment
}

async function enter(eid) {
  clearTimeout(listTimer);
  S.eid = eid;
  localStorage.setItem(`leathernest.exercise.${location.host}.${S.me.trainee.id}`, String(eid));
  const job = await (await api("GET", `/api/exercises/${eid}?lang=${I18N.lang}`)).json();
  prepare(job);
  show("board-screen");
  await restoreLayout();
  touchView();
  render();
  const grain = job.pieces.some((p) => p.grain) ? ` ${t("say.grain_hint")}` : "";
  if (!S.placed.size) say(t("say.start") + grain);
  runCheck(true);
}

// The layout kept in this browser, else the server's copy (another tablet), else an empty hide.
async function restoreLayout() {
  let saved = null;
  try { saved = JSON.parse(localStorage.getItem(storeKey()) || "null"); } catch (e) { saved = null; }
  if (!saved) {
    const d = (await (await api("GET", `/api/exercises/${S.eid}/draft`)).json()).draft;
    if (d) saved = {placements: d.layout.placements, tab: null, submitted: null};
  }
  if (!saved) return;
  S.placed = new Map();
  for (const p of fromSolution(saved.placements)) {
    if (S.pieces.has(p.pid) && S.tabs.some((tb) => tb.key === tabKey(p.hide, p.hideCopy))) {
      S.placed.set(keyOf(p.pid, p.copy), p);
    }
  }
  if (saved.tab && S.tabs.some((tb) => tb.key === saved.tab)) S.tab = saved.tab;
  S.submitted = saved.submitted || null;
  if (S.placed.size) say(t("say.restored", {n: S.placed.size}));
}

function prepare(job) {
  S.job = job;
  S.ex = job.exercise;
  const {pieces, tabs} = prepareJob(job);
  S.pieces = pieces; S.tabs = tabs;
  S.tab = S.tabs[0].key;
  S.placed = new Map(); S.undo = []; S.redo = []; S.violations = []; S.sent = new Map();
  S.moved = new Set(); S.selected = null; S.submitted = null; S.reported = 0;
  S.snap = S.snapAllowed = job.snap;
  document.getElementById("btn-snap").setAttribute("aria-pressed", S.snap);
  document.getElementById("btn-snap").disabled = !S.snapAllowed;
  document.getElementById("job-name").textContent = S.ex.title;
  document.title = `leathernest: ${S.ex.title}`;
  document.getElementById("practise").replaceChildren(...job.practise.map((x) => {
    const li = document.createElement("li"); li.textContent = x; return li;
  }));
  document.getElementById("practise-title").hidden = !job.practise.length;
  fitView();
  renderLegend();
  buildTray();
}

// A new language: the page's words at once, the server's words (grades, rules) with the next
// answers; the job's grade words and the rules are asked for again.
async function relanguage() {
  if (!S.job) { if (S.me) exercises(false); return; }
  const job = await (await api("GET", `/api/exercises/${S.eid}?lang=${I18N.lang}`)).json();
  S.job.grade_words = job.grade_words;
  S.job.practise = job.practise;
  renderLegend();
  buildTray();
  tabsSeen = "";
  runCheck(true);
}

async function main() {
  await loadI18n();
  translatePage();
  for (const id of ["lang", "lang-board"]) languageSwitch(document.getElementById(id), () => {
    for (const other of ["lang", "lang-board"]) document.getElementById(other).value = I18N.lang;
    relanguage();
  });
  const params = new URLSearchParams(location.search);
  document.getElementById("join-code").value = params.get("code") || "";
  document.getElementById("join-name").value = localStorage.getItem("leathernest.name") || "";
  document.getElementById("join-form").addEventListener("submit", join);
  const view = document.getElementById("view");
  view.addEventListener("pointerdown", onBoardDown);
  window.addEventListener("pointermove", onBoardMove);
  window.addEventListener("pointerup", onBoardUp);
  window.addEventListener("pointercancel", onBoardUp);
  view.addEventListener("wheel", onWheel, {passive: false});
  window.addEventListener("keydown", onKey);
  window.addEventListener("resize", () => render());
  // Buttons act on the pointer's release on them (a finger's tap on a tablet, a mouse click),
  // and on click for the keyboard; a release followed by its click acts once.
  const on = (id, fn) => {
    const b = document.getElementById(id);
    let pressed = false, released = false;
    b.addEventListener("pointerdown", () => { pressed = true; });
    b.addEventListener("pointerleave", () => { pressed = false; });
    b.addEventListener("pointerup", () => { if (pressed) { pressed = false; released = true; fn(); } });
    b.addEventListener("click", () => { if (released) released = false; else fn(); });
  };
  on("btn-rot-left", () => rotateCoarse(-1));
  on("btn-rot-right", () => rotateCoarse(1));
  on("btn-fine-left", () => rotateFine(-1));
  on("btn-fine-right", () => rotateFine(1));
  on("btn-mirror", mirror);
  on("btn-back", takeBack);
  on("btn-undo", undo);
  on("btn-redo", redo);
  on("btn-zoom-in", () => zoom(1.25));
  on("btn-zoom-out", () => zoom(0.8));
  on("btn-fit", () => { fitView(); render(); });
  on("btn-snap", toggleSnap);
  on("btn-submit", submit);
  on("btn-history", showHistory);
  on("btn-exercises", () => { S.job = null; exercises(false); });
  on("btn-close-score", hideScore);
  on("btn-close-history", () => { document.getElementById("history").hidden = true; });
  on("btn-rules", () => document.getElementById("side").classList.toggle("open"));
  on("btn-rules-close", () => document.getElementById("side").classList.remove("open"));
  on("btn-leave", () => {
    localStorage.removeItem("leathernest.token"); S.token = null; S.job = null; show("join-screen");
  });
  setInterval(async () => {  // is the server there? (the rules' state says so)
    try { await fetch("/api/health", {cache: "no-store"}); setOnline(true); } catch (e) { setOnline(false); }
  }, 5000);
  if (S.token) await exercises(true); else show("join-screen");
}

// For tests and the screenshot script.
window.nest = {
  state: S,
  busy: () => checking(),
  load(list) { const before = snapshot(); S.placed = new Map(fromSolution(list).map((p) => [keyOf(p.pid, p.copy), p])); commit(before); },
  move(key, x, y) { const p = S.placed.get(key); p.x = x; p.y = y; S.selected = key; changed(); },
  centre(key, cx, cy) { const p = S.placed.get(key); centreAt(p, cx, cy); S.selected = key; changed(); },
  remove(keys) { for (const k of keys) S.placed.delete(k); changed(); },
  toScreen(x, y) {
    const m = document.getElementById("world").getScreenCTM();
    return {x: m.a * x + m.c * y + m.e, y: m.b * x + m.d * y + m.f};
  },
};

main().catch((e) => { const m = document.getElementById("message"); if (m) m.textContent = `cannot start: ${e.message}`; });
