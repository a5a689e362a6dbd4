/*! khao-search.js: the browser (and Node) client of khao's search index
 * (built by src/search/, files under /khao-search/). Plain ES2017, no
 * dependencies. As a classic script it defines `window.KhaoSearch`; from
 * Node, `require()` or `import` it.
 *
 *   var engine = KhaoSearch.create({ base: "/khao-search/" });
 *   engine.search("สิ่งแวดล้อม", { limit: 10 }).then(function (answer) {
 *     // answer.total: the number of pages found (exact)
 *     // answer.results: the first `limit`, each
 *     //   { url, title, date, excerpt: [{ text, mark }] } (plain text parts,
 *     //   `mark` for the matched words: build DOM text nodes from them)
 *     // answer.more(from, n): a Promise of the next results
 *     // answer.suggestion: a close word of the site when nothing matched
 *   });
 *
 * A page is a hit when its normalised title or text contains the normalised
 * query (normalize() below = src/search/normalize.rs).
 */
(function (root) {
  "use strict";

  var TITLE_SPAN = 512; // grams.rs
  var LONG = 4;
  var FORMAT = 2; // output.rs

  // ---- normalisation (must equal normalize.rs) ----------------------------
  var WS = /\s/u;
  var ALNUM = /[\p{Alphabetic}\p{N}]/u;
  var UPPER_OR_LOWER = /[\p{Lu}\p{Ll}\p{Lt}]/u;

  function unspaced(cp) {
    return (cp >= 0x0E00 && cp <= 0x0EFF) || (cp >= 0x1000 && cp <= 0x109F) ||
      (cp >= 0x1780 && cp <= 0x17FF) || (cp >= 0x3040 && cp <= 0x30FF) ||
      (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
      (cp >= 0xF900 && cp <= 0xFAFF);
  }
  function wordChar(ch) {
    return !unspaced(ch.codePointAt(0)) && ALNUM.test(ch);
  }
  function invisible(ch) {
    return ch === "\u00AD" || ch === "\u200B" || ch === "\u200C" || ch === "\u200D" ||
      ch === "\u2060" || ch === "\uFEFF";
  }
  function toneMark(ch) { return ch >= "\u0E48" && ch <= "\u0E4B"; }
  function upperVowel(ch) { return ch === "\u0E31" || (ch >= "\u0E34" && ch <= "\u0E37"); }

  // One run of folded characters [ch, index] → Thai variants unified.
  function thaiVariants(run) {
    var out = [];
    for (var i = 0; i < run.length; ) {
      var c = run[i][0], n = run[i + 1] && run[i + 1][0], a = run[i + 2] && run[i + 2][0];
      if (c === "\u0E4D" && n === "\u0E32") { out.push(["\u0E33", run[i][1]]); i += 2; }
      else if (c === "\u0E4D" && n && toneMark(n) && a === "\u0E32") {
        out.push([n, run[i][1]]); out.push(["\u0E33", run[i][1]]); i += 3;
      } else if (c === "\u0E40" && n === "\u0E40") { out.push(["\u0E41", run[i][1]]); i += 2; }
      else if (toneMark(c) && n && upperVowel(n)) {
        out.push([n, run[i + 1][1]]); out.push([c, run[i][1]]); i += 2;
      } else { out.push(run[i]); i += 1; }
    }
    return out;
  }

  /** Normalises `text`: returns { chars: [string] (one code point each),
   *  from: [index into `nfc`], nfc: the NFC text } (see normalize.rs). */
  function normalize(text) {
    var nfc = String(text || "").normalize("NFC");
    var chars = [], from = [], run = [];
    function flush() {
      var prevWord = false;
      thaiVariants(run).forEach(function (x) {
        var w = wordChar(x[0]);
        if (w && !prevWord) { chars.push(" "); from.push(x[1]); }
        chars.push(x[0]); from.push(x[1]);
        prevWord = w;
      });
      run = [];
    }
    for (var i = 0; i < nfc.length; ) {
      var cp = nfc.codePointAt(i), ch = String.fromCodePoint(cp), at = i;
      i += ch.length;
      if (WS.test(ch)) { if (run.length) flush(); continue; }
      if (invisible(ch)) continue;
      if (cp >= 0x0E50 && cp <= 0x0E59) { run.push([String.fromCharCode(48 + cp - 0x0E50), at]); continue; }
      if (UPPER_OR_LOWER.test(ch)) {
        Array.from(ch.toLowerCase()).forEach(function (l) { run.push([l, at]); });
        continue;
      }
      run.push([ch, at]);
    }
    if (run.length) flush();
    return { chars: chars, from: from, nfc: nfc };
  }

  // ---- grams and buckets (grams.rs, encode.rs) ----------------------------
  function gramHash(cps) {
    var h = 0x811c9dc5 | 0;
    for (var i = 0; i < cps.length; i++) h = Math.imul(h ^ cps[i], 0x01000193);
    h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  }
  function cpsOf(chars) { return chars.map(function (c) { return c.codePointAt(0); }); }

  function varint(b, pos) { // → [value, next]
    var v = 0, mul = 1, x;
    do { x = b[pos++]; v += (x & 0x7f) * mul; mul *= 128; } while (x >= 0x80);
    return [v, pos];
  }

  // The record of gram `cps` in bucket bytes `b`: null, or for a 4-gram
  // [[doc, [positions]], …], for a shorter one [[doc, inTitle], …].
  function findRecord(b, cps) {
    var pos = 0;
    while (pos < b.length) {
      var len = b[pos++], same = len === cps.length;
      for (var i = 0; i < len; i++) {
        var x = b[pos++], cp;
        if (x < 0x80) cp = x;
        else if (x === 0xff) { cp = (b[pos] << 16) | (b[pos + 1] << 8) | b[pos + 2]; pos += 3; }
        else cp = 0x0E00 + x - 0x80;
        if (same && cps[i] !== cp) same = false;
      }
      var r = varint(b, pos), end = r[1] + r[0];
      pos = r[1];
      if (!same) { pos = end; continue; }
      var out = [], doc = -1;
      while (pos < end) {
        r = varint(b, pos); pos = r[1];
        if (len === LONG) {
          doc = doc < 0 ? r[0] : doc + r[0] + 1;
          var ps = [], p = -1, last = 0;
          while (!last) {
            r = varint(b, pos); pos = r[1];
            last = r[0] % 2; var gap = (r[0] - last) / 2;
            p = p < 0 ? gap : p + gap + 1;
            ps.push(p);
          }
          out.push([doc, ps]);
        } else {
          var g = Math.floor(r[0] / 2);
          doc = doc < 0 ? g : doc + g + 1;
          out.push([doc, r[0] % 2 === 1]);
        }
      }
      return out;
    }
    return null;
  }

  // ---- the engine -----------------------------------------------------------
  function create(options) {
    options = options || {};
    var base = options.base || "/khao-search/";
    if (base.charAt(base.length - 1) !== "/") base += "/";
    var doFetch = options.fetch || function (u, o) { return root.fetch(u, o); };
    var cache = {};
    var scans = {}; // a bucketless segment's normalised pages, by version
    var manifest = null;

    function get(path, kind, fresh) {
      var key = path;
      if (!cache[key]) {
        cache[key] = doFetch(base + path, fresh ? { cache: "no-cache" } : undefined).then(function (r) {
          if (!r.ok) throw new Error("khao-search: " + r.status + " " + path);
          return kind === "json" ? r.json() : r.arrayBuffer().then(function (a) { return new Uint8Array(a); });
        });
        cache[key].catch(function () { delete cache[key]; });
      }
      return cache[key];
    }
    function loadManifest() {
      if (!manifest) {
        manifest = get("manifest.json", "json", true).then(function (m) {
          if (m.format !== FORMAT) throw new Error("khao-search: unknown index format");
          return m;
        });
        manifest.catch(function () { manifest = null; });
      }
      return manifest;
    }
    // The record of gram `cps` in a segment: from its bucket file or, for a
    // segment without buckets (the newest few pages), found in the pages.
    function bucket(seg, cps) {
      if (!seg.buckets) return scanned(seg).then(function (docs) { return scanRecord(docs, cps); });
      var n = gramHash(cps) & (seg.buckets - 1);
      return get(seg.name + "/" + n + ".bin?v=" + seg.token, "bin").then(function (b) {
        return findRecord(b, cps) || [];
      });
    }

    // All hits of normalised query `q` in one segment.
    function segmentHits(seg, si, q) {
      var cps = cpsOf(q);
      if (cps.length < LONG) {
        return bucket(seg, cps).then(function (rec) {
          return rec.map(function (e) { return { seg: si, doc: e[0], title: e[1], count: 1 }; });
        });
      }
      var offsets = [];
      for (var o = 0; o + LONG <= cps.length; o += LONG) offsets.push(o);
      if (offsets[offsets.length - 1] !== cps.length - LONG) offsets.push(cps.length - LONG);
      return Promise.all(offsets.map(function (o) { return bucket(seg, cps.slice(o, o + LONG)); }))
        .then(function (recs) { return verify(recs, offsets, si); });
    }

    return {
      normalize: normalize,
      search: function (query, opts) { return search(query, opts || {}); }
    };

    function search(query, opts) {
      var limit = opts.limit === undefined ? 10 : opts.limit;
      var q = normalize(query).chars;
      var answer = { query: query, total: 0, results: [], hits: [], suggestion: null };
      if (!q.length) return Promise.resolve(answer);
      return loadManifest().then(function (m) {
        return Promise.all(m.segments.map(function (seg, si) { return segmentHits(seg, si, q); }))
          .then(function (per) {
            var hits = [].concat.apply([], per);
            hits.sort(function (a, b) {
              return (b.title - a.title) || (Math.min(b.count, 5) - Math.min(a.count, 5)) ||
                (b.seg - a.seg) || (b.doc - a.doc);
            });
            answer.total = hits.length;
            answer.hits = hits;
            answer.more = function (from, n) { return load(m, hits.slice(from, from + n), q); };
            if (!hits.length) {
              return suggest(m, q).then(function (s) { answer.suggestion = s; return answer; });
            }
            return load(m, hits.slice(0, limit), q).then(function (r) { answer.results = r; return answer; });
          });
      });
    }

    // A bucketless segment's pages, normalised (title cut as grams.rs does).
    function scanned(seg) {
      var key = seg.name + "?v=" + seg.token;
      if (!scans[key]) {
        var all = [];
        for (var d = 0; d < seg.docs; d++) all.push(fragmentIn(seg, d));
        scans[key] = Promise.all(all).then(function (frags) {
          return frags.map(function (f) {
            return { title: cpsOf(normalize(f.title).chars).slice(0, TITLE_SPAN - 1), text: cpsOf(normalize(f.text).chars) };
          });
        });
        scans[key].catch(function () { delete scans[key]; });
      }
      return scans[key];
    }

    function fragmentOf(m, seg, doc) { return fragmentIn(m.segments[seg], doc); }

    // A page's fragment: the document table (output.rs) gives its name (6
    // bytes) and version (3 bytes), hex.
    function fragmentIn(s, doc) {
      var chunk = Math.floor(doc / 256);
      return get(s.name + "/d" + chunk + ".bin?v=" + s.token, "bin").then(function (t) {
        var at = (doc % 256) * 9;
        return get("f/" + hex(t, at, 6) + ".json?v=" + hex(t, at + 6, 3), "json");
      });
    }
    function hex(b, at, n) {
      var out = "";
      for (var i = at; i < at + n; i++) out += (b[i] < 16 ? "0" : "") + b[i].toString(16);
      return out;
    }

    function load(m, hits, q) {
      return Promise.all(hits.map(function (h) {
        return fragmentOf(m, h.seg, h.doc).then(function (f) {
          return { url: f.url, title: f.title, date: f.date, excerpt: excerpt(f.text, q) };
        });
      }));
    }

    function suggest(m, q) { return suggestion(m, q, bucket, fragmentOf); }
  }

  // The record a bucket would hold for gram `cps` over scanned pages.
  function scanRecord(docs, cps) {
    var out = [];
    docs.forEach(function (d, doc) {
      var ps = [], inTitle = false, found = false;
      [[d.title, 0], [d.text, TITLE_SPAN]].forEach(function (field) {
        var chars = field[0];
        outer: for (var i = 0; i + cps.length <= chars.length; i++) {
          for (var j = 0; j < cps.length; j++) if (chars[i + j] !== cps[j]) continue outer;
          found = true;
          if (field[1] === 0) inTitle = true;
          ps.push(field[1] + i);
        }
      });
      if (found) out.push([doc, cps.length === LONG ? ps : inTitle]);
    });
    return out;
  }

  // Checks the 4-grams' positions: hits where every gram is at its offset.
  function verify(recs, offsets, si) {
    var rest = recs.slice(1).map(function (rec) {
      var byDoc = new Map();
      rec.forEach(function (e) { byDoc.set(e[0], new Set(e[1])); });
      return byDoc;
    });
    var hits = [];
    recs[0].forEach(function (e) {
      var doc = e[0], count = 0, title = false;
      var sets = rest.map(function (m) { return m.get(doc); });
      if (sets.some(function (s) { return !s; })) return;
      e[1].forEach(function (p) {
        for (var i = 0; i < sets.length; i++) if (!sets[i].has(p + offsets[i + 1])) return;
        count++;
        if (p < TITLE_SPAN) title = true;
      });
      if (count) hits.push({ seg: si, doc: doc, title: title, count: count });
    });
    return hits;
  }

  // Where normalised `q` first occurs in `text`: excerpt parts around it.
  function excerpt(text, q) {
    var n = normalize(text), s = n.chars.join(""), qs = q.join("");
    var at = indexOfChars(n.chars, q);
    var src = n.nfc;
    if (at < 0) return [{ text: cut(src, 0, 160), mark: false }];
    var start = n.from[at], end = endOf(n, at + q.length - 1);
    var lo = Math.max(0, start - 60), hi = Math.min(src.length, end + 120);
    while (lo > 0 && !WS.test(src.charAt(lo - 1)) && start - lo < 90) lo--;
    var parts = [];
    if (lo > 0) parts.push({ text: "…", mark: false });
    var pos = lo, from = at;
    while (from >= 0) {
      var a = n.from[from], b = endOf(n, from + q.length - 1);
      if (a >= hi) break;
      if (a > pos) parts.push({ text: src.slice(pos, a), mark: false });
      parts.push({ text: src.slice(Math.max(a, pos), b), mark: true });
      pos = b;
      from = indexOfChars(n.chars, q, from + q.length);
    }
    if (pos < hi) parts.push({ text: src.slice(pos, hi), mark: false });
    if (hi < src.length) parts.push({ text: "…", mark: false });
    void s; void qs;
    return parts;
  }
  function endOf(n, i) { // end (exclusive) in nfc of normalised char i
    var a = n.from[i];
    var j = i + 1;
    while (j < n.from.length && n.from[j] === a) j++;
    if (j < n.from.length) return n.from[j] > a ? firstAfter(n, a) : a + 1;
    return n.nfc.length - trailing(n.nfc);
  }
  function firstAfter(n, a) { var cp = n.nfc.codePointAt(a); return a + (cp > 0xffff ? 2 : 1); }
  function trailing(s) { var m = /\s*$/u.exec(s); return m ? m[0].length : 0; }
  function cut(s, a, n) { return s.length - a > n ? s.slice(a, a + n) + "…" : s.slice(a); }
  function indexOfChars(hay, needle, from) {
    outer: for (var i = from || 0; i + needle.length <= hay.length; i++) {
      for (var j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
      return i;
    }
    return -1;
  }

  // ---- suggestion for a query without hits -----------------------------------
  // The documents sharing most of the query's 3-grams are read, and the
  // stretch of their text closest to the query (edit distance) is offered
  // when it is close enough.
  function suggestion(m, q, bucket, fragmentOf) {
    if (q.length < 3) return Promise.resolve(null);
    var cps = cpsOf(q), tris = [];
    // At most 6 of the query's 3-grams, spread over it: a bounded cost.
    var all = cps.length - 2, step = Math.max(1, all / 6);
    for (var i = 0; i < all && tris.length < 6; i += step) tris.push(cps.slice(Math.floor(i), Math.floor(i) + 3));
    var jobs = [];
    m.segments.forEach(function (seg, si) {
      tris.forEach(function (t) { jobs.push(bucket(seg, t).then(function (rec) { return [si, rec]; })); });
    });
    return Promise.all(jobs).then(function (got) {
      var score = new Map();
      got.forEach(function (x) {
        x[1].forEach(function (e) { var k = x[0] * 1e7 + e[0]; score.set(k, (score.get(k) || 0) + 1); });
      });
      var need = Math.max(1, Math.ceil(tris.length / 2));
      var best = Array.from(score.entries()).filter(function (e) { return e[1] >= need; })
        .sort(function (a, b) { return (b[1] - a[1]) || (b[0] - a[0]); }).slice(0, 3);
      return Promise.all(best.map(function (e) {
        return fragmentOf(m, Math.floor(e[0] / 1e7), e[0] % 1e7);
      }));
    }).then(function (frags) {
      var top = null;
      frags.forEach(function (f) {
        [f.title, f.text].forEach(function (t) {
          var c = closest(t, q);
          if (c && (!top || c.dist < top.dist)) top = c;
        });
      });
      var allowed = q.length <= 5 ? 1 : q.length <= 10 ? 2 : 3;
      if (!top || top.dist === 0 || top.dist > allowed) return null;
      var text = top.text.replace(/\s+/gu, " ");
      // A piece of the query itself is no suggestion.
      if (q.join("").indexOf(normalize(text).chars.join("")) >= 0) return null;
      return text;
    });
  }

  // The substring of `text` with the least edit distance to `q` (Sellers).
  function closest(text, q) {
    var n = normalize(text), t = n.chars, m = q.length;
    if (!t.length) return null;
    var prev = new Array(m + 1), cur = new Array(m + 1), startPrev = new Array(m + 1), startCur = new Array(m + 1);
    for (var j = 0; j <= m; j++) { prev[j] = j; startPrev[j] = 0; }
    var best = { dist: Infinity, end: 0, start: 0 };
    for (var i = 1; i <= t.length; i++) {
      cur[0] = 0; startCur[0] = i;
      for (j = 1; j <= m; j++) {
        var sub = prev[j - 1] + (t[i - 1] === q[j - 1] ? 0 : 1), del = prev[j] + 1, ins = cur[j - 1] + 1;
        if (sub <= del && sub <= ins) { cur[j] = sub; startCur[j] = startPrev[j - 1]; }
        else if (del <= ins) { cur[j] = del; startCur[j] = startPrev[j]; }
        else { cur[j] = ins; startCur[j] = startCur[j - 1]; }
      }
      if (cur[m] < best.dist) best = { dist: cur[m], end: i, start: startCur[m] };
      var x = prev; prev = cur; cur = x; x = startPrev; startPrev = startCur; startCur = x;
    }
    if (best.end <= best.start) return null;
    var a = n.from[best.start], b = endOf(n, best.end - 1);
    return { dist: best.dist, text: snap(n.nfc, a, b).trim() };
  }

  // Widens [a, b) of `s` to whole words where Intl.Segmenter knows them.
  function snap(s, a, b) {
    if (typeof Intl === "undefined" || !Intl.Segmenter) return s.slice(a, b);
    var lo = Math.max(0, a - 30), hi = Math.min(s.length, b + 30);
    var seg = new Intl.Segmenter("th", { granularity: "word" });
    var na = a, nb = b;
    for (var it of seg.segment(s.slice(lo, hi))) {
      var x = lo + it.index, y = x + it.segment.length;
      if (x < a && y > a) na = x;
      if (x < b && y > b) nb = y;
    }
    if (nb - na > (b - a) + 6) return s.slice(a, b);
    return s.slice(na, nb);
  }

  var api = { create: create, normalize: normalize, gramHash: gramHash, findRecord: findRecord };
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.KhaoSearch = api;
})(typeof self !== "undefined" ? self : this);
