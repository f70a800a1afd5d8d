// leathernest: the trainer's page. Classes, their exercises (a level of the exercise generator or
// any job; the engine's layout of each is made once on the server), opening and closing them,
// and the live view: who works on what, who submitted, each score, the class's commonest
// mistakes in the trade's words, any trainee's layout beside the engine's, CSV and print. Every
// call carries the trainer's key (from the address printed by the server, #key=...).
"use strict";

const T = {key: null, classes: [], cls: null, live: null, timer: null, jobs: new Map()};

async function tapi(method, url, body) {
  const opts = {method, headers: {"X-Trainer-Key": T.key || ""}};
  if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
  const r = await fetch(url, opts);
  if (!r.ok) {
    let data = {};
    try { data = await r.json(); } catch (e) { /* not JSON */ }
    const err = new Error(data.error || String(r.status));
    err.status = r.status;
    throw err;
  }
  return r;
}

function msg(text) { document.getElementById("room-message").textContent = text; }

async function start() {
  try {
    T.classes = await (await tapi("GET", "/api/trainer/classes")).json();
  } catch (e) {
    document.getElementById("key-screen").hidden = false;
    document.getElementById("trainer-main").hidden = true;
    if (T.key) document.getElementById("key-error").textContent = e.message;
    return;
  }
  sessionStorage.setItem("leathernest.key", T.key);
  document.getElementById("key-screen").hidden = true;
  document.getElementById("trainer-main").hidden = false;
  renderClasses();
  const last = +sessionStorage.getItem("leathernest.class");
  const pick = T.classes.find((c) => c.id === last) || (T.classes.length === 1 ? T.classes[0] : null);
  if (pick) openClass(pick.id);
}

function renderClasses() {
  const ul = document.getElementById("class-list");
  ul.replaceChildren();
  for (const c of T.classes) {
    const li = document.createElement("li");
    const b = document.createElement("button");
    b.textContent = `${c.name} (${c.code})`;
    b.className = T.cls && T.cls.id === c.id ? "active" : "";
    b.onclick = () => openClass(c.id);
    li.appendChild(b);
    ul.appendChild(li);
  }
}

async function openClass(cid) {
  T.cls = T.classes.find((c) => c.id === cid);
  sessionStorage.setItem("leathernest.class", cid);
  document.getElementById("no-class").hidden = true;
  document.getElementById("class-view").hidden = false;
  document.getElementById("class-title").textContent = T.cls.name;
  document.getElementById("class-code").textContent = T.cls.code;
  document.getElementById("join-how").textContent = t("tr.join_how", {url: location.origin + "/", code: T.cls.code});
  renderClasses();
  await refresh();
}

async function refresh() {
  clearTimeout(T.timer);
  if (!T.cls) return;
  try {
    T.live = await (await tapi("GET", `/api/trainer/classes/${T.cls.id}/live?lang=${I18N.lang}`)).json();
    renderExercises();
    renderLive();
    renderMistakes();
  } catch (e) {
    msg(e.message);
  }
  T.timer = setTimeout(refresh, 3000);
}

function renderExercises() {
  const table = document.getElementById("exercise-table");
  const head = ["tr.exercise", "tr.state", "tr.engine", "tr.submitted", ""].map((k) => `<th>${k ? escapeHtml(t(k)) : ""}</th>`).join("");
  table.innerHTML = `<tr>${head}</tr>`;
  for (const ex of T.live.exercises) {
    const tr = document.createElement("tr");
    tr.dataset.exercise = ex.id;
    const submitted = T.live.trainees.filter((p) => p.attempts[ex.id]).length;
    const engine = ex.engine_state === "failed" ? `${t("engine.failed")}: ${ex.engine_error || ""}` : t(`engine.${ex.engine_state}`);
    tr.innerHTML = `<td>${escapeHtml(ex.title)}</td><td class="state">${escapeHtml(t(`state.${ex.state}`))}</td>` +
                   `<td>${escapeHtml(engine)}</td><td class="num">${submitted} / ${T.live.trainees.length}</td><td></td>`;
    const cell = tr.lastChild;
    const button = (label, fn, cls = "") => {
      const b = document.createElement("button"); b.textContent = label; b.className = cls; b.onclick = fn; cell.appendChild(b);
      return b;
    };
    if (ex.state !== "open") button(t("tr.open"), () => setExercise(ex.id, {state: "open"}), "primary btn-open");
    if (ex.state === "open") button(t("tr.close"), () => setExercise(ex.id, {state: "closed"}), "btn-close");
    const show = button(ex.show_engine ? t("tr.hide_engine") : t("tr.show_engine"),
                        () => setExercise(ex.id, {show_engine: !ex.show_engine}));
    show.title = t("tr.show_engine_hint");
    if (ex.engine_state === "ready") button(t("tr.view_engine"), () => viewLayouts(ex.id, null, null));
    button(t("tr.csv"), () => csv(ex));
    table.appendChild(tr);
  }
}

async function setExercise(eid, change) {
  try { await tapi("POST", `/api/trainer/exercises/${eid}`, change); } catch (e) { msg(e.message); }
  refresh();
}

function titleOf(eid) { const ex = T.live.exercises.find((x) => x.id === eid); return ex ? ex.title : "?"; }

function renderLive() {
  const table = document.getElementById("live-table");
  const head = ["tr.trainee", "tr.working_on", "tr.placed", "tr.broken_now", "tr.attempts", "tr.best", "tr.last", ""];
  table.innerHTML = `<tr>${head.map((k) => `<th>${k ? escapeHtml(t(k)) : ""}</th>`).join("")}</tr>`;
  if (!T.live.trainees.length) {
    table.innerHTML += `<tr><td colspan="8" class="muted">${escapeHtml(t("tr.nobody"))}</td></tr>`;
  }
  for (const p of T.live.trainees) {
    const w = p.working_on;
    const tries = w ? p.attempts[w.exercise_id] : Object.values(p.attempts).pop();
    const last = tries && tries.last;
    const tr = document.createElement("tr");
    tr.dataset.trainee = p.name;
    const lastText = !last ? "-" : last.points === null ? t("history.waiting")
      : `${num(last.points, 1)}${last.rules_broken ? ` (${t("status.broken", {n: last.rules_broken})})` : ""}`;
    const words = new Map((T.live.mistakes[w ? w.exercise_id : 0] || []).map((x) => [x.key, x.text]));
    const mistakes = last ? last.mistakes.map((m) => words.get(m) || m).join("; ") : "";
    tr.innerHTML = `<td>${escapeHtml(p.name)}</td><td>${w ? escapeHtml(titleOf(w.exercise_id)) : "-"}</td>` +
      `<td class="num">${w ? `${w.placed} / ${w.total}` : "-"}</td>` +
      `<td class="num ${w && w.broken ? "bad-text" : ""}">${w ? w.broken : "-"}</td>` +
      `<td class="num attempts">${tries ? tries.n : 0}</td>` +
      `<td class="num best">${tries && tries.best !== null ? num(tries.best, 1) : "-"}</td>` +
      `<td class="last">${escapeHtml(lastText)}<br><span class="muted">${escapeHtml(mistakes)}</span></td><td></td>`;
    const cell = tr.lastChild;
    if (last) {
      const b = document.createElement("button"); b.textContent = t("tr.view_attempt");
      b.onclick = () => viewLayouts(w ? w.exercise_id : +Object.keys(p.attempts).pop(), last.id, p);
      cell.appendChild(b);
    }
    if (w) {
      const b = document.createElement("button"); b.textContent = t("tr.view_draft");
      b.onclick = () => viewLayouts(w.exercise_id, null, p, true);
      cell.appendChild(b);
    }
    const b = document.createElement("button"); b.textContent = t("tr.let_in");
    b.title = t("tr.let_in_hint");
    b.onclick = async () => { await tapi("POST", `/api/trainer/trainees/${p.id}/let-in`); msg(t("tr.let_in_done", {name: p.name})); };
    cell.appendChild(b);
    table.appendChild(tr);
  }
}

function renderMistakes() {
  const box = document.getElementById("mistakes");
  box.replaceChildren();
  for (const ex of T.live.exercises) {
    const list = T.live.mistakes[ex.id] || [];
    if (!list.length) continue;
    const submitted = T.live.trainees.filter((p) => p.attempts[ex.id]).length;
    const h = document.createElement("h4"); h.textContent = ex.title; box.appendChild(h);
    const ul = document.createElement("ul");
    for (const m of list) {
      const li = document.createElement("li");
      li.className = "mistake";
      li.dataset.key = m.key;
      li.innerHTML = `<b>${escapeHtml(m.text)}</b>: ${escapeHtml(t("tr.of", {n: m.n, total: submitted}))} ` +
                     `<span class="muted">(${escapeHtml(m.who.join(", "))})</span>`;
      ul.appendChild(li);
    }
    box.appendChild(ul);
  }
  if (!box.children.length) box.innerHTML = `<p class="muted">${escapeHtml(t("tr.no_mistakes"))}</p>`;
}

async function jobOf(eid) {
  if (!T.jobs.has(eid)) {
    const job = await (await tapi("GET", `/api/trainer/exercises/${eid}/job?lang=${I18N.lang}`)).json();
    T.jobs.set(eid, {job, ...prepareJob(job)});
  }
  return T.jobs.get(eid);
}

// A trainee's attempt (or current draft) beside the engine's layout.
async function viewLayouts(eid, aid, person, draft = false) {
  const {pieces, tabs} = await jobOf(eid);
  const columns = [];
  let title = titleOf(eid);
  const body = document.getElementById("viewer-body");
  body.replaceChildren();
  if (aid !== null) {
    const a = await (await tapi("GET", `/api/trainer/attempts/${aid}?lang=${I18N.lang}`)).json();
    title = `${a.trainee}: ${title}`;
    columns.push([a.trainee, fromSolution(a.layout.placements), a.score ? a.score.feedback : []]);
    const p = document.createElement("p");
    p.innerHTML = `<b>${escapeHtml(a.points === null ? t("history.waiting") : t("score.points", {points: num(a.points, 1)}))}</b>; ` +
                  `${escapeHtml(t("score.placed", {n: a.placed, total: a.total}))}`;
    body.appendChild(p);
    if (a.score) {
      const ul = document.createElement("ul");
      for (const v of a.score.violations) { const li = document.createElement("li"); li.textContent = `${v.rule}: ${v.text}`; ul.appendChild(li); }
      for (const f of a.score.feedback.slice(0, 8)) { const li = document.createElement("li"); li.textContent = f.text; ul.appendChild(li); }
      body.appendChild(ul);
    }
  } else if (draft) {
    const d = (await (await tapi("GET", `/api/trainer/exercises/${eid}/drafts/${person.id}`)).json()).draft;
    title = `${person.name}: ${title} (${t("tr.view_draft")})`;
    columns.push([person.name, fromSolution(d ? d.layout.placements : []), []]);
  }
  try {
    const sol = await (await tapi("GET", `/api/trainer/exercises/${eid}/engine`)).json();
    columns.push([t("score.engine"), fromSolution(sol.placements), []]);
  } catch (e) { /* not ready */ }
  document.getElementById("viewer-title").textContent = title;
  sideBySide(document.getElementById("viewer-sides"), tabs, pieces, columns);
  document.getElementById("viewer").hidden = false;
}

async function csv(ex) {
  const r = await tapi("GET", `/api/trainer/exercises/${ex.id}/class.csv`);
  const a = document.createElement("a");
  a.href = URL.createObjectURL(await r.blob());
  a.download = `${ex.title.replace(/[^A-Za-z0-9_.-]+/g, "_")}-class.csv`;
  document.body.appendChild(a); a.click(); a.remove();
}

async function addExercise(ev) {
  ev.preventDefault();
  const level = document.getElementById("ex-level").value;
  const time = +document.getElementById("ex-time").value;
  let body;
  if (level === "job") {
    const file = document.getElementById("ex-file").files[0];
    if (!file) return msg(t("tr.pick_file"));
    try { body = {job: JSON.parse(await file.text()), engine_time_s: time}; } catch (e) { return msg(e.message); }
  } else {
    body = {level: +level, seed: +document.getElementById("ex-seed").value, engine_time_s: time};
  }
  msg(t("tr.adding"));
  try {
    await tapi("POST", `/api/trainer/classes/${T.cls.id}/exercises`, body);
    msg(t("tr.added"));
  } catch (e) { msg(e.message); }
  refresh();
}

async function main() {
  await loadI18n();
  translatePage();
  languageSwitch(document.getElementById("lang"), () => { T.jobs.clear(); if (T.cls) openClass(T.cls.id); });
  const m = /key=([^&]+)/.exec(location.hash);
  T.key = m ? decodeURIComponent(m[1]) : sessionStorage.getItem("leathernest.key");
  if (m) history.replaceState(null, "", location.pathname);  // the key leaves the address bar
  document.getElementById("key-form").onsubmit = (ev) => { ev.preventDefault(); T.key = document.getElementById("key").value; start(); };
  document.getElementById("class-form").onsubmit = async (ev) => {
    ev.preventDefault();
    const c = await (await tapi("POST", "/api/trainer/classes", {name: document.getElementById("class-name").value})).json();
    T.classes = await (await tapi("GET", "/api/trainer/classes")).json();
    openClass(c.id);
  };
  document.getElementById("exercise-form").onsubmit = addExercise;
  document.getElementById("ex-level").onchange = (ev) => {
    document.getElementById("ex-file-label").hidden = ev.target.value !== "job";
  };
  document.getElementById("btn-print").onclick = () => window.print();
  document.getElementById("btn-close-viewer").onclick = () => { document.getElementById("viewer").hidden = true; };
  await start();
}

main().catch((e) => { document.body.insertAdjacentText("afterbegin", `cannot start: ${e.message}`); });
