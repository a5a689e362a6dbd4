// The browser normalises exactly as khao: the Rust side's normalisation of
// every title and text (written by tests/search_site.rs, one JSON pair per
// line) compared with the theme client's normalize().
//   node tests/search/normalize_same.mjs DOCS.json RUST.jsonl
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const ks = require("../../themes/default/static/js/khao-search.js");
const [docsPath, rustPath] = process.argv.slice(2);
const docs = JSON.parse(readFileSync(docsPath, "utf8"));
const rust = readFileSync(rustPath, "utf8").trim().split("\n").map((l) => JSON.parse(l));
let bad = 0;
docs.forEach((d, i) => {
  const js = [ks.normalize(d.title).chars.join(""), ks.normalize(d.text).chars.join("")];
  if (js[0] !== rust[i][0] || js[1] !== rust[i][1]) {
    if (bad++ < 5) console.error("differs:", JSON.stringify(d.title.slice(0, 40)), JSON.stringify(js[0].slice(0, 40)), JSON.stringify(rust[i][0].slice(0, 40)));
  }
});
console.log(`normalize: ${docs.length - bad} passed, ${bad} failed`);
process.exit(bad ? 1 : 0);
