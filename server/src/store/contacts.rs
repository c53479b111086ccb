//! Contacts: the people behind tickets, verified by their host site or not.
//!
//! A verified contact is keyed by `(site, external id)`, so every escalation signed for the same
//! user lands on the same contact. Unverified claims (a name and email typed into the widget)
//! always get a contact of their own: merging them by email would let anyone who types a
//! customer's address read or pollute that customer's history.

use serde::Serialize;
use sqlx::{Any, Row, Transaction};

use super::{Store, StoreError};
use crate::identity::VerifiedIdentity;

/// A contact as agents see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contact {
    pub id: i64,
    /// The host's user id; only verified contacts have one.
    pub external_id: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub verified: bool,
    pub attributes: serde_json::Map<String, serde_json::Value>,
}

/// The verified contact for `identity`, created or refreshed from the host's latest claims.
/// The host is the source of truth: its name, email and attributes replace the stored ones,
/// except that a claim without a name or email keeps the one known.
pub(super) async fn upsert_verified(
    tx: &mut Transaction<'_, Any>,
    site_id: &str,
    identity: &VerifiedIdentity,
    now: i64,
) -> Result<i64, StoreError> {
    let attributes = serde_json::Value::Object(identity.attributes.clone()).to_string();
    let row = sqlx::query(
        "INSERT INTO contacts (site_id, external_id, name, email, verified, attributes, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, 1, $5, $6, $6) \
         ON CONFLICT (site_id, external_id) DO UPDATE SET \
         name = COALESCE(excluded.name, contacts.name), \
         email = COALESCE(excluded.email, contacts.email), \
         attributes = excluded.attributes, verified = 1, updated_at = excluded.updated_at \
         RETURNING id",
    )
    .bind(site_id)
    .bind(&identity.external_id)
    .bind(identity.name.as_deref())
    .bind(identity.email.as_deref())
    .bind(attributes)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_get("id")?)
}

/// A new unverified contact, never merged with another.
pub(super) async fn insert_unverified(
    tx: &mut Transaction<'_, Any>,
    site_id: &str,
    name: Option<&str>,
    email: Option<&str>,
    now: i64,
) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "INSERT INTO contacts (site_id, name, email, verified, created_at, updated_at) \
         VALUES ($1, $2, $3, 0, $4, $4) RETURNING id",
    )
    .bind(site_id)
    .bind(name)
    .bind(email)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_get("id")?)
}

impl Store {
    /// The contact of ticket `public_id`, if it has one.
    pub async fn ticket_contact(&self, public_id: &str) -> Result<Option<Contact>, StoreError> {
        let row = sqlx::query(
            "SELECT c.id, c.external_id, c.name, c.email, c.verified, c.attributes \
             FROM tickets t JOIN contacts c ON c.id = t.contact_id WHERE t.public_id = $1",
        )
        .bind(public_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let id: i64 = row.try_get("id")?;
        let attributes: String = row.try_get("attributes")?;
        let attributes = serde_json::from_str(&attributes)
            .map_err(|e| StoreError::Corrupt(format!("contact {id}: attributes: {e}")))?;
        Ok(Some(Contact {
            id,
            external_id: row.try_get("external_id")?,
            name: row.try_get("name")?,
            email: row.try_get("email")?,
            verified: row.try_get::<i64, _>("verified")? != 0,
            attributes,
        }))
    }
}
