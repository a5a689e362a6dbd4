// Search quality: runs a query set against a built site's index with the
// theme's own client (themes/default/static/js/khao-search.js, as the
// browser does) and scores it against the ground truth: a page is relevant
// when its normalised title or text (what khao::search::document reads of
// it) contains the normalised query. tests/search_site.rs runs it.
//
//   node tests/search/quality.mjs --docs DOCS.json --index PUBLIC
//        --queries tests/search/queries/X.json [--check] [--verbose]
//
// --check exits non-zero unless precision (all results and top 5) and
// recall are ≥ 0.95, no absent word has a hit, and title matches rank
// first. Prints one JSON object per engine.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const ks = require("../../themes/default/static/js/khao-search.js");

function args() {
  const a = process.argv.slice(2), o = {};
  for (let i = 0; i < a.length; i++) {
    if (a[i].startsWith("--")) {
      const k = a[i].slice(2);
      o[k] = a[i + 1] && !a[i + 1].startsWith("--") ? a[++i] : true;
    }
  }
  return o;
}

/** A fetch reading files under `dir` (URL paths from its root). */
export function diskFetch(dir, log) {
  return async (input) => {
    const url = new URL(typeof input === "string" ? input : String(input.url || input), "http://site.invalid/");
    const path = decodeURIComponent(url.pathname);
    try {
      const bytes = await readFile(join(dir, path));
      if (log) log.push({ path, bytes });
      return new Response(bytes, { status: 200 });
    } catch {
      return new Response("", { status: 404 });
    }
  };
}

const norm = (s) => ks.normalize(s).chars.join("");

export function groundTruth(docs, query) {
  const q = norm(query);
  if (!q) return new Set();
  return new Set(docs.filter((d) => norm(d.title).includes(q) || norm(d.text).includes(q)).map((d) => d.url));
}

async function khaoEngine(dir) {
  const engine = ks.create({ base: "/khao-search/", fetch: diskFetch(dir) });
  return async (q) => {
    const a = await engine.search(q, { limit: Infinity });
    return { urls: a.results.map((r) => r.url), titles: a.results.map((r) => r.title), suggestion: a.suggestion };
  };
}

export function score(docs, queries, answers) {
  let ret = 0, rel = 0, found = 0, top5 = 0, top5ok = 0, absentHits = 0, absentQ = 0;
  let titleCases = 0, titleFirst = 0;
  const rows = [];
  queries.forEach((qq, i) => {
    const gt = groundTruth(docs, qq.q), a = answers[i];
    const ok = a.urls.filter((u) => gt.has(u)).length;
    ret += a.urls.length; found += ok; rel += gt.size;
    const t5 = a.urls.slice(0, 5);
    top5 += t5.length; top5ok += t5.filter((u) => gt.has(u)).length;
    if (gt.size === 0) { absentQ++; if (a.urls.length) absentHits++; }
    const q = norm(qq.q);
    if (docs.some((d) => gt.has(d.url) && norm(d.title).includes(q))) {
      titleCases++;
      if (a.titles.length && norm(a.titles[0]).includes(q)) titleFirst++;
    }
    rows.push({ q: qq.q, kind: qq.kind, relevant: gt.size, returned: a.urls.length, correct: ok,
      suggestion: a.suggestion, expect: qq.expect });
  });
  const r3 = (x) => Math.round(x * 1000) / 1000;
  return {
    queries: queries.length,
    precision: r3(ret ? found / ret : 1), precision_top5: r3(top5 ? top5ok / top5 : 1),
    recall: r3(rel ? found / rel : 1), absent_queries: absentQ, absent_with_hits: absentHits,
    title_first: `${titleFirst}/${titleCases}`, rows,
  };
}

async function main() {
  const o = args();
  const docs = JSON.parse(await readFile(o.docs, "utf8"));
  const queries = JSON.parse(await readFile(o.queries, "utf8"));
  const out = {};
  const engines = [["khao-search", o.index, khaoEngine]];
  for (const [name, dir, make] of engines) {
    if (!dir) continue;
    const run = await make(dir);
    const answers = [];
    for (const q of queries) answers.push(await run(q.q));
    out[name] = score(docs, queries, answers);
  }
  for (const [name, s] of Object.entries(out)) {
    const { rows, ...summary } = s;
    console.log(JSON.stringify({ engine: name, ...summary }));
    if (o.verbose) rows.forEach((r) => console.log("  " + JSON.stringify(r)));
  }
  if (o.check) {
    const s = out["khao-search"];
    const bad = [];
    if (s.precision < 0.95 || s.precision_top5 < 0.95 || s.recall < 0.95) bad.push("precision/recall");
    if (s.absent_with_hits) bad.push("absent words with hits");
    const [a, b] = s.title_first.split("/").map(Number);
    if (a !== b) bad.push("title matches not first");
    if (bad.length) { console.error("FAILED: " + bad.join(", ")); process.exit(1); }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
