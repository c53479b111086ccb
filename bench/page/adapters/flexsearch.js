// FlexSearch's Document index (README "Document Search"): one index per field, `tokenize:
// "forward"` for partial words (README "Tokenizer"), the `LatinBalance` encoder for English
// (README "Charset Collection"); queries with `suggest: true` so a question need not contain
// every word (README "Suggestions"), the fields' lists fused (below). For sets with
// Chinese, a custom `encode` (README "Index Options") of Intl.Segmenter words: the `CJK` charset
// splits English into characters (top-1 0.04 on BANKING77 text) and ranked lower than the
// segmenter on massive_zh's validation queries (0.41 against 0.46 top-1). FlexSearch ranks but
// returns no score: no escalation figure.
import { Document, Charset, Encoder } from "flexsearch";
import { words } from "./segment.js";

let index;

export async function build(entries, { cjk }) {
  const encoding = cjk
    ? {
        encoder: new Encoder({ normalize: false, prepare: null, split: false, finalize: null }),
        encode: (text) => words(text),
      }
    : { encoder: Charset.LatinBalance };
  index = new Document({
    document: {
      id: "id",
      index: ["question", "alternates", "answer"].map((field) => ({ field, tokenize: "forward", ...encoding })),
    },
  });
  for (const e of entries) {
    index.add({ id: e.id, question: e.question, alternates: e.alternates.join("\n"), answer: e.answer });
  }
}

// `merge: true` lists ids in field order (every match of the question before any of the
// alternates), which ignores the alternates; the fields' ranked lists are fused instead, with the
// boosts the other libraries get (question and alternates 2, answer 1) over rank + 1.
const BOOST = { question: 2, alternates: 2, answer: 1 };

export function search(query, k) {
  const fused = new Map();
  for (const { field, result } of index.search(query, { limit: k, suggest: true })) {
    result.forEach((id, rank) => fused.set(id, (fused.get(id) ?? 0) + BOOST[field] / (rank + 1)));
  }
  return [...fused.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([id]) => ({ id, score: null }));
}
