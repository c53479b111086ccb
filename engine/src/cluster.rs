//! Visitor questions grouped by meaning: what the assistant could not answer, asked in many words.
//!
//! The server gathers the questions a site's widgets could not answer (or answered on thin
//! evidence) and shows the team one group per need, biggest first, so that one new entry covers
//! many visitors. The grouping reads the questions exactly as the engine reads a visitor's
//! question — the snapshot's normalization, synonyms, question frames and, when the snapshot
//! carries one, its token table — so "where's my parcel" and "my package hasn't arrived" meet
//! where the engine would make them meet.
//!
//! Two questions are alike by a mix of their term overlap (cosine of sublinear term frequencies
//! weighted by rarity among the questions, frames weighing little) and, with a dense index, the
//! cosine of their vectors. Groups are made by average-linkage agglomeration, stopped when the
//! closest two groups are less alike than [`ClusterOptions::threshold`]: every question in a
//! group is on average that close to the others, which single linkage's chains would not promise.
//! The defaults were chosen on banking77's test questions grouped by intent and checked on
//! massive_zh's validation questions (`engine/examples/cluster_eval.rs`, docs/QUALITY.md).

use std::collections::HashMap;

use crate::analysis::{normalize, Query, TermKind};
use crate::engine::{truncate_chars, Engine, MAX_QUERY_CHARS};

/// How questions are grouped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClusterOptions {
    /// Two groups merge while their average similarity is at least this (0..1).
    pub threshold: f32,
    /// Share of the dense cosine in a pair's similarity when the snapshot has a dense index;
    /// the rest is term overlap.
    pub dense_share: f32,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            threshold: 0.30,
            dense_share: 0.5,
        }
    }
}

/// One group of questions, by their positions in the slice given to [`Engine::cluster`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionCluster {
    /// Positions of the questions in the group, ascending.
    pub members: Vec<usize>,
    /// The member most like the others: the group's name in a list.
    pub representative: usize,
}

/// Weight of a question's frame terms ("how", "怎么办") against content terms: two questions
/// that share only "how do I" are not alike.
const FRAME_WEIGHT: f32 = 0.1;
/// Weight of single CJK characters against words and character pairs, which carry the meaning.
const CJK_UNIGRAM_WEIGHT: f32 = 0.5;

impl Engine {
    /// Groups `questions` by meaning, biggest group first (ties: the group whose first member
    /// comes first). Every question is in exactly one group; one alike to nothing is a group of
    /// its own. Quadratic in the number of questions: the caller bounds it (a thousand takes a
    /// few milliseconds natively).
    pub fn cluster(&self, questions: &[&str], options: ClusterOptions) -> Vec<QuestionCluster> {
        let mut features: Vec<Features> = questions.iter().map(|q| self.features(q)).collect();
        self.embed_all(&mut features);
        center(&mut features, self.dense_mean());
        let idf = rarity(&features);
        let lexical: Vec<Vec<(u32, f32)>> =
            features.iter().map(|f| weigh(&f.terms, &idf)).collect();
        let n = questions.len();
        let mut similarity = vec![0.0f32; n * n];
        for i in 0..n {
            similarity[i * n + i] = 1.0;
            for j in i + 1..n {
                let lex = sparse_dot(&lexical[i], &lexical[j]);
                let s = match (&features[i].vector, &features[j].vector) {
                    (Some(a), Some(b)) => {
                        let dense = a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
                        (1.0 - options.dense_share) * lex + options.dense_share * dense
                    }
                    _ => lex,
                };
                similarity[i * n + j] = s;
                similarity[j * n + i] = s;
            }
        }
        let mut groups = average_linkage(&similarity, n, options.threshold);
        groups.sort_by(|a, b| b.len().cmp(&a.len()).then(a[0].cmp(&b[0])));
        groups
            .into_iter()
            .map(|members| {
                let representative = *members
                    .iter()
                    .max_by(|&&a, &&b| {
                        let total =
                            |i: usize| members.iter().map(|&j| similarity[i * n + j]).sum::<f32>();
                        total(a).total_cmp(&total(b)).then(b.cmp(&a))
                    })
                    .expect("a group has members");
                QuestionCluster {
                    members,
                    representative,
                }
            })
            .collect()
    }

    /// A question as the engine reads it: its weighted terms and, with a dense index, its vector.
    fn features(&self, question: &str) -> Features {
        let text = normalize(truncate_chars(question, MAX_QUERY_CHARS));
        let query = Query::new(self.analyzer(), text);
        let mut terms: HashMap<String, (f32, f32)> = HashMap::new();
        for term in &query.terms {
            let weight = match term.kind {
                TermKind::Frame => FRAME_WEIGHT,
                TermKind::CjkUnigram => CJK_UNIGRAM_WEIGHT,
                TermKind::Word | TermKind::Code | TermKind::CjkBigram => 1.0,
            };
            let slot = terms.entry(term.text.clone()).or_insert((0.0, weight));
            slot.0 += 1.0;
        }
        Features {
            terms: terms.into_iter().collect(),
            tokens: self
                .dense_index()
                .map(|(index, _)| index.token_ids(&query.text))
                .unwrap_or_default(),
            vector: None,
        }
    }

    /// Each question's dense vector, its tokens weighed as the knowledge base weighs them (the
    /// questions' own rarity was measured too and grouped no better).
    fn embed_all(&self, features: &mut [Features]) {
        let Some((index, weights)) = self.dense_index() else {
            return;
        };
        for f in features.iter_mut() {
            f.vector = index.embed_weighted(&f.tokens, |id| weights.get(id));
        }
    }
}

/// Takes the shared direction out of the question vectors and makes them unit length again.
/// The reference is the questions' own mean when they are many enough to have one
/// ([`OWN_MEAN_FROM`]), else the knowledge base's.
fn center(features: &mut [Features], kb_mean: Option<Vec<f32>>) {
    let vectors: Vec<&Vec<f32>> = features.iter().filter_map(|f| f.vector.as_ref()).collect();
    let mean = if vectors.len() >= OWN_MEAN_FROM {
        let mut mean = vec![0.0f32; vectors[0].len()];
        for v in &vectors {
            mean.iter_mut()
                .zip(v.iter())
                .for_each(|(m, x)| *m += x / vectors.len() as f32);
        }
        mean
    } else if let Some(mean) = kb_mean {
        mean
    } else {
        return;
    };
    for f in features.iter_mut() {
        if let Some(v) = f.vector.as_mut() {
            v.iter_mut().zip(&mean).for_each(|(x, m)| *x -= m);
            let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            if norm > f32::EPSILON {
                v.iter_mut().for_each(|x| *x /= norm);
            } else {
                f.vector = None;
            }
        }
    }
}

/// Questions needed before their own mean is a better reference than the knowledge base's.
const OWN_MEAN_FROM: usize = 50;

struct Features {
    /// Each distinct term with its count and its kind's weight.
    terms: Vec<(String, (f32, f32))>,
    /// Its token ids in the dense index's table (none without one).
    tokens: Vec<u32>,
    vector: Option<Vec<f32>>,
}

/// Each term's id and rarity among the questions, `ln(1 + n / (df + 1))`: words every question
/// uses ("order", "我") count less than the one that tells them apart. The `+ 1` smooths small
/// lists: among three questions about jobs, unsmoothed, "job" weighed half of each question's
/// other words and the three stayed apart (banking77 and massive_zh group as well or slightly
/// better with it; docs/QUALITY.md).
fn rarity(features: &[Features]) -> HashMap<&str, (u32, f32)> {
    let mut df: HashMap<&str, u32> = HashMap::new();
    for f in features {
        for (term, _) in &f.terms {
            *df.entry(term.as_str()).or_default() += 1;
        }
    }
    let n = features.len() as f32;
    let mut terms: Vec<(&str, u32)> = df.into_iter().collect();
    terms.sort_unstable();
    terms
        .into_iter()
        .enumerate()
        .map(|(id, (term, df))| (term, (id as u32, (1.0 + n / (df as f32 + 1.0)).ln())))
        .collect()
}

/// A question's unit-length vector of weighted terms, sorted by term id.
fn weigh(terms: &[(String, (f32, f32))], idf: &HashMap<&str, (u32, f32)>) -> Vec<(u32, f32)> {
    let mut vector: Vec<(u32, f32)> = terms
        .iter()
        .map(|(term, (count, weight))| {
            let (id, rarity) = idf[term.as_str()];
            (id, (1.0 + count.ln()) * weight * rarity)
        })
        .collect();
    vector.sort_unstable_by_key(|&(id, _)| id);
    let norm = vector.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
    if norm > f32::EPSILON {
        vector.iter_mut().for_each(|(_, w)| *w /= norm);
    }
    vector
}

fn sparse_dot(a: &[(u32, f32)], b: &[(u32, f32)]) -> f32 {
    let (mut i, mut j, mut sum) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                sum += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    sum
}

/// Average-linkage agglomeration over an `n`×`n` similarity matrix, merging while the best pair
/// of groups is at least `threshold` alike. Keeps each group's nearest neighbour, so a merge
/// costs one pass over the groups plus a rescan for the few whose neighbour was merged.
fn average_linkage(similarity: &[f32], n: usize, threshold: f32) -> Vec<Vec<usize>> {
    let mut sim = similarity.to_vec();
    let mut members: Vec<Option<Vec<usize>>> = (0..n).map(|i| Some(vec![i])).collect();
    let alive = |members: &[Option<Vec<usize>>], i: usize| members[i].is_some();
    let nearest = |sim: &[f32], members: &[Option<Vec<usize>>], i: usize| {
        (0..n)
            .filter(|&j| j != i && alive(members, j))
            .map(|j| (j, sim[i * n + j]))
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
    };
    let mut best: Vec<Option<(usize, f32)>> = (0..n).map(|i| nearest(&sim, &members, i)).collect();
    while let Some((i, (j, _))) = best
        .iter()
        .enumerate()
        .filter(|&(i, _)| alive(&members, i))
        .filter_map(|(i, b)| b.map(|b| (i, b)))
        .max_by(|a, b| a.1 .1.total_cmp(&b.1 .1).then(b.0.cmp(&a.0)))
        .filter(|&(_, (_, s))| s >= threshold)
    {
        let (keep, gone) = (i.min(j), i.max(j));
        let size_keep = members[keep].as_ref().map_or(0, Vec::len) as f32;
        let size_gone = members[gone].as_ref().map_or(0, Vec::len) as f32;
        for k in 0..n {
            if k != keep && k != gone && alive(&members, k) {
                let merged = (size_keep * sim[k * n + keep] + size_gone * sim[k * n + gone])
                    / (size_keep + size_gone);
                sim[k * n + keep] = merged;
                sim[keep * n + k] = merged;
            }
        }
        let moved = members[gone].take().unwrap_or_default();
        if let Some(group) = members[keep].as_mut() {
            group.extend(moved);
        }
        best[gone] = None;
        for k in 0..n {
            if !alive(&members, k) {
                continue;
            }
            let stale = match best[k] {
                Some((nb, _)) => nb == keep || nb == gone || k == keep,
                None => false,
            };
            if stale {
                best[k] = nearest(&sim, &members, k);
            } else if k != keep {
                // The merged group may now be closer than k's old neighbour.
                let to_keep = sim[k * n + keep];
                if best[k].is_none_or(|(nb, s)| to_keep > s || (to_keep == s && keep < nb)) {
                    best[k] = Some((keep, to_keep));
                }
            }
        }
    }
    members
        .into_iter()
        .flatten()
        .map(|mut group| {
            group.sort_unstable();
            group
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn average_linkage_stops_at_the_threshold() {
        // 0 and 1 are alike, 2 is alike to 1 only a little, 3 to nothing.
        #[rustfmt::skip]
        let sim = [
            1.0, 0.9, 0.3, 0.0,
            0.9, 1.0, 0.5, 0.0,
            0.3, 0.5, 1.0, 0.0,
            0.0, 0.0, 0.0, 1.0,
        ];
        assert_eq!(
            average_linkage(&sim, 4, 0.45),
            vec![vec![0, 1], vec![2], vec![3]]
        );
        // At 0.4 the pair and 2 are alike on average (0.3 + 0.5) / 2.
        assert_eq!(average_linkage(&sim, 4, 0.4), vec![vec![0, 1, 2], vec![3]]);
        assert_eq!(average_linkage(&sim, 4, 0.0), vec![vec![0, 1, 2, 3]]);
    }

    #[test]
    fn no_questions_make_no_groups() {
        assert!(average_linkage(&[], 0, 0.5).is_empty());
    }
}
