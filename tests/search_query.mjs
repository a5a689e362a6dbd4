// Queries a built site's pagefind index the way the search page does, in
// Node: `node tests/search_query.mjs <public dir> <query>` prints the
// results as JSON lines {url, title, excerpt}. pagefind.js fetches its
// index from /pagefind/...; this fetch reads those files from <public dir>.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [publicDir, query] = process.argv.slice(2);
if (!publicDir || query === undefined) {
  console.error("usage: node search_query.mjs <public dir> <query>");
  process.exit(2);
}

globalThis.fetch = async (input) => {
  const url = typeof input === "string" ? input : String(input.url || input);
  const path = decodeURIComponent(new URL(url, "http://site.invalid/").pathname);
  try {
    const bytes = await readFile(join(publicDir, path));
    return new Response(bytes, { status: 200 });
  } catch {
    return new Response("", { status: 404 });
  }
};

const pagefind = await import(pathToFileURL(join(publicDir, "pagefind", "pagefind.js")).href);
if (pagefind.options) await pagefind.options({ basePath: "/pagefind/" });
// The other shards of the index, merged as the search page does.
const shards = JSON.parse(await readFile(join(publicDir, "pagefind", "khao-shards.json"), "utf8"));
for (const dir of shards) await pagefind.mergeIndex(`/pagefind/${dir}`);
const search = await pagefind.search(query);
for (const result of search.results) {
  const data = await result.data();
  console.log(JSON.stringify({ url: data.url, title: data.meta?.title ?? "", excerpt: data.excerpt }));
}
