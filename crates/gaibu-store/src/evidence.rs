//! Evidence files' records (S3.2c); the bytes are kept by the shell's evidence storage.

use crate::applications::EDITABLE;
use crate::codec::reads;
use crate::write::{Audit, Expect, New, Table, Val};
use crate::{EvidenceRow, Result, Store, StoreError, Who};
use gaibu_domain::audit::{Action, Entity};

/// A stored file as recorded: what was uploaded, its hash and what the uploader said of it.
pub struct StoredFile<'a> {
    pub filename: &'a str,
    pub content_type: &'a str,
    pub size_bytes: i64,
    pub sha256: &'a str,
    pub expires_on: Option<jiff::civil::Date>,
    pub note: &'a str,
}

/// The columns every evidence file's record has, whatever it supports.
pub(crate) fn file_columns(
    e: &StoredFile<'_>,
    who: &Who,
    now: jiff::Timestamp,
) -> Vec<(&'static str, Val)> {
    vec![
        ("filename", e.filename.into()),
        ("content_type", e.content_type.into()),
        ("size_bytes", e.size_bytes.into()),
        ("sha256", e.sha256.into()),
        ("expires_on", e.expires_on.map(|d| d.to_string()).into()),
        ("note", e.note.into()),
        ("uploaded_by", who.user_id.into()),
        ("uploaded_at", now.into()),
    ]
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
        let mut w = self.begin(who, now).await?;
        // The application first: it takes the write lock, proves it is still editable, and its
        // version moves, so a submission read before this change cannot go through.
        w.update(
            Table::Applications,
            Expect::any_version(application_id, EDITABLE),
            vec![],
        )
        .await
        .map_err(stale)?;
        let mut cols = file_columns(e, who, now);
        cols.push(("application_id", application_id.into()));
        cols.push(("item_key", item_key.into()));
        let new = New {
            table: "evidence",
            cols,
            action: Action::EvidenceAdded,
            entity: Entity::Application,
            entity_id: Some(application_id),
            service_id: None,
        };
        let row: EvidenceRow = w.create(new).await?;
        w.commit().await?;
        Ok(row)
    }

    /// Marks a file removed (while the application is changeable); the record stays.
    pub async fn remove_evidence(
        &self,
        who: &Who,
        before: &EvidenceRow,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let mut w = self.begin(who, now).await?;
        w.update(
            Table::Applications,
            Expect::any_version(before.application_id, EDITABLE),
            vec![],
        )
        .await
        .map_err(stale)?;
        let n =
            sqlx::query("UPDATE evidence SET removed_at = $1 WHERE id = $2 AND removed_at IS NULL")
                .bind(now.as_millisecond())
                .bind(before.id)
                .execute(w.conn())
                .await?
                .rows_affected();
        if n == 0 {
            return Err(StoreError::Stale);
        }
        w.audit(Audit {
            action: Action::EvidenceRemoved,
            entity: Entity::Application,
            entity_id: Some(before.application_id),
            service_id: None,
            before: Some(crate::codec::to_json(before)),
            after: None,
        })
        .await?;
        w.commit().await
    }
}

/// A file may change only with an application that can: any refusal reads as a lost race.
fn stale(e: StoreError) -> StoreError {
    match e {
        StoreError::WrongState(_) | StoreError::NotFound => StoreError::Stale,
        other => other,
    }
}

reads! {
    evidence_of(application_id: i64) -> list EvidenceRow = "SELECT * FROM evidence WHERE application_id = $1 AND removed_at IS NULL ORDER BY id";
    evidence(id: i64) -> one EvidenceRow = "SELECT * FROM evidence WHERE id = $1";
}
