// Word segmentation for the sets with Chinese, where a library leaves tokenization to the caller:
// the browser's own Intl.Segmenter (word granularity), the segmenter Orama's and Lunr's Chinese
// support use too. Latin words come out whole, so a bilingual set stays searchable in English.
const segmenter = new Intl.Segmenter("zh-CN", { granularity: "word" });

export function words(text) {
  const out = [];
  for (const s of segmenter.segment(text.toLowerCase())) {
    if (s.isWordLike) out.push(s.segment);
  }
  return out;
}
