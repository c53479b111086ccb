// Answerdesk's engine (bench/engine-js; `answerdesk-engine` is its wasm-bindgen --target web glue): the snapshot `kb build` made
// is loaded as the widget loads it; there is no index to build in the browser. `ask` is what the
// widget calls per question, and decides answer, clarify or escalate.
import init, { load, search as engineSearch, ask as engineAsk, entry_id } from "answerdesk-engine";

let ids = [];

export async function load_snapshot(wasmUrl, bytes) {
  await init({ module_or_path: wasmUrl });
  const n = load(bytes);
  ids = Array.from({ length: n }, (_, i) => entry_id(i));
}

export function search(query, k) {
  const out = engineSearch(query, k);
  if (!out) return [];
  return out.split(",").map((pair) => {
    const [i, score] = pair.split(":");
    return { id: ids[+i], score: +score };
  });
}

export function ask(query) {
  const decision = engineAsk(query);
  const [kind, rest] = decision.split(":");
  return { kind, entries: rest ? rest.split("|").map((i) => ids[+i]) : [] };
}
