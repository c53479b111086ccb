//! Contacts: the people behind tickets, verified by their host site or not.
//!
//! A verified contact is keyed by `(site, external id)`, so every escalation signed for the same
//! user lands on the same contact. Unverified claims (a name and email typed into the widget)
//! always get a contact of their own: merging them by email would let anyone who types a
//! customer's address read or pollute that customer's history.

use protocol::{Contact, ContactDetail, ContactTicket};
use sqlx::{Any, Row, Transaction};

use super::sql::{contains_pattern, Sql};
use super::{now_ms, Store, StoreError, WriteTx};
use crate::identity::VerifiedIdentity;

/// An agent's change to a contact; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ContactChange {
    /// Replaces the tags.
    pub tags: Option<Vec<String>>,
    /// Merged into the attributes; a `null` value removes that attribute.
    pub attributes: Option<serde_json::Map<String, serde_json::Value>>,
}

const CONTACT_COLUMNS: &str = "c.id, c.site_id, c.external_id, c.name, c.email, c.verified, \
     c.attributes, c.created_at";

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

impl Store {
    /// The contact of ticket `public_id`, if it has one.
    pub async fn ticket_contact(&self, public_id: &str) -> Result<Option<Contact>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {CONTACT_COLUMNS} FROM tickets t JOIN contacts c ON c.id = t.contact_id \
             WHERE t.public_id = $1"
        ))
        .bind(public_id)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(row) => Ok(Some(self.contact_from_row(&row).await?)),
            None => Ok(None),
        }
    }

    /// Contacts whose name, email or external id contains `query` (every contact when empty),
    /// most recently updated first, at most `limit` (capped at 200).
    pub async fn search_contacts(
        &self,
        query: &str,
        limit: u32,
    ) -> Result<Vec<Contact>, StoreError> {
        let mut sql = Sql::new(&format!(
            "SELECT {CONTACT_COLUMNS} FROM contacts c WHERE 1 = 1"
        ));
        let query = query.trim();
        if !query.is_empty() {
            let pattern = contains_pattern(&query.to_lowercase());
            sql.push(" AND (LOWER(COALESCE(c.name, '')) LIKE ")
                .bind_text(pattern.clone())
                .push(" ESCAPE '\\' OR LOWER(COALESCE(c.email, '')) LIKE ")
                .bind_text(pattern.clone())
                .push(" ESCAPE '\\' OR LOWER(COALESCE(c.external_id, '')) LIKE ")
                .bind_text(pattern)
                .push(" ESCAPE '\\')");
        }
        sql.push(" ORDER BY c.updated_at DESC, c.id DESC LIMIT ")
            .bind_int(i64::from(limit.clamp(1, 200)));
        let rows = sql.fetch_all(&self.pool).await?;
        let mut contacts = Vec::with_capacity(rows.len());
        for row in &rows {
            contacts.push(self.contact_from_row(row).await?);
        }
        Ok(contacts)
    }

    /// Contact `id` with their tickets, newest first.
    pub async fn contact(&self, id: i64) -> Result<ContactDetail, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {CONTACT_COLUMNS} FROM contacts c WHERE c.id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound("contact"))?;
        let contact = self.contact_from_row(&row).await?;
        let tickets = sqlx::query(
            "SELECT public_id, subject, status, group_id, created_at FROM tickets \
             WHERE contact_id = $1 \
             ORDER BY created_at DESC, id DESC LIMIT 200",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(ContactTicket {
                id: row.try_get("public_id")?,
                subject: row.try_get("subject")?,
                status: row.try_get::<String, _>("status")?.parse()?,
                group: row.try_get("group_id")?,
                created_at: row.try_get("created_at")?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
        Ok(ContactDetail { contact, tickets })
    }

    /// Applies an agent's change to contact `id`.
    ///
    /// A verified contact's attributes are the host's: its next signed identity replaces them.
    pub async fn change_contact(
        &self,
        id: i64,
        change: &ContactChange,
    ) -> Result<ContactDetail, StoreError> {
        let current = self.contact(id).await?.contact;
        let tags = change
            .tags
            .as_ref()
            .map(|t| normalize_tags(t))
            .transpose()?;
        let attributes = change.attributes.as_ref().map(|patch| {
            let mut merged = current.attributes.clone();
            for (key, value) in patch {
                if value.is_null() {
                    merged.remove(key);
                } else {
                    merged.insert(key.clone(), value.clone());
                }
            }
            merged
        });
        if let Some(attributes) = &attributes {
            let text = serde_json::Value::Object(attributes.clone()).to_string();
            if attributes.len() > 100 || text.len() > 16 * 1024 {
                return Err(StoreError::Invalid(
                    "attributes are limited to 100 keys and 16 KiB".into(),
                ));
            }
        }
        let WriteTx {
            mut tx,
            turn: _turn,
        } = self.begin_write().await?;
        sqlx::query(
            "UPDATE contacts SET attributes = COALESCE($1, attributes), updated_at = $2 \
             WHERE id = $3",
        )
        .bind(attributes.map(|a| serde_json::Value::Object(a).to_string()))
        .bind(now_ms())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if let Some(tags) = &tags {
            sqlx::query("DELETE FROM contact_tags WHERE contact_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            for tag in tags {
                sqlx::query("INSERT INTO contact_tags (contact_id, tag) VALUES ($1, $2)")
                    .bind(id)
                    .bind(tag.as_str())
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        self.contact(id).await
    }

    async fn contact_from_row(&self, row: &sqlx::any::AnyRow) -> Result<Contact, StoreError> {
        let id: i64 = row.try_get("id")?;
        let attributes: String = row.try_get("attributes")?;
        let attributes = serde_json::from_str(&attributes)
            .map_err(|e| StoreError::Corrupt(format!("contact {id}: attributes: {e}")))?;
        let tags = sqlx::query("SELECT tag FROM contact_tags WHERE contact_id = $1 ORDER BY tag")
            .bind(id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.try_get("tag"))
            .collect::<Result<_, _>>()?;
        Ok(Contact {
            id,
            site: row.try_get("site_id")?,
            external_id: row.try_get("external_id")?,
            name: row.try_get("name")?,
            email: row.try_get("email")?,
            verified: row.try_get::<i64, _>("verified")? != 0,
            attributes,
            tags,
            created_at: row.try_get("created_at")?,
        })
    }
}

/// Tags trimmed, lower-cased, deduplicated and sorted; at most 32 of at most 64 characters.
pub(super) fn normalize_tags(tags: &[String]) -> Result<Vec<String>, StoreError> {
    let mut tags: Vec<String> = tags
        .iter()
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
        .collect();
    tags.sort();
    tags.dedup();
    if tags.iter().any(|t| t.chars().count() > 64) || tags.len() > 32 {
        return Err(StoreError::Invalid(
            "at most 32 tags of at most 64 characters".into(),
        ));
    }
    Ok(tags)
}
