//! Learning the [`Projection`] of the dense space from the alternates:
//! within-class covariance normalization with shrinkage (see
//! [`crate::index::projection`]).

use crate::index::projection::Projection;

/// Shrinkages tried by the build, from mostly learned to mostly identity.
pub const SHRINKAGES: [f32; 6] = [0.02, 0.05, 0.1, 0.2, 0.4, 0.7];

impl Projection {
    /// Learns the map from unit vectors (`labels.len()` rows of `dims` values)
    /// and the entry of each, with shrinkage `alpha` in `(0, 1]`. `None` when
    /// there is nothing to learn from (fewer than two vectors, or no variation).
    pub fn fit(vectors: &[f32], labels: &[u32], dims: usize, alpha: f32) -> Option<Projection> {
        let n = labels.len();
        if n < 2 || dims == 0 || vectors.len() != n * dims {
            return None;
        }
        let classes = labels.iter().max().map_or(0, |&m| m as usize + 1);
        let mut sums = vec![0.0f64; classes * dims];
        let mut counts = vec![0usize; classes];
        let mut mean = vec![0.0f64; dims];
        for (v, &c) in vectors.chunks_exact(dims).zip(labels) {
            counts[c as usize] += 1;
            for (k, &x) in v.iter().enumerate() {
                sums[c as usize * dims + k] += x as f64;
                mean[k] += x as f64 / n as f64;
            }
        }
        // Covariance around each entry's mean; an entry with one phrasing adds nothing.
        let mut within = vec![0.0f64; dims * dims];
        let mut centred = vec![0.0f64; dims];
        for (v, &c) in vectors.chunks_exact(dims).zip(labels) {
            let c = c as usize;
            if counts[c] < 2 {
                continue;
            }
            for k in 0..dims {
                centred[k] = v[k] as f64 - sums[c * dims + k] / counts[c] as f64;
            }
            for i in 0..dims {
                for j in i..dims {
                    within[i * dims + j] += centred[i] * centred[j];
                }
            }
        }
        let trace: f64 = (0..dims).map(|i| within[i * dims + i]).sum();
        if trace <= 1e-12 {
            return None;
        }
        let alpha = alpha.clamp(1e-3, 1.0) as f64;
        let floor = alpha * trace / dims as f64;
        for i in 0..dims {
            for j in i..dims {
                let w = (1.0 - alpha) * within[i * dims + j] + if i == j { floor } else { 0.0 };
                within[i * dims + j] = w;
                within[j * dims + i] = w;
            }
        }
        let (values, vectors_) = symmetric_eigen(&mut within, dims);
        // W^{-1/2} = V Λ^{-1/2} Vᵀ; scaled by √(tr/d) so the output keeps the input's size.
        let scale = (trace / dims as f64).sqrt();
        let mut matrix = vec![0.0f32; dims * dims];
        for i in 0..dims {
            for j in 0..dims {
                let s: f64 = (0..dims)
                    .map(|k| vectors_[i * dims + k] * vectors_[j * dims + k] / values[k].sqrt())
                    .sum();
                matrix[i * dims + j] = (s * scale) as f32;
            }
        }
        Some(Projection {
            dims: dims as u32,
            mean: mean.iter().map(|&m| m as f32).collect(),
            matrix,
        })
    }
}

/// Eigenvalues and eigenvectors (columns of the returned row-major matrix) of a
/// symmetric matrix, by cyclic Jacobi rotations; `a` is destroyed. A fixed order
/// of rotations, so the same input always gives the same output.
fn symmetric_eigen(a: &mut [f64], n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut v = vec![0.0f64; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    let norm: f64 = a.iter().map(|x| x * x).sum();
    for _sweep in 0..64 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * n + j] * a[i * n + j])
            .sum();
        if off <= 1e-24 * norm {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq.abs() <= 1e-300 {
                    continue;
                }
                let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (x, y) = (a[k * n + p], a[k * n + q]);
                    a[k * n + p] = c * x - s * y;
                    a[k * n + q] = s * x + c * y;
                }
                for k in 0..n {
                    let (x, y) = (a[p * n + k], a[q * n + k]);
                    a[p * n + k] = c * x - s * y;
                    a[q * n + k] = s * x + c * y;
                }
                for k in 0..n {
                    let (x, y) = (v[k * n + p], v[k * n + q]);
                    v[k * n + p] = c * x - s * y;
                    v[k * n + q] = s * x + c * y;
                }
            }
        }
    }
    let values = (0..n).map(|i| a[i * n + i].max(1e-12)).collect();
    (values, v)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn eigen_decomposition_rebuilds_the_matrix() {
        let m = [4.0, 1.0, 0.5, 1.0, 3.0, 0.2, 0.5, 0.2, 1.0];
        let mut a = m;
        let (values, v) = symmetric_eigen(&mut a, 3);
        for i in 0..3 {
            for j in 0..3 {
                let back: f64 = (0..3)
                    .map(|k| v[i * 3 + k] * values[k] * v[j * 3 + k])
                    .sum();
                assert!((back - m[i * 3 + j]).abs() < 1e-9, "{i},{j}: {back}");
            }
        }
    }

    fn unit(v: [f32; 3]) -> Vec<f32> {
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter().map(|x| x / n).collect()
    }

    fn cos(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    /// Two entries told apart by axis 0; their phrasings vary much more along
    /// axis 1 (wording), which raw cosine mistakes for meaning.
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn phrasings_of_one_entry_come_together() {
        let mut vectors = Vec::new();
        let mut labels = Vec::new();
        for (entry, side) in [(0u32, 0.3f32), (1, -0.3)] {
            for wording in [-1.0f32, -0.5, 0.0, 0.5, 1.0] {
                vectors.extend(unit([side, wording, 1.0]));
                labels.push(entry);
            }
        }
        let p = Projection::fit(&vectors, &labels, 3, 0.05).unwrap();
        assert!(p.check(3).is_ok());
        // A phrasing of entry 0 worded like entry 1's phrasing.
        let query = unit([0.3, 1.0, 1.0]);
        let same = unit([0.3, -1.0, 1.0]);
        let other = unit([-0.3, 1.0, 1.0]);
        assert!(
            cos(&query, &other) > cos(&query, &same),
            "raw space prefers wording"
        );
        let (q, s, o) = (
            p.apply(&query).unwrap(),
            p.apply(&same).unwrap(),
            p.apply(&other).unwrap(),
        );
        assert!(
            cos(&q, &s) > cos(&q, &o),
            "projected: {} vs {}",
            cos(&q, &s),
            cos(&q, &o)
        );
        assert_eq!(Some(p.clone()), Projection::fit(&vectors, &labels, 3, 0.05));
        assert!(Projection::fit(&vectors[..3], &labels[..1], 3, 0.05).is_none());
        assert!(p.check(4).is_err());
    }
}
