//! Identity token parsing (`server::identity`): what a host site, or anyone pretending to be
//! one, sends as `identity_token` with an escalation. Every claim is verified or refused with an
//! [`IdentityError`](server::identity::IdentityError), never a panic.
//!
//! The first input byte picks how the rest is used: as a JWT string, as the older `{id, ts, hmac}`
//! form (split at NULs), as the JSON the escalation carries, or as the claims of a JWT
//! correctly signed with the site's secret, which is the only way past the signature check to
//! the claim handling (names, emails, attributes, expiry).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use server::identity::{IdentityClaim, VerifyClaim as _};
use sha2::Sha256;

const SECRET: &str = "fuzz-site-secret";

pub fn check(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let claim = match mode % 4 {
        0 => IdentityClaim::Token(text.into_owned()),
        1 => {
            // `id NUL hmac [NUL ts]`: the timed form when a third part is there.
            let mut parts = text.splitn(3, '\0');
            let id = parts.next().unwrap_or_default();
            let hmac = parts.next().unwrap_or_default();
            let ts = parts.next().and_then(|ts| ts.trim().parse::<i64>().ok());
            IdentityClaim::Hmac {
                id: id.to_owned(),
                ts,
                hmac: hmac.to_owned(),
            }
        }
        2 => match serde_json::from_slice::<IdentityClaim>(rest) {
            Ok(claim) => claim,
            Err(_) => return,
        },
        _ => IdentityClaim::Token(signed_token(rest)),
    };
    for secret in [Some(SECRET), None, Some("")] {
        if let Ok(identity) = claim.verify(secret) {
            assert!(secret.is_some_and(|s| !s.is_empty()));
            assert!(
                !identity.external_id.trim().is_empty(),
                "a verified identity without a user id: {identity:?}"
            );
        }
    }
}

/// An HS256 JWT over `claims` as given (a JSON object gets a far-future `exp` when it has none,
/// so that expiry does not hide the rest of the claim handling).
fn signed_token(claims: &[u8]) -> String {
    let payload = match serde_json::from_slice::<serde_json::Value>(claims) {
        Ok(serde_json::Value::Object(mut object)) => {
            object
                .entry("exp")
                .or_insert_with(|| serde_json::json!(4_102_444_800_u64));
            serde_json::to_vec(&object).expect("a JSON object serializes")
        }
        _ => claims.to_vec(),
    };
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("any key size");
    mac.update(signing_input.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{signing_input}.{signature}")
}
