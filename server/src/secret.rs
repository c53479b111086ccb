//! Random identifiers, bearer secrets and password hashes.
//!
//! Secrets handed to clients (ticket capability tokens, session cookies, CSRF tokens) are 128
//! random bits in base64url; the database keeps only their SHA-256, so a leaked database does not
//! let anyone read a visitor's ticket or take over an agent's session. Checks compare digests in
//! constant time.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::rngs::OsRng;
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Crockford's base32 alphabet: no I, L, O or U, so ids read aloud over the phone survive.
const PUBLIC_ID_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A new ticket's public id, `T-` and eight random base32 characters (40 bits).
///
/// The public id names a ticket in URLs and conversations; it grants nothing by itself.
pub fn new_ticket_id() -> String {
    let mut rng = OsRng;
    let mut id = String::with_capacity(10);
    id.push_str("T-");
    for _ in 0..8 {
        id.push(PUBLIC_ID_ALPHABET[rng.gen_range(0..32)] as char);
    }
    id
}

/// A fresh 128-bit secret, base64url without padding (22 characters).
pub fn new_token() -> String {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The stored form of a secret: lower-case hex SHA-256.
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Whether `secret` hashes to `stored_digest`, compared in constant time.
pub fn matches_digest(secret: &str, stored_digest: &str) -> bool {
    digest(secret)
        .as_bytes()
        .ct_eq(stored_digest.as_bytes())
        .into()
}

/// A password for a new account: 20 characters from the alphanumeric set (~119 bits).
pub fn new_password() -> String {
    OsRng
        .sample_iter(&rand::distributions::Alphanumeric)
        .take(20)
        .map(char::from)
        .collect()
}

/// An argon2id PHC string for `password`, with a random salt and the crate's default cost.
///
/// Deliberately slow: call it from a blocking thread.
pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// Whether `password` matches the PHC string `hash`. A malformed hash never matches.
///
/// Deliberately slow: call it from a blocking thread.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A well-formed argon2id hash no password produces in practice (its salt and digest are fixed
/// bytes): verified against when an email is unknown, to spend the same time as a real check.
pub const UNUSABLE_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/// The CSRF token that goes with a session: derived from the session secret, so it need not be
/// stored in clear and can be handed out again after a page reload; a page on another origin
/// can read neither the cookie nor this.
pub fn csrf_token(session_token: &str) -> String {
    let digest = Sha256::digest(format!("answerdesk-csrf:{session_token}").as_bytes());
    URL_SAFE_NO_PAD.encode(&digest[..16])
}

/// Whether two secrets are equal, compared in constant time.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_ids_have_the_documented_shape() {
        let id = new_ticket_id();
        assert_eq!(id.len(), 10);
        assert!(id.starts_with("T-"));
        assert!(id[2..].bytes().all(|b| PUBLIC_ID_ALPHABET.contains(&b)));
    }

    #[test]
    fn tokens_are_128_bits_and_checked_by_digest() {
        let token = new_token();
        assert_eq!(URL_SAFE_NO_PAD.decode(&token).unwrap().len(), 16);
        let stored = digest(&token);
        assert!(matches_digest(&token, &stored));
        assert!(!matches_digest(&new_token(), &stored));
    }

    #[test]
    fn passwords_hash_with_argon2id() {
        let password = new_password();
        let hash = hash_password(&password).unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(&password, &hash));
        assert!(!verify_password("wrong", &hash));
        assert!(!verify_password(&password, "not a hash"));
        assert!(PasswordHash::new(UNUSABLE_HASH).is_ok());
        assert!(!verify_password(&password, UNUSABLE_HASH));
    }
}
