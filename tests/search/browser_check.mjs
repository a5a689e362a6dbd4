// The search page in a real browser: tests/search_site.rs opens
// /search/?q=QUERY in headless Chromium for each query of
// queries/browser.json and saves the DOM once the page's scripts are done
// (DIR/<n>.html, n counting the present queries, then the absent ones);
// the results must be the ones the same client computes in Node (and the
// count the ground truth), and an absent word must say "ไม่พบ" and offer
// the site's close word.
//
//   node tests/search/browser_check.mjs --docs DOCS.json --site PUBLIC --doms DIR
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createRequire } from "node:module";
import { diskFetch, groundTruth } from "./quality.mjs";

const require = createRequire(import.meta.url);
const ks = require("../../themes/default/static/js/khao-search.js");
const queries = require("./queries/browser.json");

function args() {
  const a = process.argv.slice(2), o = {};
  for (let i = 0; i < a.length; i += 2) o[a[i].slice(2)] = a[i + 1];
  return o;
}

const unescape = (s) => s.replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"');
const text = (html) => unescape(html.replace(/<[^>]*>/g, ""));

/** What the page shows: status text, result links, suggestion. */
function page(dom) {
  const status = /<p id="k-search-status"[^>]*>([\s\S]*?)<\/p>\s*(?:<\/p>|<ol|<section)/.exec(dom);
  const list = /<ol id="k-search-results"[^>]*>([\s\S]*?)<\/ol>/.exec(dom);
  const links = list ? [...list[1].matchAll(/<li><a href="([^"]*)">/g)].map((m) => unescape(m[1])) : [];
  const marks = list ? (list[1].match(/<mark>/g) || []).length : 0;
  const sugg = /class="search-suggestion">[\s\S]*?<a href="[^"]*">([^<]*)<\/a>/.exec(dom);
  return { status: status ? text(status[1]).trim() : null, links, marks, suggestion: sugg ? unescape(sugg[1]) : null };
}

async function main() {
  const o = args();
  const docs = JSON.parse(await readFile(o.docs, "utf8"));
  const engine = ks.create({ base: "/khao-search/", fetch: diskFetch(o.site) });
  let failed = 0;
  const check = (ok, what) => {
    console.log(`${ok ? "ok" : "FAILED"}: ${what}`);
    if (!ok) failed++;
  };
  const { present, absent } = queries;
  for (const [n, q] of [...present, ...absent].entries()) {
    const want = await engine.search(q, { limit: 10 });
    const truth = groundTruth(docs, q).size;
    const got = page(await readFile(join(o.doms, `${n}.html`), "utf8"));
    if (present.includes(q)) {
      check(truth > 0 && want.total === truth, `${q}: the client finds all ${truth} pages`);
      check(got.status === `พบ ${truth} รายการ`, `${q}: the page says "${got.status}"`);
      const urls = want.results.map((r) => r.url);
      check(JSON.stringify(got.links) === JSON.stringify(urls), `${q}: the page lists the first ${urls.length} results in order`);
      const marks = want.results.reduce((n, r) => n + r.excerpt.filter((x) => x.mark).length, 0);
      check(marks > 0 && got.marks === marks, `${q}: the excerpts mark the words (${got.marks} marks)`);
    } else {
      check(truth === 0 && want.total === 0, `${q}: no page has it`);
      check((got.status || "").startsWith("ไม่พบ"), `${q}: the page says "${(got.status || "").slice(0, 40)}…"`);
      check(!!want.suggestion && got.suggestion === want.suggestion, `${q}: the page suggests "${got.suggestion}"`);
      check(got.links.length === 0, `${q}: no result listed`);
    }
  }
  console.log(failed ? `browser: ${failed} failed` : "browser: all passed");
  process.exit(failed ? 1 : 0);
}

main();
