// Fuse.js as its docs set up weighted search over several keys: `keys` with weights on the
// title-like fields, `includeScore`, and `ignoreLocation: true` for text longer than a title
// ("Scoring theory": otherwise only the first 60 characters count). Fuse matches characters
// approximately, in any script: nothing to configure for Chinese. Its score is 0 for a perfect
// match, so 1 − score is reported.
import Fuse from "fuse.js";

let fuse;

export async function build(entries) {
  fuse = new Fuse(entries, {
    keys: [
      { name: "question", weight: 2 },
      { name: "alternates", weight: 2 },
      { name: "answer", weight: 1 },
    ],
    includeScore: true,
    ignoreLocation: true,
  });
}

export function search(query, k) {
  return fuse.search(query, { limit: k }).map((r) => ({ id: r.item.id, score: 1 - r.score }));
}
