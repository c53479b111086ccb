// MiniSearch as its README configures a search box: the fields to index, per-field boost on the
// title-like fields, `fuzzy: 0.2` and `prefix: true` (README "Search options"); for Chinese, a
// custom `tokenize` (README "Tokenization": the default splits on spaces and punctuation only).
import MiniSearch from "minisearch";
import { words } from "./segment.js";

let index;

export async function build(entries, { cjk }) {
  index = new MiniSearch({
    fields: ["question", "alternates", "answer"],
    extractField: (doc, field) => (field === "alternates" ? doc.alternates.join("\n") : doc[field]),
    ...(cjk ? { tokenize: (text) => words(text) } : {}),
    searchOptions: {
      boost: { question: 2, alternates: 2 },
      fuzzy: 0.2,
      prefix: true,
    },
  });
  index.addAll(entries);
}

export function search(query, k) {
  return index.search(query).slice(0, k).map((r) => ({ id: r.id, score: r.score }));
}
