// The peer benchmark in the browser: one library on one knowledge base per page load.
//
// ?lib=NAME&set=SET        build the index (timed), run every scored query (timed), compute the
//                          figures `answerdesk kb eval` reports (top-1, recall@5, MRR@10 over
//                          in-scope queries; escalation over out-of-scope ones)
// ?lib=NAME&set=SET&first=Q  the time from navigation start to the answer to Q: load the
//                          library and the data, build the index (ours: load the snapshot), search
//
// Results go to window.__peers for tests/examples/peers.rs. Data lives in data/SET/:
// entries.json (what a peer downloads), kb.snapshot (what Answerdesk downloads), queries.json
// (scored) and, where the set has one, val.json (for choosing a peer's escalation threshold).

const params = new URLSearchParams(location.search);
const lib = params.get("lib");
const set = params.get("set");
const ours = lib === "answerdesk";
const cjk = set !== "banking77" && set !== "banking77_5shot";

// performance.now() is coarsened to 100 µs outside cross-origin isolation: a query faster than
// this is repeated until this much time has passed, and the mean taken.
const MIN_SAMPLE_MS = 2;
const MAX_REPEATS = 50;
// A library slower than this per query is scored on an evenly spaced sample of the queries.
const SLOW_MS = 20;
const SAMPLE = 300;

async function fetchJson(path) {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

async function open() {
  const adapter = await import(`./lib/${lib}.js`);
  if (ours) {
    const response = await fetch(`data/${set}/kb.snapshot`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const started = performance.now();
    await adapter.load_snapshot("lib/engine_js_bg.wasm", bytes);
    return { adapter, buildMs: performance.now() - started };
  }
  const entries = await fetchJson(`data/${set}/entries.json`);
  // Ids are unique per locale only (the demo's `en` and `zh-CN` share them): a library indexes
  // each entry under its position, and results are named by id again.
  const docs = entries.map((e, i) => ({ ...e, id: String(i) }));
  const started = performance.now();
  await adapter.build(docs, { cjk });
  const buildMs = performance.now() - started;
  const named = (ranked) => ranked.map((r) => ({ id: entries[+r.id].id, score: r.score }));
  return {
    adapter: {
      search(query, k) {
        const found = adapter.search(query, k);
        return typeof found.then === "function" ? found.then(named) : named(found);
      },
    },
    buildMs,
  };
}

async function searchOnce(adapter, query) {
  const found = adapter.search(query, 10);
  return typeof found.then === "function" ? await found : found;
}

// One query: its ranked ids and scores, what the widget would do (ours), and its time in µs.
async function run(adapter, query) {
  const timed = ours ? () => adapter.ask(query) : () => searchOnce(adapter, query);
  let started = performance.now();
  let first = await timed();
  let elapsed = performance.now() - started;
  let repeats = 1;
  while (elapsed < MIN_SAMPLE_MS && repeats < MAX_REPEATS) {
    await timed();
    repeats += 1;
    elapsed = performance.now() - started;
  }
  const us = (elapsed / repeats) * 1000;
  if (ours) {
    const ranked = adapter.search(query, 10);
    return { ranked, escalated: first.kind === "escalate", us };
  }
  return { ranked: first, us };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  const rank = Math.min(Math.max(Math.ceil(sorted.length * p), 1), sorted.length);
  return sorted[rank - 1];
}

// Whether `id` is the expected entry: the same id, or a passage of it (`guide#refunds`).
function isExpected(id, expected) {
  return expected !== null && (id === expected || (id.startsWith(expected) && id[expected.length] === "#"));
}

// Every `stride`-th query, so a slow library's figures come from a sample spread over the set.
async function stride(adapter, queries) {
  let probe = 0;
  const probes = queries.slice(0, 5);
  for (const q of probes) probe += (await run(adapter, q.query)).us / 1000;
  const slow = probes.length > 0 && probe / probes.length > SLOW_MS;
  return slow ? Math.ceil(queries.length / SAMPLE) : 1;
}

// Lets the page answer WebDriver now and then: a synchronous library would otherwise hold the
// renderer for minutes.
let lastYield = 0;
async function breathe() {
  if (performance.now() - lastYield > 50) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    lastYield = performance.now();
  }
}

async function outcomes(adapter, queries) {
  const step = await stride(adapter, queries);
  const out = [];
  for (let i = 0; i < queries.length; i += step) {
    await breathe();
    const q = queries[i];
    const r = await run(adapter, q.query);
    const rank = r.ranked.findIndex((c) => isExpected(c.id, q.expected));
    const top = r.ranked.length > 0 ? r.ranked[0].score : null;
    out.push({ expected: q.expected, rank: rank < 0 ? null : rank, top, escalated: r.escalated, us: r.us });
  }
  return { out, step };
}

// The figures of `kb eval` (cli/src/eval.rs) over `out`; `escalated(o)` says whether the query
// went to a person, or is null when the library cannot tell.
function figures(out, escalated) {
  let inScope = 0, top1 = 0, at5 = 0, rr = 0, answeredRight = 0, oos = 0, oosEscalated = 0;
  for (const o of out) {
    if (o.expected !== null) {
      inScope += 1;
      top1 += o.rank === 0 ? 1 : 0;
      at5 += o.rank !== null && o.rank < 5 ? 1 : 0;
      rr += o.rank !== null ? 1 / (o.rank + 1) : 0;
      if (escalated && o.rank === 0 && !escalated(o)) answeredRight += 1;
    } else {
      oos += 1;
      if (escalated && escalated(o)) oosEscalated += 1;
    }
  }
  const ratio = (n, d) => (d === 0 ? 0 : n / d);
  const recall = escalated && oos > 0 ? ratio(oosEscalated, oos) : null;
  return {
    in_scope: inScope,
    out_of_scope: oos,
    top1: ratio(top1, inScope),
    recall5: ratio(at5, inScope),
    mrr10: ratio(rr, inScope),
    escalation_recall: recall,
    balanced: recall === null ? null : (ratio(answeredRight, inScope) + recall) / 2,
  };
}

// A peer escalates when its best score is below a threshold, or it found nothing. The
// threshold is the one with the best balanced accuracy on the validation queries, never on the
// scored ones.
function chooseThreshold(val) {
  const scores = [...new Set(val.filter((o) => o.top !== null).map((o) => o.top))].sort((a, b) => a - b);
  let best = { threshold: -Infinity, balanced: -1 };
  for (const t of [-Infinity, ...scores, Infinity]) {
    const f = figures(val, (o) => o.top === null || o.top < t);
    if (f.balanced !== null && f.balanced > best.balanced) best = { threshold: t, balanced: f.balanced };
  }
  return best.threshold;
}

async function evaluate() {
  const { adapter, buildMs } = await open();
  const queries = await fetchJson(`data/${set}/queries.json`);
  const hasScores = !ours && lib !== "flexsearch";
  let threshold = null;
  if (hasScores) {
    const val = await fetch(`data/${set}/val.json`);
    if (val.ok) threshold = chooseThreshold((await outcomes(adapter, await val.json())).out);
  }
  const { out, step } = await outcomes(adapter, queries);
  const escalated = ours
    ? (o) => o.escalated
    : threshold !== null
      ? (o) => o.top === null || o.top < threshold
      : null;
  const us = out.map((o) => o.us).sort((a, b) => a - b);
  return {
    lib,
    set,
    queries: out.length,
    of_queries: queries.length,
    sampled: step > 1,
    build_ms: buildMs,
    p50_us: percentile(us, 0.5),
    p99_us: percentile(us, 0.99),
    threshold: Number.isFinite(threshold) ? threshold : null,
    ...figures(out, escalated),
  };
}

async function firstAnswer(question) {
  const { adapter } = await open();
  let id;
  if (ours) {
    const reply = adapter.ask(question);
    id = reply.entries[0] ?? reply.kind;
  } else {
    const ranked = await searchOnce(adapter, question);
    id = ranked.length > 0 ? ranked[0].id : "(nothing)";
  }
  document.getElementById("answer").textContent = id;
  return { lib, set, ms: performance.now(), id };
}

const first = params.get("first");
(first === null ? evaluate() : firstAnswer(first)).then(
  (result) => {
    window.__peers = result;
    document.getElementById("status").textContent = "done";
  },
  (error) => {
    window.__peers = { lib, set, error: String(error && error.stack ? error.stack : error) };
    document.getElementById("status").textContent = "failed";
  },
);
