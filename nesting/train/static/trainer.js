// leathernest trainer: the trainee nests the order by hand; the server's exact validator judges
// every move (POST /api/check) and the score (POST /api/score). Everything here is local: no
// library, no network but this page's own server.
//
// Coordinates are the job's millimetres, x right and y up. A placement mirrors the piece about its
// local y axis, rotates it counter-clockwise by rot degrees about its local origin, then moves it
// by (x, y): the model's transform (nesting/model.py), written here once more for drawing.
"use strict";

const SVGNS = "http://www.w3.org/2000/svg";
const GRADE_FILL = {0: "#7a1f1f", 1: "#f2a65a", 2: "#f6d186", 3: "#d9ed92", 4: "#b5e48c"};
const PIECE_FILLS = ["#4c78a8", "#59a14f", "#9c755f", "#76b7b2", "#edc948", "#b07aa1",
                     "#ff9da7", "#e15759", "#f28e2b", "#bab0ac"];
const SNAP_PX = 14;        // snap when the gap to a neighbour or edge is this close on screen
const SNAP_SAFETY_MM = 0.01; // snapped pieces keep this much more than the gap (validator: 1e-6)
const FINE_DEG = 1;
const HISTORY = 500;

const S = {
  job: null, pieces: new Map(), tabs: [], tab: null, placed: new Map(), undo: [], redo: [],
  selected: null, snap: true, snapAllowed: true, check: null, checkMs: null, drag: null,
  view: null, engine: null, score: null,
};

// ---------------------------------------------------------------------------------------------
// Geometry

function ringArea(r) {
  let a = 0;
  for (let i = 0, n = r.length; i < n; i++) {
    const [x0, y0] = r[i], [x1, y1] = r[(i + 1) % n];
    a += x0 * y1 - x1 * y0;
  }
  return a / 2;
}

function ringCentroid(r) {
  let a = 0, cx = 0, cy = 0;
  for (let i = 0, n = r.length; i < n; i++) {
    const [x0, y0] = r[i], [x1, y1] = r[(i + 1) % n];
    const f = x0 * y1 - x1 * y0;
    a += f; cx += (x0 + x1) * f; cy += (y0 + y1) * f;
  }
  return a === 0 ? r[0] : [cx / (3 * a), cy / (3 * a)];
}

function transformOf(pl) {
  const t = pl.rot * Math.PI / 180, c = Math.cos(t), s = Math.sin(t), m = pl.mirrored ? -1 : 1;
  return {a: m * c, b: m * s, c: -s, d: c, e: pl.x, f: pl.y};
}

function apply(T, [x, y]) { return [T.a * x + T.c * y + T.e, T.b * x + T.d * y + T.f]; }

function placedRing(pl, ring) {
  const T = transformOf(pl);
  return ring.map((p) => apply(T, p));
}

function bbox(ring) {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const [x, y] of ring) {
    if (x < x0) x0 = x; if (y < y0) y0 = y; if (x > x1) x1 = x; if (y > y1) y1 = y;
  }
  return [x0, y0, x1, y1];
}

function boxesNear(a, b, d) {
  return a[0] - d <= b[2] && b[0] - d <= a[2] && a[1] - d <= b[3] && b[1] - d <= a[3];
}

function pointInRing([x, y], r) {
  let inside = false;
  for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
    const [xi, yi] = r[i], [xj, yj] = r[j];
    if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function segmentsCross(p, q, r, s) {
  const o = (a, b, c) => (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
  const d1 = o(r, s, p), d2 = o(r, s, q), d3 = o(p, q, r), d4 = o(p, q, s);
  return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
}

function ringsCross(a, b) {
  for (let i = 0; i < a.length; i++) {
    const p = a[i], q = a[(i + 1) % a.length];
    for (let j = 0; j < b.length; j++) {
      if (segmentsCross(p, q, b[j], b[(j + 1) % b.length])) return true;
    }
  }
  return false;
}

function ringsOverlap(a, b) {  // areas share interior (fast pre-check; the server decides)
  return ringsCross(a, b) || pointInRing(a[0], b) || pointInRing(b[0], a);
}

function closestOnSegment(p, a, b) {
  const dx = b[0] - a[0], dy = b[1] - a[1], L = dx * dx + dy * dy;
  let t = L === 0 ? 0 : ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / L;
  t = Math.max(0, Math.min(1, t));
  return [a[0] + t * dx, a[1] + t * dy];
}

// Distance between two rings that do not cross, with the nearest points (on a, on b).
function ringDistance(a, b) {
  let best = {d: Infinity, pa: null, pb: null};
  const scan = (src, dst, flip) => {
    for (const p of src) {
      for (let j = 0; j < dst.length; j++) {
        const q = closestOnSegment(p, dst[j], dst[(j + 1) % dst.length]);
        const d = Math.hypot(p[0] - q[0], p[1] - q[1]);
        if (d < best.d) best = flip ? {d, pa: q, pb: p} : {d, pa: p, pb: q};
      }
    }
  };
  scan(a, b, false);
  scan(b, a, true);
  return best;
}

const norm360 = (a) => ((a % 360) + 360) % 360;
const axisDiff = (a, b) => { const d = Math.abs(a - b) % 180; return Math.min(d, 180 - d); };

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
// grain, only turns within its tolerance are offered.
function coarseTurns(piece, pl) {
  const r = piece.rotations;
  let c = [...r.angles];
  if (r.free || r.ranges.length) c.push(0, 90, 180, 270, ...r.ranges.flat());
  if (piece.grain) {
    const t = grainTarget(piece, pl), d0 = placedGrainDeg(piece, 0, pl.mirrored);
    c.push(t - d0, t + 180 - d0);
    const ok = c.filter((a) => axisDiff(placedGrainDeg(piece, a, pl.mirrored), t)
                               <= piece.grain.tolerance_deg + 1e-6);
    if (ok.length) c = ok;
  }
  c = c.map(norm360).filter((a) => rotationAllowed(piece, a)).sort((a, b) => a - b);
  return c.filter((a, i) => i === 0 || a - c[i - 1] > 1e-6);
}

// ---------------------------------------------------------------------------------------------
// State

const keyOf = (pid, copy) => `${pid}#${copy}`;
const tabKey = (hideId, copy) => `${hideId}:${copy}`;
function tabOf(pl) { return S.tabs.find((t) => t.key === tabKey(pl.hide, pl.hideCopy)); }
function currentTab() { return S.tabs.find((t) => t.key === S.tab); }

function placedCentroid(pl) { return apply(transformOf(pl), S.pieces.get(pl.pid).centroid); }

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
  if (!S.undo.length) return say("nothing to undo");
  S.redo.push(snapshot());
  restore(S.undo.pop());
  changed();
}

function redo() {
  if (!S.redo.length) return say("nothing to redo");
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
// Drawing

function el(name, attrs = {}, parent = null) {
  const e = document.createElementNS(SVGNS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (parent) parent.appendChild(e);
  return e;
}

const ringD = (r) => "M" + r.map(([x, y]) => `${x.toFixed(2)},${y.toFixed(2)}`).join("L") + "Z";
const pathD = (outer, holes) => ringD(outer) + holes.map(ringD).join("");

function pxPerMm() {
  const svg = document.getElementById("view");
  return svg.clientWidth / S.view[2];
}

function fitView() {
  const [x0, y0, x1, y1] = currentTab().hide.bbox;
  const pad = 0.04 * Math.max(x1 - x0, y1 - y0);
  S.view = [x0 - pad, y0 - pad, x1 - x0 + 2 * pad, y1 - y0 + 2 * pad];
}

function drawHide(svg, hide, opts = {}) {
  const [, y0, , y1] = hide.bbox;
  const g = el("g", {transform: `matrix(1,0,0,-1,0,${y0 + y1})`, class: "world"}, svg);
  el("path", {d: ringD(hide.outer), class: "hide-leather", "vector-effect": "non-scaling-stroke"}, g);
  for (const h of hide.holes) el("path", {d: ringD(h), class: "hide-hole"}, g);
  for (const z of [...hide.zones].sort((a, b) => b.grade - a.grade)) {
    const p = el("path", {d: pathD(z.outer, z.holes), fill: GRADE_FILL[z.grade] || "#ccc",
                          "fill-opacity": 0.85, "fill-rule": "evenodd"}, g);
    el("title", {}, p).textContent = z.grade === 0 ? "defect (grade 0)" : `grade ${z.grade}`;
  }
  if (hide.backbone) {
    el("polyline", {points: hide.backbone.map((p) => p.join(",")).join(" "), class: "backbone",
                    "vector-effect": "non-scaling-stroke"}, g);
  }
  if (opts.interactive) g.setAttribute("id", "world");
  return g;
}

function drawPiece(parent, pl, cls, scale) {
  const piece = S.pieces.get(pl.pid);
  const T = transformOf(pl);
  const g = el("g", {class: `piece ${cls}`, "data-key": keyOf(pl.pid, pl.copy),
                     "data-rot": pl.rot.toFixed(3), "data-mirrored": pl.mirrored,
                     transform: `matrix(${T.a},${T.b},${T.c},${T.d},${T.e},${T.f})`}, parent);
  el("title", {}, g).textContent = `${piece.name} #${pl.copy}`;
  el("path", {d: pathD(piece.outer, piece.holes), class: "body", fill: piece.fill,
              "stroke-width": 1.5 / scale}, g);
  if (piece.grain) {  // the grain line as an axis through the centroid
    const t = piece.grain.direction_deg * Math.PI / 180, L = piece.grainLength / 2;
    const [cx, cy] = piece.centroid, dx = Math.cos(t) * L, dy = Math.sin(t) * L;
    const w = 1.2 / scale, h = Math.min(L / 4, 8 / scale);
    const nx = -Math.sin(t) * h / 2, ny = Math.cos(t) * h / 2, ax = Math.cos(t) * h, ay = Math.sin(t) * h;
    const a = [cx - dx, cy - dy], b = [cx + dx, cy + dy];
    el("path", {class: "grain", "stroke-width": w,
                d: `M${a}L${b}M${b[0] - ax + nx},${b[1] - ay + ny}L${b}L${b[0] - ax - nx},${b[1] - ay - ny}` +
                   `M${a[0] + ax + nx},${a[1] + ay + ny}L${a}L${a[0] + ax - nx},${a[1] + ay - ny}`}, g);
  }
  return g;
}

// Where a piece's one-line rule goes: just above the piece, so the piece itself stays visible.
function labelPoint(pl, scale) {
  const box = bbox(placedRing(pl, S.pieces.get(pl.pid).outer));
  return [(box[0] + box[2]) / 2, box[3] + 9 / scale];
}

function textAt(parent, [x, y], text, size, cls) {
  const t = el("text", {transform: `translate(${x},${y}) scale(1,-1)`, "font-size": size,
                        "text-anchor": "middle", "dominant-baseline": "middle", class: cls,
                        "stroke-width": size / 4}, parent);
  t.textContent = text;
  return t;
}

function render() {
  const svg = document.getElementById("view");
  svg.replaceChildren();
  const tab = currentTab();
  svg.setAttribute("viewBox", S.view.join(" "));
  const world = drawHide(svg, tab.hide, {interactive: true});
  const scale = pxPerMm();
  const bad = violationsByPiece();
  const labels = el("g", {}, world);
  for (const pl of S.placed.values()) {
    if (tabKey(pl.hide, pl.hideCopy) !== tab.key || (S.drag && S.drag.key === keyOf(pl.pid, pl.copy))) continue;
    const k = keyOf(pl.pid, pl.copy);
    const rules = bad.get(k) || [];
    const cls = [rules.length ? "bad" : "", S.selected === k ? "selected" : ""].join(" ");
    const g = drawPiece(world, pl, cls, scale);
    if (rules.length) {
      g.setAttribute("data-violation", rules[0].kind);
      const short = `${rules[0].kind}: ${rules[0].message.replace(/^\S+#\d+:\s*/, "")}`;
      textAt(labels, labelPoint(pl, scale), short.length > 60 ? short.slice(0, 57) + "..." : short,
             11 / scale, "rule-label");
    }
  }
  if (S.drag && S.drag.pl && S.drag.onBoard) {
    const g = drawPiece(world, S.drag.pl, "selected " + (S.drag.clash ? "pending" : ""), scale);
    g.setAttribute("id", "dragged");
    if (S.drag.clash) textAt(labels, labelPoint(S.drag.pl, scale), S.drag.clash, 11 / scale, "rule-label");
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
  const counts = S.tabs.map((t) => [...S.placed.values()].filter((p) => tabKey(p.hide, p.hideCopy) === t.key).length);
  const seen = `${S.tab}|${counts}`;
  if (seen === tabsSeen) return;
  tabsSeen = seen;
  nav.replaceChildren();
  for (const [i, t] of S.tabs.entries()) {
    const n = counts[i];
    const b = document.createElement("button");
    b.textContent = `${t.label} (${n})`;
    b.className = t.key === S.tab ? "active" : "";
    b.setAttribute("role", "tab");
    b.onclick = () => { S.tab = t.key; S.selected = null; fitView(); render(); };
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

function gradeText(piece) {
  return piece.min_grade === null ? "best grade only" : `grade ${piece.min_grade} or better`;
}

// The tray is built once; moves only update its counts, so that no element a finger is on goes
// away under it.
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
      const extra = piece.mirror === "pair" ? (hand ? " (mirrored hand)" : " (as drawn)") : "";
      name.innerHTML = `${escapeHtml(piece.name)}${extra}<br><span class="grade">${gradeText(piece)}` +
                       `${piece.grain ? `, grain ±${piece.grain.tolerance_deg}°` : ""}</span>`;
      div.appendChild(name);
      const count = document.createElement("span");
      count.className = "count";
      div.appendChild(count);
      div.addEventListener("pointerdown", (ev) => startTrayDrag(ev, piece, hand));
      box.appendChild(div);
    }
  }
}

function renderTray() {
  for (const div of document.querySelectorAll(".tray-item")) {
    const n = trayCount(S.pieces.get(div.dataset.piece), div.dataset.mirrored === "true");
    div.querySelector(".count").textContent = n;
    div.classList.toggle("empty", !n);
  }
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
}

function figures() {
  let area = 0, n = 0, usable = 0, cost = 0, priced = true;
  const used = new Set();
  for (const pl of S.placed.values()) {
    n++; area += S.pieces.get(pl.pid).area_mm2; used.add(tabKey(pl.hide, pl.hideCopy));
  }
  for (const t of S.tabs) {
    if (!used.has(t.key)) continue;
    usable += t.hide.usable_area_mm2;
    if (t.hide.cost === null) priced = false; else cost += t.hide.cost;
  }
  const total = [...S.pieces.values()].reduce((s, p) => s + p.copies, 0);
  return {n, total, hides: used.size, usable, util: usable ? area / usable : 0,
          cost: priced ? cost : null};
}

function renderFigures() {
  const f = figures();
  document.getElementById("fig-placed").textContent = `${f.n} / ${f.total}`;
  document.getElementById("fig-hides").textContent = f.hides;
  document.getElementById("fig-leather").textContent = `${(f.usable / 1e6).toFixed(3)} m²`;
  document.getElementById("fig-util").textContent = `${(100 * f.util).toFixed(1)} %`;
  document.getElementById("fig-cost").textContent = f.cost === null ? "-" : f.cost.toFixed(2);
  const st = document.getElementById("check-status");
  if (!S.check) { st.textContent = "-"; st.className = ""; return; }
  const n = S.check.violations.length;
  const ms = S.checkMs === null ? "" : ` (${Math.round(S.checkMs)} ms)`;
  st.textContent = (n ? `${n} broken` : "all kept") + ms;
  st.className = n ? "bad" : "ok";
  st.dataset.valid = S.check.valid;
}

function violationsByPiece() {
  const out = new Map();
  if (!S.check) return out;
  for (const v of S.check.violations) {
    for (const p of v.pieces) {
      if (!out.has(p)) out.set(p, []);
      out.get(p).push(v);
    }
    if (v.kind === "group") {  // "pair bifold_wallet.card_pocket#3": mark both copies
      const m = /^pair (.+)#(\d+)$/.exec(v.pieces[0] || "");
      if (m) for (const c of [2 * +m[2], 2 * +m[2] + 1]) {
        const k = keyOf(m[1], c);
        if (!out.has(k)) out.set(k, []);
        out.get(k).push(v);
      }
    }
  }
  return out;
}

function renderSide() {
  const ul = document.getElementById("violations");
  ul.replaceChildren();
  const list = S.check ? S.check.violations : [];
  if (!list.length) {
    const li = document.createElement("li");
    li.className = "muted";
    li.textContent = S.check ? "none: every rule is kept" : "none yet";
    ul.appendChild(li);
  }
  for (const v of list) {
    const li = document.createElement("li");
    li.textContent = `${v.kind}: ${v.message}`;
    li.onclick = () => selectKey(v.pieces[0]);
    ul.appendChild(li);
  }
  const info = document.getElementById("selected-info");
  const pl = S.selected && S.placed.get(S.selected);
  if (!pl) { info.textContent = "nothing selected"; info.className = "muted"; return; }
  const piece = S.pieces.get(pl.pid);
  const grain = piece.grain ? `, grain ${grainError(piece, pl).toFixed(1)}° off the backbone ` +
                `(±${piece.grain.tolerance_deg}° allowed)` : "";
  info.className = "";
  info.textContent = `${piece.name} #${pl.copy}: ${norm360(pl.rot).toFixed(1)}°` +
                     `${pl.mirrored ? ", mirrored" : ""}${grain}; ${gradeText(piece)}; ` +
                     `mirror ${piece.mirror}`;
}

function renderLegend() {
  const ul = document.getElementById("legend");
  const items = [["#efe3cf", "best leather (unmarked croupon)"]];
  const grades = new Set(S.job.hides.flatMap((h) => h.zones.map((z) => z.grade)));
  for (const g of [...grades].sort((a, b) => b - a)) {
    items.push([GRADE_FILL[g] || "#ccc", g === 0 ? "defect or hole: never cut" : `grade ${g}`]);
  }
  ul.replaceChildren();
  for (const [c, t] of items) {
    const li = document.createElement("li");
    li.innerHTML = `<i style="background:${c}"></i>${escapeHtml(t)}`;
    ul.appendChild(li);
  }
  const li = document.createElement("li");
  li.innerHTML = `<i style="background:none;border:1px dashed #1f3b73"></i>backbone (grain follows it)`;
  ul.appendChild(li);
}

function say(text) { document.getElementById("message").textContent = text; }

// ---------------------------------------------------------------------------------------------
// The server's check

let checkBusy = false, checkDirty = false;

function layoutBody(withTray) {
  const placements = [...S.placed.values()].map((p) => ({
    item_id: p.pid, copy: p.copy, bin_id: p.hide, hide_copy: p.hideCopy,
    rotation_deg: p.rot, mirrored: p.mirrored, translation: [p.x, p.y]}));
  const body = {placements, trainee: document.getElementById("trainee").value};
  if (withTray) {
    body.unplaced = [];
    for (const piece of S.pieces.values()) {
      for (let c = 0; c < piece.copies; c++) {
        if (!S.placed.has(keyOf(piece.id, c))) body.unplaced.push({item_id: piece.id, copy: c, reason: "no_room"});
      }
    }
  }
  return body;
}

async function post(url, body) {
  const r = await fetch(url, {method: "POST", headers: {"Content-Type": "application/json"},
                              body: JSON.stringify(body)});
  if (!r.ok) {
    let msg = `${r.status}`;
    try { msg = (await r.json()).error || msg; } catch (e) { /* not JSON */ }
    throw new Error(msg);
  }
  return r;
}

async function runCheck() {
  if (checkBusy) { checkDirty = true; return; }
  checkBusy = true; checkDirty = false;
  const t0 = performance.now();
  try {
    const result = await (await post("/api/check", layoutBody(true))).json();
    if (!checkDirty) { S.check = result; S.checkMs = performance.now() - t0; render(); }
  } catch (e) {
    say(`check failed: ${e.message}`);
  } finally {
    checkBusy = false;
    if (checkDirty) runCheck();
  }
}

function changed() { render(); runCheck(); }

// ---------------------------------------------------------------------------------------------
// Moving pieces: drag from the tray, drag on the hide, snap, keys and buttons

function toWorld(ev) {
  const world = document.getElementById("world");
  const m = world.getScreenCTM().inverse();
  return [m.a * ev.clientX + m.c * ev.clientY + m.e, m.b * ev.clientX + m.d * ev.clientY + m.f];
}

function overElement(ev, id) {
  const r = document.getElementById(id).getBoundingClientRect();
  return ev.clientX >= r.left && ev.clientX <= r.right && ev.clientY >= r.top && ev.clientY <= r.bottom;
}

function startTrayDrag(ev, piece, mirroredHand) {
  if (!trayCount(piece, mirroredHand)) return say(`no ${piece.name} left in the tray`);
  ev.preventDefault();
  const copy = freeCopy(piece, mirroredHand, S.tab);
  const tab = currentTab();
  const pl = {pid: piece.id, copy, hide: tab.hide.id, hideCopy: tab.copy, rot: 0,
              mirrored: piece.mirror === "pair" ? copy % 2 === 1 : false, x: 0, y: 0};
  const turns = coarseTurns(piece, pl);
  if (turns.length) pl.rot = turns.reduce((a, b) => (axisDiff(a, 0) <= axisDiff(b, 0) ? a : b));
  S.drag = {key: keyOf(piece.id, copy), pl, fromTray: true, before: snapshot(), grab: null,
            onBoard: false};
  S.selected = S.drag.key;
  listenDrag();
}

function startPieceDrag(ev, key) {
  const pl = S.placed.get(key);
  ev.preventDefault();
  const p = toWorld(ev);
  S.drag = {key, pl: {...pl}, fromTray: false, before: snapshot(), grab: [p[0] - pl.x, p[1] - pl.y],
            onBoard: true, start: [ev.clientX, ev.clientY], moved: false};
  S.selected = key;
  listenDrag();
  render();
}

function listenDrag() {
  window.addEventListener("pointermove", onDragMove);
  window.addEventListener("pointerup", onDragEnd);
  window.addEventListener("pointercancel", onDragEnd);
}

function onDragMove(ev) {
  const d = S.drag;
  if (!d) return;
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
  const d = S.drag;
  S.drag = null;
  if (!d) return;
  if (overElement(ev, "tray")) {  // taken back
    if (!d.fromTray) { S.placed.delete(d.key); S.selected = null; commit(d.before); say("taken back"); }
    else render();
    return;
  }
  if (!d.onBoard || (!d.fromTray && !d.moved)) { render(); return; }
  const snapped = S.snap ? snap(d.pl) : "";
  S.placed.set(d.key, d.pl);
  commit(d.before);
  say(snapped || "placed; the server checks every rule");
}

// Fast pre-check while dragging (overlap, off the hide, on a defect); the server decides.
function preCheck(pl) {
  const piece = S.pieces.get(pl.pid);
  const ring = placedRing(pl, piece.outer), box = bbox(ring);
  const hide = tabOf(pl).hide;
  if (ring.some((p) => !pointInRing(p, hide.outer)) || ringsCross(ring, hide.outer)) return "off the hide";
  for (const z of hide.zones) {
    if (z.grade === 0 && boxesNear(box, z.box, 0) && ringsOverlap(ring, z.outer)) return "on a defect";
  }
  for (const other of S.placed.values()) {
    if (keyOf(other.pid, other.copy) === keyOf(pl.pid, pl.copy) || tabKey(other.hide, other.hideCopy) !== tabKey(pl.hide, pl.hideCopy)) continue;
    const o = placedRing(other, S.pieces.get(other.pid).outer);
    if (boxesNear(box, bbox(o), 0) && ringsOverlap(ring, o)) return `overlaps ${other.pid}#${other.copy}`;
  }
  return "";
}

// Obstacles of a placement with the distance each needs: neighbours (the gap), the hide's edge,
// holes and defects (the margin).
function obstacles(pl, reach) {
  const piece = S.pieces.get(pl.pid), hide = tabOf(pl).hide;
  const ring = placedRing(pl, piece.outer), box = bbox(ring);
  const out = [{name: "the hide's edge", ring: hide.outer, need: S.job.margin_mm}];
  for (const h of hide.holes) out.push({name: "a hole", ring: h, need: S.job.margin_mm});
  for (const z of hide.zones) if (z.grade === 0) out.push({name: "a defect", ring: z.outer, need: S.job.margin_mm});
  for (const other of S.placed.values()) {
    if (keyOf(other.pid, other.copy) === keyOf(pl.pid, pl.copy) || tabKey(other.hide, other.hideCopy) !== tabKey(pl.hide, pl.hideCopy)) continue;
    out.push({name: `${other.pid}#${other.copy}`, ring: placedRing(other, S.pieces.get(other.pid).outer), need: S.job.gap_mm});
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
  return done.length ? `snapped to ${done.map((o) => o.name).join(" and ")}` : "";
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
  const pl = selected();
  if (!pl) return say("select a piece on the hide first (click or tap it)");
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
    if (!turns.length) { say("no turn keeps this piece's grain and rotations"); return false; }
    const cur = norm360(pl.rot);
    const next = dir > 0 ? turns.find((a) => a > cur + 1e-6) ?? turns[0]
                         : [...turns].reverse().find((a) => a < cur - 1e-6) ?? turns[turns.length - 1];
    if (Math.abs(next - cur) < 1e-6) { say(`${piece.name} has only this turn`); return false; }
    pl.rot = next;
    return `turned to ${next.toFixed(1)}°`;
  });
}

function rotateFine(dir) {
  modify((pl, piece) => {
    const next = norm360(pl.rot + dir * FINE_DEG);
    if (!rotationAllowed(piece, next)) {
      say(`${piece.name} turns only in steps: ${piece.rotations.angles.join("°, ")}°`);
      return false;
    }
    if (piece.grain && axisDiff(placedGrainDeg(piece, next, pl.mirrored), grainTarget(piece, pl)) >
        piece.grain.tolerance_deg + 1e-6 && grainError(piece, pl) <= piece.grain.tolerance_deg + 1e-6) {
      say(`the grain may turn at most ${piece.grain.tolerance_deg}° off the backbone`);
      return false;
    }
    pl.rot = next;
    return `turned to ${next.toFixed(1)}°`;
  });
}

function mirror() {
  modify((pl, piece) => {
    if (piece.mirror === "pair") { say("a pair: the tray holds both hands (as drawn and mirrored)"); return false; }
    if (piece.mirror !== "allowed") { say(`${piece.name} may not be mirrored: leather is cut grain side up`); return false; }
    pl.mirrored = !pl.mirrored;
    return pl.mirrored ? "mirrored" : "as drawn";
  });
}

function takeBack() {
  const pl = selected();
  if (!pl) return say("select a piece on the hide first");
  const before = snapshot();
  S.placed.delete(S.selected);
  S.selected = null;
  commit(before);
  say("taken back to the tray");
}

function nudge(dx, dy) { modify((pl) => { pl.x += dx; pl.y += dy; return ""; }, false); }

function zoom(f, at) {
  const [x, y, w, h] = S.view;
  const [cx, cy] = at || [x + w / 2, y + h / 2];
  S.view = [cx - (cx - x) / f, cy - (cy - y) / f, w / f, h / f];
  render();
}

function onKey(ev) {
  if (ev.target.tagName === "INPUT") return;
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
  if (!S.snapAllowed) return say("the trainer switched snapping off for this exercise");
  S.snap = !S.snap;
  document.getElementById("snap").checked = S.snap;
  say(S.snap ? "snapping on" : "snapping off");
}

function onBoardDown(ev) {
  const g = ev.target.closest && ev.target.closest(".piece");
  if (g && g.dataset.key) return startPieceDrag(ev, g.dataset.key);
  // the background: pan
  ev.preventDefault();
  S.selected = null;
  const start = [ev.clientX, ev.clientY], view0 = [...S.view], k = 1 / pxPerMm();
  const move = (e) => {
    S.view = [view0[0] - (e.clientX - start[0]) * k, view0[1] - (e.clientY - start[1]) * k, view0[2], view0[3]];
    render();
  };
  const up = () => { window.removeEventListener("pointermove", move); window.removeEventListener("pointerup", up); };
  window.addEventListener("pointermove", move);
  window.addEventListener("pointerup", up);
  render();
}

function onWheel(ev) {
  ev.preventDefault();
  const svg = document.getElementById("view");
  const r = svg.getBoundingClientRect();
  const at = [S.view[0] + (ev.clientX - r.left) / pxPerMm(), S.view[1] + (ev.clientY - r.top) / pxPerMm()];
  zoom(ev.deltaY < 0 ? 1.15 : 1 / 1.15, at);
}

// ---------------------------------------------------------------------------------------------
// Submit: the score against the engine, saving

function fmt(v, unit = "") {
  if (v === null || v === undefined) return "-";
  if (unit === "%") return `${(100 * v).toFixed(1)} %`;
  if (unit === "m2") return `${v.toFixed(3)} m²`;
  if (unit === "money") return v.toFixed(2);
  return String(v);
}

const SCORE_ROWS = [
  ["pieces placed", "pieces_placed", "", true], ["hides used", "hides_used", "", false],
  ["utilisation of the hides used", "utilisation", "%", true],
  ["leather consumed", "leather_consumed_m2", "m2", false],
  ["first waste (between pieces)", "first_waste_m2", "m2", false],
  ["second waste (edge, offcuts)", "second_waste_m2", "m2", false],
  ["remnant kept (largest per hide)", "remnant_m2", "m2", true],
  ["best leather on lower-grade pieces", "best_misuse_m2", "m2", false],
  ["leather consumed, at the hides' price", "money_consumed", "money", false],
  ["leather for the whole order", "leather_for_order_m2", "m2", false],
];

function engineLayout() {
  const sol = S.engine && S.engine.solution;
  if (!sol) return [];
  return sol.placements.map((p) => ({pid: p.item_id, copy: p.copy, hide: p.bin_id, hideCopy: p.hide_copy,
                                      rot: p.rotation_deg, mirrored: p.mirrored, x: p.translation[0], y: p.translation[1]}));
}

function sideSvg(tab, placements, markers) {
  const svg = el("svg", {});
  const [x0, y0, x1, y1] = tab.hide.bbox;
  const pad = 0.03 * Math.max(x1 - x0, y1 - y0);
  svg.setAttribute("viewBox", `${x0 - pad} ${y0 - pad} ${x1 - x0 + 2 * pad} ${y1 - y0 + 2 * pad}`);
  const world = drawHide(svg, tab.hide);
  const scale = 500 / (x1 - x0);
  for (const pl of placements) if (tabKey(pl.hide, pl.hideCopy) === tab.key) drawPiece(world, pl, "", scale);
  markers.forEach((f, i) => {
    if (tabKey(f.hide, f.hide_copy) !== tab.key || !f.at) return;
    el("circle", {cx: f.at[0], cy: f.at[1], r: 9 / scale, class: "marker"}, world);
    textAt(world, f.at, String(i + 1), 10 / scale, "marker-text");
  });
  return svg;
}

async function submit() {
  say("scoring: waiting for the engine's layout if it is still working ...");
  try {
    const result = await (await post("/api/score", layoutBody(false))).json();
    S.score = result;
    S.engine = await (await fetch("/api/engine")).json();
    showScore(result);
    say(`scored: ${result.points.toFixed(1)} points`);
  } catch (e) {
    say(`score failed: ${e.message}`);
  }
}

function showScore(r) {
  const c = r.comparison, h = c.hand, e = c.engine;
  const body = document.getElementById("score-body");
  const parts = [];
  const broken = r.violations.filter((v) => v.kind !== "missing");
  const verdict = r.valid ? "Valid: every rule kept." :
    broken.length ? `Not cuttable: ${broken.length} rule(s) broken, so 0 points.` :
    "Pieces missing: the points count only the leather of what you placed.";
  parts.push(`<p id="points" class="points ${r.points >= 100 ? "good" : r.points < 80 ? "poor" : ""}">` +
             `${r.points.toFixed(1)} points</p><p id="verdict">${escapeHtml(verdict)} ` +
             `<span class="muted">100 points = the engine's leather per piece; more beats it.</span></p>`);
  const d = c.difference;
  if (d && d.leather_saved_m2 !== null) {
    const who = d.leather_saved_m2 >= 0 ? "The engine's layout saves" : "Your layout saves";
    const money = d.money_saved === null ? "" : `, worth ${Math.abs(d.money_saved).toFixed(2)} at ${d.price_per_m2.toFixed(2)} per m²`;
    parts.push(`<p><b>${who} ${Math.abs(d.leather_saved_m2).toFixed(3)} m² of leather</b> on this order${money}.</p>`);
  }
  let rows = "<tr><th class='name'></th><th>your layout</th><th>engine</th></tr>";
  for (const [name, key, unit, higher] of SCORE_ROWS) {
    const a = h[key], b = e[key];
    let ca = "", cb = "";
    if (typeof a === "number" && typeof b === "number" && Math.abs(a - b) > 1e-9) {
      const better = (a > b) === higher;
      ca = better ? "better" : "worse"; cb = better ? "worse" : "better";
    }
    rows += `<tr><td class="name">${name}</td><td class="${ca}">${fmt(a, unit)}</td><td class="${cb}">${fmt(b, unit)}</td></tr>`;
  }
  parts.push(`<table id="score-table">${rows}</table><p class="muted">First waste: leather enclosed ` +
             `between your pieces. Second waste: strips at the hide's edge and around defects, and ` +
             `offcuts too small to keep. Leather consumed = leather used - the remnant kept.</p>`);
  if (r.violations.length) {
    parts.push(`<h3>Rules broken</h3><ul>${r.violations.map((v) => `<li>${escapeHtml(v.kind)}: ${escapeHtml(v.message)}</li>`).join("")}</ul>`);
  }
  if (r.feedback.length) {
    parts.push(`<h3>Where the leather went</h3><ol id="feedback">${r.feedback.map((f) =>
      `<li data-piece="${escapeHtml(f.pieces[0])}">${escapeHtml(f.message)}</li>`).join("")}</ol>`);
  }
  parts.push("<h3>Side by side</h3><div id='sides'></div>");
  parts.push("<p><button id='btn-score-json'>save JSON</button> <button id='btn-score-dxf'>save DXF</button></p>");
  body.innerHTML = parts.join("");
  const sides = document.getElementById("sides");
  const mine = [...S.placed.values()], eng = engineLayout();
  const used = S.tabs.filter((t) => mine.concat(eng).some((p) => tabKey(p.hide, p.hideCopy) === t.key));
  for (const t of used) {
    const row = document.createElement("div");
    row.className = "sides";
    for (const [title, list, marks] of [["your layout", mine, r.feedback], ["engine", eng, []]]) {
      const col = document.createElement("div");
      col.innerHTML = `<h4>${escapeHtml(title)}: ${escapeHtml(t.label)}</h4>`;
      col.appendChild(sideSvg(t, list, marks));
      row.appendChild(col);
    }
    sides.appendChild(row);
  }
  for (const li of body.querySelectorAll("#feedback li")) {
    li.onclick = () => { hideScore(); selectKey(li.dataset.piece); };
  }
  document.getElementById("btn-score-json").onclick = saveJson;
  document.getElementById("btn-score-dxf").onclick = saveDxf;
  document.getElementById("score").hidden = false;
}

function hideScore() { document.getElementById("score").hidden = true; }

async function download(url, fallbackName) {
  try {
    const r = await post(url, layoutBody(url === "/api/dxf"));
    const blob = await r.blob();
    const m = /filename="([^"]+)"/.exec(r.headers.get("Content-Disposition") || "");
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = m ? m[1] : fallbackName;
    document.body.appendChild(a);
    a.click();
    a.remove();
    say(`saved ${a.download}`);
  } catch (e) {
    say(`cannot save: ${e.message}`);
  }
}

function saveJson() { download("/api/solution", "layout.json"); }
function saveDxf() { download("/api/dxf", "layout.dxf"); }

// Lay out placements in the solution format (a saved layout): one undoable step.
function loadPlacements(list) {
  const before = snapshot();
  const next = new Map();
  for (const p of list) {
    const piece = S.pieces.get(String(p.item_id));
    if (!piece || !p.translation) continue;
    const tab = S.tabs.find((t) => t.key === tabKey(p.bin_id, p.hide_copy || 0)) || S.tabs[0];
    next.set(keyOf(piece.id, p.copy || 0), {pid: piece.id, copy: p.copy || 0, hide: tab.hide.id,
      hideCopy: tab.copy, rot: +p.rotation_deg || 0, mirrored: !!p.mirrored,
      x: +p.translation[0], y: +p.translation[1]});
  }
  S.placed = next;
  S.selected = null;
  commit(before);
  return next.size;
}

function openFile(file) {
  const reader = new FileReader();
  reader.onload = () => {
    try {
      const data = JSON.parse(reader.result);
      const n = loadPlacements(data.placements || []);
      if (data.trainee) document.getElementById("trainee").value = data.trainee;
      say(`opened ${file.name}: ${n} pieces`);
    } catch (e) {
      say(`cannot open ${file.name}: ${e.message}`);
    }
  };
  reader.readAsText(file);
}

// ---------------------------------------------------------------------------------------------
// Start

function prepare(job) {
  S.job = job;
  job.pieces.forEach((p, i) => {
    p.fill = PIECE_FILLS[i % PIECE_FILLS.length];
    p.centroid = ringCentroid(p.outer);
    const [x0, y0, x1, y1] = bbox(p.outer);
    p.grainLength = 0.6 * Math.min(x1 - x0, y1 - y0) + 0.2 * Math.max(x1 - x0, y1 - y0);
    S.pieces.set(p.id, p);
  });
  for (const h of job.hides) {
    for (const z of h.zones) z.box = bbox(z.outer);
    for (let c = 0; c < h.stock; c++) {
      S.tabs.push({key: tabKey(h.id, c), hide: h, copy: c, label: h.stock > 1 ? `${h.name} (${c + 1})` : h.name});
    }
  }
  S.tab = S.tabs[0].key;
  S.snap = S.snapAllowed = job.snap;
  document.getElementById("snap").checked = S.snap;
  document.getElementById("snap").disabled = !S.snapAllowed;
  document.getElementById("job-name").textContent = `leathernest trainer: ${job.name}`;
  document.title = `trainer: ${job.name}`;
  fitView();
  renderLegend();
  buildTray();
}

async function main() {
  const job = await (await fetch("/api/job")).json();
  prepare(job);
  const view = document.getElementById("view");
  view.addEventListener("pointerdown", onBoardDown);
  view.addEventListener("wheel", onWheel, {passive: false});
  window.addEventListener("keydown", onKey);
  window.addEventListener("resize", render);
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
  on("btn-submit", submit);
  on("btn-save-json", saveJson);
  on("btn-save-dxf", saveDxf);
  on("btn-close-score", hideScore);
  on("btn-open", () => document.getElementById("file-open").click());
  document.getElementById("file-open").onchange = (ev) => ev.target.files[0] && openFile(ev.target.files[0]);
  document.getElementById("snap").onchange = (ev) => { S.snap = ev.target.checked; };
  const grain = job.pieces.some((p) => p.grain) ? " Grain lines (arrows) must follow the backbone." : "";
  say(`Drag the pieces from the tray onto the hide. Start with the pieces that need the best leather, in the croupon.${grain}`);
  render();
  runCheck();
}

// For tests and the screenshot script: where a hide point is on the screen.
window.trainer = {
  state: S,
  load: loadPlacements,
  busy: () => checkBusy || checkDirty,
  move(key, x, y) { const p = S.placed.get(key); p.x = x; p.y = y; S.selected = key; changed(); },
  centre(key, cx, cy) { const p = S.placed.get(key); centreAt(p, cx, cy); S.selected = key; changed(); },
  remove(keys) { for (const k of keys) S.placed.delete(k); changed(); },
  toScreen(x, y) {
    const m = document.getElementById("world").getScreenCTM();
    return {x: m.a * x + m.c * y + m.e, y: m.b * x + m.d * y + m.f};
  },
};

main().catch((e) => say(`cannot start: ${e.message}`));
