//! Verifying who a visitor is, as vouched for by the host site's backend.
//!
//! The host signs the visitor's identity with the site's identity secret, which only it and this
//! server know, so a visitor cannot claim to be someone else. Two forms are accepted:
//!
//! - a JWT signed with HS256 (the current Intercom and Zendesk scheme): `sub` is the external user
//!   id, `exp` is required and checked, `name` and `email` fill the contact, every other
//!   non-registered claim becomes a contact attribute (`plan`, `company`, …);
//! - the older `{"id", "hmac"}` pair, with `hmac` the hex HMAC-SHA256 of `id` under the secret.
//!   It never expires, so it proves less; hosts should move to tokens.
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

/// What the escalation carries as `identity_token`: a JWT, or the older id and HMAC.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum IdentityClaim {
    Token(String),
    Hmac { id: String, hmac: String },
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
}

impl IdentityClaim {
    /// Checks the claim against the site's `secret`.
    pub fn verify(&self, secret: Option<&str>) -> Result<VerifiedIdentity, IdentityError> {
        let secret = secret
            .filter(|s| !s.is_empty())
            .ok_or(IdentityError::NoSecret)?;
        match self {
            IdentityClaim::Token(token) => verify_token(token, secret),
            IdentityClaim::Hmac { id, hmac } => verify_hmac(id, hmac, secret),
        }
    }
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

fn verify_hmac(id: &str, hmac: &str, secret: &str) -> Result<VerifiedIdentity, IdentityError> {
    let sent = hex::decode(hmac.trim())
        .map_err(|_| IdentityError::Malformed("hmac is not hexadecimal".into()))?;
    let expected = hmac_sha256(secret, id);
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

    #[test]
    fn the_older_hmac_pair_is_checked() {
        let good = hex::encode(hmac_sha256(SECRET, "u-7"));
        let claim = IdentityClaim::Hmac {
            id: "u-7".into(),
            hmac: good.to_uppercase(),
        };
        assert_eq!(claim.verify(Some(SECRET)).unwrap().external_id, "u-7");
        let other_user = IdentityClaim::Hmac {
            id: "u-8".into(),
            hmac: good.clone(),
        };
        assert_eq!(
            other_user.verify(Some(SECRET)),
            Err(IdentityError::BadSignature)
        );
        let truncated = IdentityClaim::Hmac {
            id: "u-7".into(),
            hmac: good[..32].to_owned(),
        };
        assert_eq!(
            truncated.verify(Some(SECRET)),
            Err(IdentityError::BadSignature)
        );
    }

    #[test]
    fn both_forms_deserialize_from_the_same_field() {
        let token: IdentityClaim = serde_json::from_value(json!("a.b.c")).unwrap();
        assert!(matches!(token, IdentityClaim::Token(_)));
        let pair: IdentityClaim = serde_json::from_value(json!({"id": "u", "hmac": "00"})).unwrap();
        assert!(matches!(pair, IdentityClaim::Hmac { .. }));
    }
}
