//! The arithmetic the dense scan spends its time in, written so the compiler
//! turns it into SIMD (SSE2/AVX2 natively, simd128 in the browser): fixed-size
//! chunks and independent sums, no bounds checks left in the loops.

/// Appends `v` in int8 (its largest value becomes ±127) and returns the factor
/// turning those values back into floats.
pub(crate) fn quantize(v: &[f32], out: &mut Vec<i8>) -> f32 {
    let max = v.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
    out.extend(
        v.iter()
            .map(|x| (x / scale).round().clamp(-127.0, 127.0) as i8),
    );
    scale
}

/// Integer dot product with sixteen independent sums, which the compiler turns
/// into SIMD multiply-adds.
pub(crate) fn dot_i8(a: &[i8], b: &[i8]) -> i32 {
    let (a16, b16) = (a.chunks_exact(16), b.chunks_exact(16));
    let tail: i32 = a16
        .remainder()
        .iter()
        .zip(b16.remainder())
        .map(|(&x, &y)| i32::from(x) * i32::from(y))
        .sum();
    let mut sums = [0i32; 16];
    for (x, y) in a16.zip(b16) {
        // Fixed-size arrays: no bounds checks left in the loop, so it vectorizes.
        let x: &[i8; 16] = x.try_into().expect("16 values");
        let y: &[i8; 16] = y.try_into().expect("16 values");
        for i in 0..16 {
            sums[i] += i32::from(x[i]) * i32::from(y[i]);
        }
    }
    sums.iter().sum::<i32>() + tail
}

/// Dot product with eight independent sums, which the compiler turns into SIMD
/// (a single running sum cannot be reordered, so it would stay scalar).
#[cfg(feature = "hnsw")]
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut sums = [0.0f32; 8];
    let (a8, a_rest) = a.split_at(a.len() / 8 * 8);
    let (b8, b_rest) = b.split_at(a8.len().min(b.len()));
    for (x, y) in a8.chunks_exact(8).zip(b8.chunks_exact(8)) {
        for i in 0..8 {
            sums[i] += x[i] * y[i];
        }
    }
    let tail: f32 = a_rest.iter().zip(b_rest).map(|(x, y)| x * y).sum();
    sums.iter().sum::<f32>() + tail
}
