//! Evidence files' records (S3.2c); the bytes are kept by the shell's evidence storage.

use crate::audit::{Event, append};
use crate::{EvidenceRow, Result, Store, StoreError, Who, ms, to_json};

const COLUMNS: &str = "id, application_id, item_key, filename, content_type, size_bytes, sha256, \
    expires_on, note, uploaded_by, uploaded_at, removed_at";

/// A stored file as recorded: what was uploaded, its hash and what the uploader said of it.
pub struct StoredFile<'a> {
    pub filename: &'a str,
    pub content_type: &'a str,
    pub size_bytes: i64,
    pub sha256: &'a str,
    pub expires_on: Option<String>,
    pub note: &'a str,
}

impl Store {
    /// Records an uploaded file; the application must still be changeable at that moment.
    pub async fn add_evidence(
        &self,
        who: &Who,
        application_id: i64,
        item_key: &str,
        e: &StoredFile<'_>,
        now: jiff::Timestamp,
    ) -> Result<EvidenceRow> {
        let mut tx = self.pool.begin().await?;
        // Touch the application first: it takes the write lock and proves it is still editable.
        let n = sqlx::query(
            "UPDATE applications SET updated_at = $1, version = version + 1 \
             WHERE id = $2 AND state IN ('draft', 'returned')",
        )
        .bind(ms(now))
        .bind(application_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Stale);
        }
        let row: EvidenceRow = sqlx::query_as(&format!(
            "INSERT INTO evidence (application_id, item_key, filename, content_type, size_bytes, sha256, \
             expires_on, note, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             RETURNING {COLUMNS}"
        ))
        .bind(application_id)
        .bind(item_key)
        .bind(e.filename)
        .bind(e.content_type)
        .bind(e.size_bytes)
        .bind(e.sha256)
        .bind(&e.expires_on)
        .bind(e.note)
        .bind(who.user_id)
        .bind(ms(now))
        .fetch_one(&mut *tx)
        .await?;
        append(
            &mut tx,
            who,
            ms(now),
            Event {
                action: "evidence.added",
                entity: "application",
                entity_id: Some(application_id),
                service_id: None,
                before: None,
                after: Some(to_json(&row)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    pub async fn evidence_of(&self, application_id: i64) -> Result<Vec<EvidenceRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM evidence WHERE application_id = $1 AND removed_at IS NULL ORDER BY id"
        ))
        .bind(application_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn evidence(&self, id: i64) -> Result<Option<EvidenceRow>> {
        Ok(
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM evidence WHERE id = $1"))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Marks a file removed (while the application is changeable); the record stays.
    pub async fn remove_evidence(
        &self,
        who: &Who,
        before: &EvidenceRow,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        // The application first: its version moves, so a submission read before this change
        // cannot go through with a stale list of evidence.
        let n = sqlx::query(
            "UPDATE applications SET updated_at = $1, version = version + 1 \
             WHERE id = $2 AND state IN ('draft', 'returned')",
        )
        .bind(ms(now))
        .bind(before.application_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Stale);
        }
        let n = sqlx::query(
            "UPDATE evidence SET removed_at = $1 WHERE id = $2 AND removed_at IS NULL \
             AND application_id IN (SELECT id FROM applications WHERE state IN ('draft', 'returned'))",
        )
        .bind(ms(now))
        .bind(before.id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Stale);
        }
        append(
            &mut tx,
            who,
            ms(now),
            Event {
                action: "evidence.removed",
                entity: "application",
                entity_id: Some(before.application_id),
                service_id: None,
                before: Some(to_json(before)),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
