//! A linear map of the dense vector space learned from the knowledge base.
//!
//! Static token vectors mix what tells entries apart with what does not: two
//! phrasings of one question differ in wording ("I", "please", "my card") and
//! that variation is as large as the difference between two questions. The
//! alternates show which directions vary *within* an entry, and the build learns
//! to shrink them: within-class covariance normalization (WCCN, as in speaker
//! verification), `x ↦ W^{-1/2} (x - m)` with `W` the covariance of phrasings
//! around their entry's mean, shrunk towards a multiple of the identity
//! (`(1 - α) W + α · tr(W)/d · I`) so that five phrasings per entry are as safe
//! as a hundred. The shrinkage `α` is chosen by `crate::build::calibrate` on held-out
//! alternates, and a knowledge base where no `α` helps ships no projection.
//!
//! Query time only applies the map ([`Projection::apply`]: one `d × d`
//! matrix–vector product); fitting it runs at build time
//! (`crate::build::projection`).

use serde::{Deserialize, Serialize};

/// `x ↦ M (x - mean)`, then normalized; stored in the snapshot (`d² + d` floats).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Projection {
    pub(crate) dims: u32,
    pub(crate) mean: Vec<f32>,
    /// `dims × dims`, row-major.
    pub(crate) matrix: Vec<f32>,
}

impl Projection {
    /// Vector length in and out.
    pub fn dims(&self) -> usize {
        self.dims as usize
    }

    /// Checks sizes, for snapshots read from untrusted bytes.
    pub fn check(&self, dims: usize) -> Result<(), &'static str> {
        if self.dims() != dims
            || self.mean.len() != dims
            || self.matrix.len() != dims * dims
            || self.matrix.iter().chain(&self.mean).any(|x| !x.is_finite())
        {
            return Err("projection does not match the table");
        }
        Ok(())
    }

    /// Maps a unit vector; `None` when it maps to (almost) nothing.
    pub fn apply(&self, v: &[f32]) -> Option<Vec<f32>> {
        let d = self.dims();
        let centred: Vec<f32> = v.iter().zip(&self.mean).map(|(x, m)| x - m).collect();
        let mut out: Vec<f32> = self
            .matrix
            .chunks_exact(d)
            .map(|row| row.iter().zip(&centred).map(|(a, b)| a * b).sum())
            .collect();
        let norm = out.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm <= f32::EPSILON {
            return None;
        }
        out.iter_mut().for_each(|x| *x /= norm);
        Some(out)
    }
}
