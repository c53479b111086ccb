//! Verifying who a visitor is, as vouched for by the host site's backend.
//!
//! The host signs the visitor's identity with the site's identity secret, which only it and this
//! server know, so a visitor cannot claim to be someone else. Two forms are accepted:
//!
//! - a JWT signed with HS256 (the current Intercom and Zendesk scheme): `sub` is the external user
//!   id, `exp` is required and checked, `name` and `email` fill the contact, every other
//!   non-registered claim becomes a contact attribute (`plan`, `company`, …);
//! - the older HMAC form `{"id", "ts", "hmac"}`: `ts` is when the host signed it (Unix seconds)
//!   and `hmac` the hex HMAC-SHA256 of `"{id}:{ts}"` under the secret. It is refused once older
//!   than [`IdentityPolicy::hmac_max_age`] (24 hours by default) or more than the clock leeway in
//!   the future, so a copied pair stops working like an expired token does.
//!
//! Compatibility: the original pair `{"id", "hmac"}` (the HMAC of `id` alone) never expires, so
//! it proves nothing about when it was made; it is refused unless the server is started with
//! [`IdentityPolicy::accept_untimed_hmac`] (`legacy_identity_without_expiry = true`), meant for
//! the weeks a host needs to add `ts`. Hosts should move to tokens.
//!
//! Signatures are compared in constant time. A claim that fails verification is refused rather
//! than downgraded to an unverified contact: the host sent it, so a failure is a configuration
//! error (wrong secret, clock skew, stale token) the host must see, not hide.

use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// How far the host's clock may be behind ours when checking `exp` and `nbf`, in seconds.
const CLOCK_LEEWAY_SECONDS: u64 = 30;
const MAX_EXTERNAL_ID: usize = 255;
const MAX_ATTRIBUTES: usize = 50;
/// Registered JWT claims, which describe the token rather than the visitor.
const REGISTERED_CLAIMS: [&str; 7] = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"];

/// What the escalation carries as `identity_token`: a JWT, or the older id and HMAC. The wire
/// type is the API's; checking it is this module's ([`VerifyClaim`]).
pub use protocol::IdentityClaim;

/// How old an HMAC identity may be, and whether the untimed pair is still accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdentityPolicy {
    /// The oldest `ts` accepted, as an age in seconds.
    pub hmac_max_age_seconds: u64,
    /// Accept `{"id", "hmac"}` without `ts` (it never expires): for a host's migration only.
    pub accept_untimed_hmac: bool,
}

impl IdentityPolicy {
    /// A day: a host signs the identity when it renders the page, and a visitor may keep the
    /// page open for a while before escalating.
    pub const DEFAULT_HMAC_MAX_AGE_SECONDS: u64 = 24 * 3600;

    /// The age limit as a `Duration`, for display.
    pub fn hmac_max_age(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.hmac_max_age_seconds)
    }
}

impl Default for IdentityPolicy {
    fn default() -> Self {
        IdentityPolicy {
            hmac_max_age_seconds: Self::DEFAULT_HMAC_MAX_AGE_SECONDS,
            accept_untimed_hmac: false,
        }
    }
}

/// A visitor identity whose signature checked out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerifiedIdentity {
    /// The host's user id; contacts are merged by it.
    pub external_id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    /// The token's other claims, kept on the contact for agents to see.
    pub attributes: Map<String, Value>,
}

/// Why an identity claim was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IdentityError {
    #[error("this site has no identity secret, so identities sent for it cannot be verified")]
    NoSecret,
    #[error("the identity token has expired")]
    Expired,
    #[error("the identity signature does not match this site's identity secret")]
    BadSignature,
    #[error("the identity is malformed: {0}")]
    Malformed(String),
    #[error(
        "the identity has no \"ts\": sign \"{{id}}:{{ts}}\" with the Unix time and send {{\"id\", \"ts\", \"hmac\"}} \
         (the untimed pair never expires and is no longer accepted), or send a JWT"
    )]
    Untimed,
}

/// Checking an [`IdentityClaim`]: the claim is a wire type of the `protocol` crate, which knows
/// no secrets, so its verification is a trait of this crate.
pub trait VerifyClaim {
    /// Checks the claim against the site's `secret` under the default [`IdentityPolicy`], now.
    fn verify(&self, secret: Option<&str>) -> Result<VerifiedIdentity, IdentityError> {
        self.verify_with(secret, &IdentityPolicy::default(), unix_now())
    }

    /// Checks the claim against the site's `secret` under `policy`, at `now` (Unix seconds).
    fn verify_with(
        &self,
        secret: Option<&str>,
        policy: &IdentityPolicy,
        now: i64,
    ) -> Result<VerifiedIdentity, IdentityError>;
}

impl VerifyClaim for IdentityClaim {
    fn verify_with(
        &self,
        secret: Option<&str>,
        policy: &IdentityPolicy,
        now: i64,
    ) -> Result<VerifiedIdentity, IdentityError> {
        let secret = secret
            .filter(|s| !s.is_empty())
            .ok_or(IdentityError::NoSecret)?;
        match self {
            IdentityClaim::Token(token) => verify_token(token, secret),
            IdentityClaim::Hmac { id, ts, hmac } => {
                let signed = match ts {
                    Some(ts) => format!("{id}:{ts}"),
                    None if policy.accept_untimed_hmac => id.clone(),
                    None => return Err(IdentityError::Untimed),
                };
                let identity = verify_hmac(id, &signed, hmac, secret)?;
                if let Some(ts) = *ts {
                    let max_age = i64::try_from(policy.hmac_max_age_seconds).unwrap_or(i64::MAX);
                    let leeway = CLOCK_LEEWAY_SECONDS as i64;
                    if ts > now.saturating_add(leeway) {
                        return Err(IdentityError::Malformed(
                            "ts is in the future; check the host's clock".into(),
                        ));
                    }
                    if now.saturating_sub(ts) > max_age.saturating_add(leeway) {
                        return Err(IdentityError::Expired);
                    }
                }
                Ok(identity)
            }
        }
    }
}

/// Seconds since the Unix epoch.
fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[derive(Deserialize)]
struct Claims {
    sub: String,
    #[serde(flatten)]
    other: Map<String, Value>,
}

fn verify_token(token: &str, secret: &str) -> Result<VerifiedIdentity, IdentityError> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.algorithms = vec![Algorithm::HS256];
    validation.set_required_spec_claims(&["exp", "sub"]);
    validation.validate_exp = true;
    validation.validate_nbf = true;
    validation.leeway = CLOCK_LEEWAY_SECONDS;
    validation.validate_aud = false;
    let key = DecodingKey::from_secret(secret.as_bytes());
    let data = jsonwebtoken::decode::<Claims>(token, &key, &validation).map_err(|err| {
        use jsonwebtoken::errors::ErrorKind;
        match err.kind() {
            ErrorKind::ExpiredSignature => IdentityError::Expired,
            ErrorKind::InvalidSignature => IdentityError::BadSignature,
            ErrorKind::InvalidAlgorithm => {
                IdentityError::Malformed("only HS256 tokens are accepted".into())
            }
            ErrorKind::MissingRequiredClaim(claim) => {
                IdentityError::Malformed(format!("the token has no {claim:?} claim"))
            }
            ErrorKind::ImmatureSignature => {
                IdentityError::Malformed("the token is not valid yet (nbf)".into())
            }
            _ => IdentityError::Malformed("not a valid JWT".into()),
        }
    })?;
    let Claims { sub, mut other } = data.claims;
    for registered in REGISTERED_CLAIMS {
        other.remove(registered);
    }
    let name = text_claim(&mut other, "name", 200)?;
    let email = text_claim(&mut other, "email", 254)?;
    if other.len() > MAX_ATTRIBUTES {
        return Err(IdentityError::Malformed(format!(
            "the token has {} attributes; at most {MAX_ATTRIBUTES} are kept",
            other.len()
        )));
    }
    Ok(VerifiedIdentity {
        external_id: external_id(&sub)?,
        name,
        email,
        attributes: other,
    })
}

/// Checks that `hmac` signs `signed` (the id, with its `ts` when there is one).
fn verify_hmac(
    id: &str,
    signed: &str,
    hmac: &str,
    secret: &str,
) -> Result<VerifiedIdentity, IdentityError> {
    let sent = hex::decode(hmac.trim())
        .map_err(|_| IdentityError::Malformed("hmac is not hexadecimal".into()))?;
    let expected = hmac_sha256(secret, signed);
    if !bool::from(sent.as_slice().ct_eq(expected.as_slice())) {
        return Err(IdentityError::BadSignature);
    }
    Ok(VerifiedIdentity {
        external_id: external_id(id)?,
        name: None,
        email: None,
        attributes: Map::new(),
    })
}

/// HMAC-SHA256 of `message` under `secret`, as the older identity scheme signs the user id.
pub fn hmac_sha256(secret: &str, message: &str) -> Vec<u8> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC accepts keys of any size");
    mac.update(message.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

fn external_id(id: &str) -> Result<String, IdentityError> {
    let id = id.trim();
    if id.is_empty() || id.chars().count() > MAX_EXTERNAL_ID {
        return Err(IdentityError::Malformed(format!(
            "the user id must be 1 to {MAX_EXTERNAL_ID} characters"
        )));
    }
    Ok(id.to_owned())
}

/// Removes `key` from the claims as trimmed text; blank counts as absent.
fn text_claim(
    claims: &mut Map<String, Value>,
    key: &str,
    max_chars: usize,
) -> Result<Option<String>, IdentityError> {
    match claims.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => {
            let text = text.trim();
            if text.chars().count() > max_chars {
                return Err(IdentityError::Malformed(format!(
                    "{key} is longer than {max_chars} characters"
                )));
            }
            Ok((!text.is_empty()).then(|| text.to_owned()))
        }
        Some(_) => Err(IdentityError::Malformed(format!("{key} must be a string"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{encode, EncodingKey, Header};
    use serde_json::json;

    const SECRET: &str = "site-secret";

    fn now() -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
    }

    fn token(claims: Value, secret: &str, algorithm: Algorithm) -> IdentityClaim {
        IdentityClaim::Token(
            encode(
                &Header::new(algorithm),
                &claims,
                &EncodingKey::from_secret(secret.as_bytes()),
            )
            .unwrap(),
        )
    }

    #[test]
    fn a_valid_token_yields_the_user_and_attributes() {
        let claim = token(
            json!({"sub": "u-42", "exp": now() + 300, "iat": now(), "name": " Li Lei ",
                   "email": "li@example.com", "plan": "pro"}),
            SECRET,
            Algorithm::HS256,
        );
        let identity = claim.verify(Some(SECRET)).unwrap();
        assert_eq!(identity.external_id, "u-42");
        assert_eq!(identity.name.as_deref(), Some("Li Lei"));
        assert_eq!(identity.email.as_deref(), Some("li@example.com"));
        assert_eq!(Value::Object(identity.attributes), json!({"plan": "pro"}));
    }

    #[test]
    fn expired_forged_and_incomplete_tokens_are_refused() {
        let expired = token(
            json!({"sub": "u", "exp": now() - 3600}),
            SECRET,
            Algorithm::HS256,
        );
        assert_eq!(expired.verify(Some(SECRET)), Err(IdentityError::Expired));
        let forged = token(
            json!({"sub": "u", "exp": now() + 300}),
            "another-secret",
            Algorithm::HS256,
        );
        assert_eq!(
            forged.verify(Some(SECRET)),
            Err(IdentityError::BadSignature)
        );
        let no_exp = token(json!({"sub": "u"}), SECRET, Algorithm::HS256);
        assert!(matches!(
            no_exp.verify(Some(SECRET)),
            Err(IdentityError::Malformed(_))
        ));
        let hs512 = token(
            json!({"sub": "u", "exp": now() + 300}),
            SECRET,
            Algorithm::HS512,
        );
        assert!(matches!(
            hs512.verify(Some(SECRET)),
            Err(IdentityError::Malformed(_))
        ));
        // `alg: none` with an empty signature.
        let none = IdentityClaim::Token(
            "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ1IiwiZXhwIjo5OTk5OTk5OTk5fQ.".into(),
        );
        assert!(none.verify(Some(SECRET)).is_err());
        let valid = token(
            json!({"sub": "u", "exp": now() + 300}),
            SECRET,
            Algorithm::HS256,
        );
        assert_eq!(valid.verify(None), Err(IdentityError::NoSecret));
    }

    fn timed(id: &str, ts: i64, signed_id: &str, signed_ts: i64) -> IdentityClaim {
        IdentityClaim::Hmac {
            id: id.into(),
            ts: Some(ts),
            hmac: hex::encode(hmac_sha256(SECRET, &format!("{signed_id}:{signed_ts}"))),
        }
    }

    #[test]
    fn the_older_hmac_pair_is_checked() {
        let at = now() - 60;
        let good = hex::encode(hmac_sha256(SECRET, &format!("u-7:{at}")));
        let claim = IdentityClaim::Hmac {
            id: "u-7".into(),
            ts: Some(at),
            hmac: good.to_uppercase(),
        };
        assert_eq!(claim.verify(Some(SECRET)).unwrap().external_id, "u-7");
        let other_user = timed("u-8", at, "u-7", at);
        assert_eq!(
            other_user.verify(Some(SECRET)),
            Err(IdentityError::BadSignature)
        );
        // Moving the timestamp forward breaks the signature.
        let refreshed = timed("u-7", now(), "u-7", at);
        assert_eq!(
            refreshed.verify(Some(SECRET)),
            Err(IdentityError::BadSignature)
        );
        let truncated = IdentityClaim::Hmac {
            id: "u-7".into(),
            ts: Some(at),
            hmac: good[..32].to_owned(),
        };
        assert_eq!(
            truncated.verify(Some(SECRET)),
            Err(IdentityError::BadSignature)
        );
    }

    #[test]
    fn an_hmac_identity_expires() {
        let policy = IdentityPolicy::default();
        let max_age = policy.hmac_max_age_seconds as i64;
        let fresh = timed("u-7", now() - max_age + 60, "u-7", now() - max_age + 60);
        assert!(fresh.verify(Some(SECRET)).is_ok());
        let old = now() - max_age - 3600;
        assert_eq!(
            timed("u-7", old, "u-7", old).verify(Some(SECRET)),
            Err(IdentityError::Expired)
        );
        let future = now() + 3600;
        assert!(matches!(
            timed("u-7", future, "u-7", future).verify(Some(SECRET)),
            Err(IdentityError::Malformed(_))
        ));
        // A shorter policy refuses what the default accepts.
        let strict = IdentityPolicy {
            hmac_max_age_seconds: 10,
            ..policy
        };
        let minute_ago = now() - 120;
        assert_eq!(
            timed("u-7", minute_ago, "u-7", minute_ago).verify_with(Some(SECRET), &strict, now()),
            Err(IdentityError::Expired)
        );
    }

    #[test]
    fn the_untimed_pair_is_refused_unless_allowed() {
        let untimed = IdentityClaim::Hmac {
            id: "u-7".into(),
            ts: None,
            hmac: hex::encode(hmac_sha256(SECRET, "u-7")),
        };
        assert_eq!(untimed.verify(Some(SECRET)), Err(IdentityError::Untimed));
        let compatible = IdentityPolicy {
            accept_untimed_hmac: true,
            ..IdentityPolicy::default()
        };
        assert_eq!(
            untimed
                .verify_with(Some(SECRET), &compatible, now())
                .unwrap()
                .external_id,
            "u-7"
        );
    }

    #[test]
    fn both_forms_deserialize_from_the_same_field() {
        let token: IdentityClaim = serde_json::from_value(json!("a.b.c")).unwrap();
        assert!(matches!(token, IdentityClaim::Token(_)));
        let pair: IdentityClaim = serde_json::from_value(json!({"id": "u", "hmac": "00"})).unwrap();
        assert!(matches!(pair, IdentityClaim::Hmac { ts: None, .. }));
        let timed: IdentityClaim =
            serde_json::from_value(json!({"id": "u", "ts": 1_765_000_000, "hmac": "00"})).unwrap();
        assert!(matches!(timed, IdentityClaim::Hmac { ts: Some(_), .. }));
    }
}
