//! Content codings: which one a browser asked for, and compressing a body once, ahead of the
//! requests that will want it.
//!
//! The snapshot and the web app are the bulk of what a first-time visitor downloads; sent as
//! they are on disk, a phone on 4G waited seconds for bytes brotli would have cut by a quarter
//! (the snapshot) to three quarters (wasm, JavaScript). Compressing per request would cost every
//! visitor's download a server CPU burst, so bodies are compressed once per version: the web
//! app at build (`dist/*.br`, `*.gz`, served by `ServeDir`), the snapshot when a browser first
//! asks for a version in a coding (see [`super::snapshot`]).

use std::io::Write;

use axum::http::HeaderValue;

/// A content coding this server can send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    Brotli,
    Gzip,
    Identity,
}

impl Coding {
    /// The `Content-Encoding` value, `None` for identity (no header).
    pub fn header(self) -> Option<HeaderValue> {
        match self {
            Coding::Brotli => Some(HeaderValue::from_static("br")),
            Coding::Gzip => Some(HeaderValue::from_static("gzip")),
            Coding::Identity => None,
        }
    }

    /// What tells this coding's strong ETag apart from the others' (a strong ETag names one
    /// representation, bytes on the wire included).
    pub fn etag_suffix(self) -> &'static str {
        match self {
            Coding::Brotli => "-br",
            Coding::Gzip => "-gz",
            Coding::Identity => "",
        }
    }
}

/// The coding to send for an `Accept-Encoding` header: brotli when accepted (it is smaller),
/// else gzip, else none. A coding with `q=0` is refused; `*` accepts any coding not named.
/// Browsers send brotli only to secure contexts (HTTPS, and `localhost` or `127.0.0.1`), so a
/// plain-HTTP deployment elsewhere gets gzip.
pub fn negotiate(accept: Option<&str>) -> Coding {
    let Some(accept) = accept else {
        return Coding::Identity;
    };
    let mut weights: Vec<(String, f32)> = Vec::new();
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        if name.is_empty() {
            continue;
        }
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        weights.push((name, q));
    }
    let accepted = |name: &str| {
        weights
            .iter()
            .find(|(n, _)| n == name)
            .or_else(|| weights.iter().find(|(n, _)| n == "*"))
            .is_some_and(|(_, q)| *q > 0.0)
    };
    if accepted("br") {
        Coding::Brotli
    } else if accepted("gzip") {
        Coding::Gzip
    } else {
        Coding::Identity
    }
}

/// `parts`, one after the other, compressed with brotli, the stream flushed after each part but
/// the last: a decoder has all of a part once the bytes up to its flush have arrived (brotli
/// decoders hand out what they decoded at the end of a meta-block, which a flush ends). Quality
/// 9: on the demo's 3 MB snapshot (dense tables of small numbers) 2,258,424 bytes in 0.7 s,
/// against 2,226,828 in 9 s at quality 11, which the first request after a new snapshot would
/// wait for.
pub fn brotli(parts: &[&[u8]]) -> std::io::Result<Vec<u8>> {
    let total = parts.iter().map(|p| p.len()).sum::<usize>();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 9,
        lgwin: 22,
        size_hint: total,
        ..Default::default()
    };
    let mut writer =
        brotli::CompressorWriter::with_params(Vec::with_capacity(total / 2), 1 << 16, &params);
    write_parts(&mut writer, parts)?;
    Ok(writer.into_inner())
}

/// `parts` compressed with gzip at the best compression, flushed after each part but the last
/// (see [`brotli`]).
pub fn gzip(parts: &[&[u8]]) -> std::io::Result<Vec<u8>> {
    let total = parts.iter().map(|p| p.len()).sum::<usize>();
    let mut encoder =
        flate2::write::GzEncoder::new(Vec::with_capacity(total / 2), flate2::Compression::best());
    write_parts(&mut encoder, parts)?;
    encoder.finish()
}

fn write_parts(writer: &mut impl Write, parts: &[&[u8]]) -> std::io::Result<()> {
    for (i, part) in parts.iter().enumerate() {
        writer.write_all(part)?;
        if i + 1 < parts.len() {
            writer.flush()?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brotli_when_accepted_then_gzip_then_nothing() {
        assert_eq!(negotiate(Some("gzip, deflate, br, zstd")), Coding::Brotli);
        assert_eq!(negotiate(Some("gzip, deflate")), Coding::Gzip);
        assert_eq!(negotiate(Some("GZIP")), Coding::Gzip);
        assert_eq!(negotiate(Some("deflate")), Coding::Identity);
        assert_eq!(negotiate(Some("")), Coding::Identity);
        assert_eq!(negotiate(None), Coding::Identity);
    }

    #[test]
    fn a_refused_coding_is_not_sent() {
        assert_eq!(negotiate(Some("br;q=0, gzip")), Coding::Gzip);
        assert_eq!(negotiate(Some("br; q=0.0, gzip;q=0")), Coding::Identity);
        assert_eq!(negotiate(Some("*;q=0.5")), Coding::Brotli);
        assert_eq!(negotiate(Some("*;q=0, gzip")), Coding::Gzip);
        assert_eq!(negotiate(Some("identity")), Coding::Identity);
    }

    #[test]
    fn compressed_bodies_decode_to_the_original() {
        let original: Vec<u8> = (0..50_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        let br = brotli(&[&original]).unwrap();
        let mut decoded = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut decoded).unwrap();
        assert_eq!(decoded, original);
        assert!(br.len() < original.len() / 4);

        let gz = gzip(&[&original]).unwrap();
        let mut decoded = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut decoded)
            .unwrap();
        assert_eq!(decoded, original);
    }

    /// How many bytes of `compressed` a streaming decoder needs before it has handed out
    /// `wanted` bytes, to the next KiB.
    fn needed(compressed: &[u8], wanted: usize, decode: &mut dyn FnMut(&[u8]) -> usize) -> usize {
        for end in (1024..compressed.len() + 1024).step_by(1024) {
            let end = end.min(compressed.len());
            if decode(&compressed[..end]) >= wanted {
                return end;
            }
        }
        usize::MAX
    }

    #[test]
    fn a_part_is_decodable_once_the_bytes_up_to_its_flush_have_arrived() {
        let text = "how long does delivery take? ".repeat(3000).into_bytes();
        let mut x: u32 = 7;
        let noise: Vec<u8> = (0..300_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect();

        let br = brotli(&[&text, &noise]).unwrap();
        let mut unbrotli = |prefix: &[u8]| {
            let mut out = Vec::new();
            let _ =
                std::io::Read::read_to_end(&mut brotli::Decompressor::new(prefix, 4096), &mut out);
            out.len()
        };
        assert!(needed(&br, text.len(), &mut unbrotli) < 10_000);
        assert!(needed(&br, text.len() + noise.len(), &mut unbrotli) > 290_000);

        let gz = gzip(&[&text, &noise]).unwrap();
        let mut ungzip = |prefix: &[u8]| {
            let mut out = Vec::new();
            let _ = std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(prefix), &mut out);
            out.len()
        };
        assert!(needed(&gz, text.len(), &mut ungzip) < 10_000);
    }
}
