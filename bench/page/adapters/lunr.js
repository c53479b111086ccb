// Lunr as its guides build an index: `ref` and the fields, a boost on the title-like fields
// ("Customising", field boosts); for Chinese, lunr-languages' `lunr.zh` (Intl.Segmenter and CJK
// bigrams in a browser), with `lunr.multiLanguage("en", "zh")` where English sits beside it.
// Queries go through `index.query` one optional term per token, so a visitor's `:` or `-` is
// text, not Lunr's query syntax. The alternates are one text: Lunr's tokenizer makes each element
// of an array a single token, so an array field would only match a whole phrasing.
import lunr from "lunr";
import stemmerSupport from "lunr-languages/lunr.stemmer.support.js";
import zh from "lunr-languages/lunr.zh.js";
import multi from "lunr-languages/lunr.multi.js";

stemmerSupport(lunr);
zh(lunr);
multi(lunr);

let index;
let tokenize = lunr.tokenizer;

export async function build(entries, { cjk }) {
  if (cjk) tokenize = lunr.zh.tokenizer;
  index = lunr(function () {
    if (cjk) this.use(lunr.multiLanguage("en", "zh"));
    this.ref("id");
    this.field("question", { boost: 2 });
    this.field("alternates", { boost: 2 });
    this.field("answer");
    for (const e of entries) this.add({ ...e, alternates: e.alternates.join("\n") });
  });
}

export function search(query, k) {
  const tokens = tokenize(query);
  return index
    .query((q) => {
      for (const t of tokens) q.term(t.toString(), {});
    })
    .slice(0, k)
    .map((r) => ({ id: r.ref, score: r.score }));
}
