//! Building the lexical index from analysed entries.

use crate::analysis::{Analyzer, Term};
use crate::index::lexical::{FieldPosting, LexicalIndex, PhrasingPosting, FIELD_COUNT};
use crate::kb::Entry;

/// The indexed fields, in the order of [`crate::Scoring::field_weights`].
const QUESTION: usize = 0;
const ALTERNATES: usize = 1;
const ANSWER: usize = 2;
const TAGS: usize = 3;

/// The analysed text of one entry, as the index builder consumes it.
pub struct AnalyzedEntry {
    /// Question first, then alternates.
    pub phrasings: Vec<Vec<Term>>,
    /// The answer's plain text.
    pub answer: Vec<Term>,
    /// All tags together.
    pub tags: Vec<Term>,
}

impl AnalyzedEntry {
    /// Analyses every indexed field of `entry`, leaving out the alternates at the
    /// positions in `skip` (held out for calibration).
    pub fn new(entry: &Entry, analyzer: &Analyzer, skip: &[usize]) -> Self {
        let mut phrasings = vec![analyzer.analyze(&entry.question)];
        for (i, alt) in entry.alternates.iter().enumerate() {
            if !skip.contains(&i) {
                phrasings.push(analyzer.analyze(alt));
            }
        }
        AnalyzedEntry {
            phrasings,
            answer: analyzer.analyze(&entry.answer_text),
            tags: entry
                .tags
                .iter()
                .flat_map(|t| analyzer.analyze(t))
                .collect(),
        }
    }
}

impl LexicalIndex {
    /// Indexes analysed entries; entry ids are positions in `entries`.
    pub fn build(entries: &[AnalyzedEntry]) -> LexicalIndex {
        let mut vocabulary: Vec<&str> = entries
            .iter()
            .flat_map(|e| {
                e.phrasings
                    .iter()
                    .flatten()
                    .chain(&e.answer)
                    .chain(&e.tags)
                    .map(|t| t.text.as_str())
            })
            .collect();
        vocabulary.sort_unstable();
        vocabulary.dedup();
        let terms: Vec<String> = vocabulary.iter().map(|s| s.to_string()).collect();
        let id = |t: &Term| terms.binary_search(&t.text).expect("term is in vocabulary");

        let mut phrasing_postings: Vec<Vec<PhrasingPosting>> = vec![Vec::new(); terms.len()];
        let mut field_postings: Vec<Vec<FieldPosting>> = vec![Vec::new(); terms.len()];
        let mut phrasing_entry = Vec::new();
        let mut phrasing_len = Vec::new();
        let mut field_len = Vec::with_capacity(entries.len());

        for (entry_id, entry) in entries.iter().enumerate() {
            let entry_id = entry_id as u32;
            let mut counts: Vec<(usize, usize)> = Vec::new(); // (term, field)
            for (i, phrasing) in entry.phrasings.iter().enumerate() {
                let phrasing_id = phrasing_entry.len() as u32;
                phrasing_entry.push(entry_id);
                phrasing_len.push(phrasing.len() as u32);
                let mut ids: Vec<usize> = phrasing.iter().map(id).collect();
                ids.sort_unstable();
                for run in ids.chunk_by(|a, b| a == b) {
                    phrasing_postings[run[0]].push(PhrasingPosting {
                        phrasing: phrasing_id,
                        tf: run.len().min(u16::MAX as usize) as u16,
                    });
                }
                let field = if i == 0 { QUESTION } else { ALTERNATES };
                counts.extend(phrasing.iter().map(|t| (id(t), field)));
            }
            counts.extend(entry.answer.iter().map(|t| (id(t), ANSWER)));
            counts.extend(entry.tags.iter().map(|t| (id(t), TAGS)));

            let mut lens = [0u32; FIELD_COUNT];
            for &(_, field) in &counts {
                lens[field] += 1;
            }
            field_len.push(lens);
            counts.sort_unstable();
            for run in counts.chunk_by(|a, b| a.0 == b.0) {
                let mut tf = [0u16; FIELD_COUNT];
                for &(_, field) in run {
                    tf[field] = tf[field].saturating_add(1);
                }
                field_postings[run[0].0].push(FieldPosting {
                    entry: entry_id,
                    tf,
                });
            }
        }

        let avg_phrasing_len = mean(phrasing_len.iter().map(|&l| l as f32));
        let mut avg_field_len = [0.0; FIELD_COUNT];
        for (f, avg) in avg_field_len.iter_mut().enumerate() {
            *avg = mean(field_len.iter().map(|l| l[f] as f32));
        }
        LexicalIndex {
            terms,
            phrasing_postings,
            field_postings,
            phrasing_entry,
            phrasing_len,
            field_len,
            avg_phrasing_len,
            avg_field_len,
        }
    }

    /// Every phrasing as (entry, [(term, tf)] by term id), for training the
    /// [`crate::index::TermClassifier`].
    pub(crate) fn phrasing_terms(&self) -> Vec<(u32, Vec<(u32, u16)>)> {
        let mut rows: Vec<(u32, Vec<(u32, u16)>)> = self
            .phrasing_entry
            .iter()
            .map(|&e| (e, Vec::new()))
            .collect();
        for (term, postings) in self.phrasing_postings.iter().enumerate() {
            for p in postings {
                rows[p.phrasing as usize].1.push((term as u32, p.tf));
            }
        }
        rows
    }
}

fn mean(values: impl Iterator<Item = f32>) -> f32 {
    let (sum, count) = values.fold((0.0f64, 0usize), |(s, c), v| (s + v as f64, c + 1));
    if count == 0 {
        0.0
    } else {
        (sum / count as f64) as f32
    }
}
