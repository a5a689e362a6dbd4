// First-search transfer: what a visitor's browser fetches for its first
// query (fresh engine, empty cache): the two scripts, the manifest, the
// buckets, the document-table chunks and the fragments of the first 10
// results. Sizes raw and gzip-compressed (level 6, as nginx's default).
//   node tests/search/transfer.mjs PUBLIC QUERY...   (scripts/bench-search)
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { gzipSync } from "node:zlib";
import { diskFetch } from "./quality.mjs";

const require = createRequire(import.meta.url);
const ks = require("../../themes/default/static/js/khao-search.js");
const [dir, ...queries] = process.argv.slice(2);
const gz = (b) => gzipSync(b, { level: 6 }).length;
const scripts = await Promise.all(["js/khao-search.js", "js/search.js"].map((p) => readFile(new URL("../../themes/default/static/" + p, import.meta.url))));
for (const q of queries) {
  const log = [];
  const engine = ks.create({ base: "/khao-search/", fetch: diskFetch(dir, log) });
  const a = await engine.search(q, { limit: 10 });
  const files = [...scripts.map((b) => ({ bytes: b })), ...log];
  const raw = files.reduce((s, f) => s + f.bytes.length, 0);
  const zipped = files.reduce((s, f) => s + gz(f.bytes), 0);
  const kinds = {};
  for (const f of log) {
    const k = f.path.includes("/f/") ? "fragments" : f.path.endsWith("manifest.json") ? "manifest" : /\/d\d+\.bin/.test(f.path) ? "tables" : "buckets";
    kinds[k] = (kinds[k] || 0) + gz(f.bytes);
  }
  console.log(JSON.stringify({ query: q, total: a.total, requests: files.length, raw_kib: +(raw / 1024).toFixed(1), gzip_kib: +(zipped / 1024).toFixed(1), gzip_by_kind_kib: Object.fromEntries(Object.entries(kinds).map(([k, v]) => [k, +(v / 1024).toFixed(1)])) }));
}
