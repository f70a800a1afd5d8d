// leathernest pages: geometry and drawing shared by the trainee's page (nest.js) and the
// trainer's (trainer.js). No library, no network.
//
// Coordinates are the job's millimetres, x right and y up. A placement mirrors the piece about its
// local y axis, rotates it counter-clockwise by rot degrees about its local origin, then moves it
// by (x, y): the model's transform (nesting/model.py), written here once more for drawing.
"use strict";

const SVGNS = "http://www.w3.org/2000/svg";
const GRADE_FILL = {0: "#7a1f1f", 1: "#f2a65a", 2: "#f6d186", 3: "#d9ed92", 4: "#b5e48c"};
const PIECE_FILLS = ["#4c78a8", "#59a14f", "#9c755f", "#76b7b2", "#edc948", "#b07aa1",
                     "#ff9da7", "#e15759", "#f28e2b", "#bab0ac"];

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

const keyOf = (pid, copy) => `${pid}#${copy}`;
const tabKey = (hideId, copy) => `${hideId}:${copy}`;

// The job's pieces and hides made ready for drawing (colours, centroids, tabs per hide copy).
function prepareJob(job) {
  const pieces = new Map();
  job.pieces.forEach((p, i) => {
    p.fill = PIECE_FILLS[i % PIECE_FILLS.length];
    p.centroid = ringCentroid(p.outer);
    const [x0, y0, x1, y1] = bbox(p.outer);
    p.w = x1 - x0; p.h = y1 - y0;
    p.grainLength = 0.6 * Math.min(p.w, p.h) + 0.2 * Math.max(p.w, p.h);
    pieces.set(p.id, p);
  });
  const tabs = [];
  for (const h of job.hides) {
    for (const z of h.zones) z.box = bbox(z.outer);
    for (let c = 0; c < h.stock; c++) {
      tabs.push({key: tabKey(h.id, c), hide: h, copy: c, label: h.stock > 1 ? `${h.name} (${c + 1})` : h.name});
    }
  }
  return {pieces, tabs};
}

// Placements of the solution format as the pages hold them.
function fromSolution(list) {
  return (list || []).map((p) => ({pid: String(p.item_id), copy: p.copy || 0, hide: p.bin_id,
    hideCopy: p.hide_copy || 0, rot: +p.rotation_deg || 0, mirrored: !!p.mirrored,
    x: +p.translation[0], y: +p.translation[1]}));
}

function toSolution(list) {
  return list.map((p) => ({item_id: p.pid, copy: p.copy, bin_id: p.hide, hide_copy: p.hideCopy,
                           rotation_deg: p.rot, mirrored: p.mirrored, translation: [p.x, p.y]}));
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

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
}

function drawHide(svg, hide, opts = {}) {
  const [, y0, , y1] = hide.bbox;
  const g = el("g", {transform: `matrix(1,0,0,-1,0,${y0 + y1})`, class: "world"}, svg);
  el("path", {d: ringD(hide.outer), class: "hide-leather", "vector-effect": "non-scaling-stroke"}, g);
  for (const h of hide.holes) el("path", {d: ringD(h), class: "hide-hole"}, g);
  for (const z of [...hide.zones].sort((a, b) => b.grade - a.grade)) {
    const p = el("path", {d: pathD(z.outer, z.holes), fill: GRADE_FILL[z.grade] || "#ccc",
                          "fill-opacity": 0.85, "fill-rule": "evenodd", "data-grade": z.grade}, g);
    if (opts.zoneTitle) el("title", {}, p).textContent = opts.zoneTitle(z.grade);
  }
  if (hide.backbone) {
    el("polyline", {points: hide.backbone.map((p) => p.join(",")).join(" "), class: "backbone",
                    "vector-effect": "non-scaling-stroke"}, g);
  }
  if (opts.interactive) g.setAttribute("id", "world");
  return g;
}

// A piece: its outline, its grain arrow, and (on the trainee's board) a wide invisible rim that
// a finger can grab even when the piece is small on the screen.
function drawPiece(parent, pl, piece, cls, scale, grabPx = 0) {
  const T = transformOf(pl);
  const g = el("g", {class: `piece ${cls}`, "data-key": keyOf(pl.pid, pl.copy),
                     "data-rot": pl.rot.toFixed(3), "data-mirrored": pl.mirrored,
                     transform: `matrix(${T.a},${T.b},${T.c},${T.d},${T.e},${T.f})`}, parent);
  el("title", {}, g).textContent = `${piece.name} ${pl.copy + 1}`;
  if (grabPx) el("path", {d: ringD(piece.outer), class: "grab", "stroke-width": grabPx / scale}, g);
  el("path", {d: pathD(piece.outer, piece.holes), class: "body", fill: piece.fill,
              "stroke-width": 1.5 / scale}, g);
  if (piece.grain) {  // the grain line as an axis through the centroid
    const tt = piece.grain.direction_deg * Math.PI / 180, L = piece.grainLength / 2;
    const [cx, cy] = piece.centroid, dx = Math.cos(tt) * L, dy = Math.sin(tt) * L;
    const w = 1.2 / scale, h = Math.min(L / 4, 8 / scale);
    const nx = -Math.sin(tt) * h / 2, ny = Math.cos(tt) * h / 2, ax = Math.cos(tt) * h, ay = Math.sin(tt) * h;
    const a = [cx - dx, cy - dy], b = [cx + dx, cy + dy];
    el("path", {class: "grain", "stroke-width": w,
                d: `M${a}L${b}M${b[0] - ax + nx},${b[1] - ay + ny}L${b}L${b[0] - ax - nx},${b[1] - ay - ny}` +
                   `M${a[0] + ax + nx},${a[1] + ay + ny}L${a}L${a[0] + ax - nx},${a[1] + ay - ny}`}, g);
  }
  return g;
}

function textAt(parent, [x, y], text, size, cls) {
  const tx = el("text", {transform: `translate(${x},${y}) scale(1,-1)`, "font-size": size,
                         "text-anchor": "middle", "dominant-baseline": "middle", class: cls,
                         "stroke-width": size / 4}, parent);
  tx.textContent = text;
  return tx;
}

// A whole hide copy with placements, fitted to its box (score views, the trainer's viewer).
function layoutSvg(tab, placements, pieces, markers = []) {
  const svg = el("svg", {});
  const [x0, y0, x1, y1] = tab.hide.bbox;
  const pad = 0.03 * Math.max(x1 - x0, y1 - y0);
  svg.setAttribute("viewBox", `${x0 - pad} ${y0 - pad} ${x1 - x0 + 2 * pad} ${y1 - y0 + 2 * pad}`);
  const world = drawHide(svg, tab.hide);
  const scale = 500 / (x1 - x0);
  for (const pl of placements) {
    if (tabKey(pl.hide, pl.hideCopy) === tab.key && pieces.has(pl.pid)) {
      drawPiece(world, pl, pieces.get(pl.pid), "", scale);
    }
  }
  markers.forEach((f, i) => {
    if (tabKey(f.hide, f.hide_copy) !== tab.key || !f.at) return;
    el("circle", {cx: f.at[0], cy: f.at[1], r: 9 / scale, class: "marker"}, world);
    textAt(world, f.at, String(i + 1), 10 / scale, "marker-text");
  });
  return svg;
}

// Two layouts side by side, one row per hide copy either uses.
function sideBySide(box, tabs, pieces, columns) {
  box.replaceChildren();
  const used = tabs.filter((tb) => columns.some(([, list]) => list.some((p) => tabKey(p.hide, p.hideCopy) === tb.key)));
  for (const tb of used) {
    const row = document.createElement("div");
    row.className = "sides";
    for (const [title, list, marks] of columns) {
      const col = document.createElement("div");
      col.innerHTML = `<h4>${escapeHtml(title)}: ${escapeHtml(tb.label)}</h4>`;
      col.appendChild(layoutSvg(tb, list, pieces, marks || []));
      row.appendChild(col);
    }
    box.appendChild(row);
  }
}
