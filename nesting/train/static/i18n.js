// leathernest pages: their words in six languages, from messages.json (one catalogue: a key, its
// English text and its translations). The language is the browser's unless the person chose one
// on the page (kept in localStorage). t("key", {n: 3}) fills {n}; a key without a translation
// falls back to English (tests/train/test_i18n.py fails before that can ship).
"use strict";

const I18N = {lang: "en", all: null, LANGS: ["en", "pt", "es", "ro", "pl", "it"],
              NAMES: {en: "English", pt: "Português", es: "Español", ro: "Română",
                      pl: "Polski", it: "Italiano"}};

function pickLang() {
  const chosen = localStorage.getItem("leathernest.lang");
  if (chosen && I18N.LANGS.includes(chosen)) return chosen;
  for (const l of navigator.languages || [navigator.language || "en"]) {
    const base = String(l).toLowerCase().split("-")[0];
    if (I18N.LANGS.includes(base)) return base;
  }
  return "en";
}

async function loadI18n() {
  I18N.all = await (await fetch("/static/messages.json")).json();
  I18N.lang = pickLang();
  document.documentElement.lang = I18N.lang;
}

function t(key, vars = {}) {
  const table = I18N.all[I18N.lang] || {};
  let s = table[key] ?? I18N.all.en[key] ?? key;
  for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
  return s;
}

// A number as people of the language write it (decimal comma in pt, es, ro, pl, it).
function num(v, digits = 0) {
  return Number(v).toLocaleString(I18N.lang, {maximumFractionDigits: digits,
                                             minimumFractionDigits: digits});
}

// Fill every element marked data-t="key" (text) or data-t-title / data-t-placeholder.
function translatePage(root = document) {
  for (const el of root.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
  for (const el of root.querySelectorAll("[data-t-title]")) el.title = t(el.dataset.tTitle);
  for (const el of root.querySelectorAll("[data-t-placeholder]")) el.placeholder = t(el.dataset.tPlaceholder);
  for (const el of root.querySelectorAll("[data-t-aria]")) el.setAttribute("aria-label", t(el.dataset.tAria));
}

// The language switch: a <select> filled with the six languages; choosing reloads the words.
function languageSwitch(select, onChange) {
  select.replaceChildren();
  for (const l of I18N.LANGS) {
    const o = document.createElement("option");
    o.value = l; o.textContent = I18N.NAMES[l];
    select.appendChild(o);
  }
  select.value = I18N.lang;
  select.onchange = () => {
    I18N.lang = select.value;
    localStorage.setItem("leathernest.lang", I18N.lang);
    document.documentElement.lang = I18N.lang;
    translatePage();
    onChange();
  };
}
