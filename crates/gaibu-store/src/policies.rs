//! Policy versions (S1.3): loaded as pending, put into force by the CISO's approval.

use crate::audit::{Event, append};
use crate::codec::reads;
use crate::{PolicyRow, Result, Store, StoreError, Who, to_json};
use gaibu_domain::audit::{Action, Entity};
use gaibu_domain::policy::{PolicyDocument, PolicyStatus};
use sha2::{Digest, Sha256};

impl Store {
    /// Stores a parsed policy document as a pending version, unless the same text is already
    /// stored for its kind. Returns the row and whether it is new.
    pub async fn load_policy(
        &self,
        who: &Who,
        doc: &PolicyDocument,
        text: &str,
        now: jiff::Timestamp,
    ) -> Result<(PolicyRow, bool)> {
        let sha = hex::encode(Sha256::digest(text.as_bytes()));
        let kind = doc.kind_key();
        let existing: Option<PolicyRow> =
            sqlx::query_as("SELECT * FROM policy_versions WHERE kind = $1 AND content_sha256 = $2")
                .bind(&kind)
                .bind(&sha)
                .fetch_optional(&self.pool)
                .await?;
        if let Some(row) = existing {
            return Ok((row, false));
        }
        let h = doc.header();
        let mut tx = self.write_tx().await?;
        // It appends to the chain outside `Write`: the head the turn kept is no longer it.
        tx.take_head();
        let inserted: Result<PolicyRow, sqlx::Error> = sqlx::query_as(
            "INSERT INTO policy_versions (kind, version, title_ja, title_en, content, \
             content_sha256, status, loaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             RETURNING *",
        )
        .bind(&kind)
        .bind(&h.version)
        .bind(&h.title_ja)
        .bind(&h.title_en)
        .bind(text)
        .bind(&sha)
        .bind(PolicyStatus::Pending.as_str())
        .bind(now.as_millisecond())
        .fetch_one(&mut *tx)
        .await;
        let row = match inserted.map_err(crate::map_unique) {
            Ok(row) => row,
            // Another instance loaded the same text at the same moment.
            Err(StoreError::Duplicate(_)) => {
                drop(tx);
                let row = sqlx::query_as(
                    "SELECT * FROM policy_versions WHERE kind = $1 AND content_sha256 = $2",
                )
                .bind(&kind)
                .bind(&sha)
                .fetch_one(&self.pool)
                .await?;
                return Ok((row, false));
            }
            Err(e) => return Err(e),
        };
        append(
            &mut tx,
            who,
            now.as_millisecond(),
            Event {
                action: Action::PolicyLoaded.as_str(),
                entity: Entity::Policy.as_str(),
                entity_id: Some(row.id),
                service_id: None,
                before: None,
                after: Some(to_json(&row)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok((row, true))
    }

    /// Puts a pending version into force and supersedes the one before it, in one transaction,
    /// each change with its audit event.
    pub async fn approve_policy(
        &self,
        who: &Who,
        before: &PolicyRow,
        now: jiff::Timestamp,
    ) -> Result<PolicyRow> {
        let mut tx = self.write_tx().await?;
        // It appends to the chain outside `Write`: the head the turn kept is no longer it.
        tx.take_head();
        // Take the audit head's lock first: approvals of one kind then run one after another
        // on PostgreSQL too, so two versions can never both end up in force.
        sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1")
            .execute(&mut *tx)
            .await?;
        let n = sqlx::query(
            "UPDATE policy_versions SET status = 'approved', approved_by = $1, approved_at = $2 \
             WHERE id = $3 AND status = 'pending'",
        )
        .bind(who.user_id)
        .bind(now.as_millisecond())
        .bind(before.id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Stale);
        }
        let superseded: Vec<PolicyRow> = sqlx::query_as(
            "SELECT * FROM policy_versions WHERE kind = $1 AND status = 'approved' AND id <> $2",
        )
        .bind(&before.kind)
        .bind(before.id)
        .fetch_all(&mut *tx)
        .await?;
        for old in &superseded {
            sqlx::query("UPDATE policy_versions SET status = 'superseded' WHERE id = $1")
                .bind(old.id)
                .execute(&mut *tx)
                .await?;
            let mut after = old.clone();
            after.status = PolicyStatus::Superseded;
            append(
                &mut tx,
                who,
                now.as_millisecond(),
                Event {
                    action: Action::PolicySuperseded.as_str(),
                    entity: Entity::Policy.as_str(),
                    entity_id: Some(old.id),
                    service_id: None,
                    before: Some(to_json(old)),
                    after: Some(to_json(&after)),
                },
            )
            .await?;
        }
        let after: PolicyRow = sqlx::query_as("SELECT * FROM policy_versions WHERE id = $1")
            .bind(before.id)
            .fetch_one(&mut *tx)
            .await?;
        append(
            &mut tx,
            who,
            now.as_millisecond(),
            Event {
                action: Action::PolicyApproved.as_str(),
                entity: Entity::Policy.as_str(),
                entity_id: Some(before.id),
                service_id: None,
                before: Some(to_json(before)),
                after: Some(to_json(&after)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}

impl Store {
    /// The id of the version in force for a kind (the newest approved one), without its text:
    /// the cheap read made every time, the parsed text being cached by id.
    pub async fn effective_policy_id(&self, kind: &str) -> Result<Option<i64>> {
        let row = sqlx::query(
            "SELECT id FROM policy_versions WHERE kind = $1 AND status = 'approved' \
             ORDER BY approved_at DESC, id DESC LIMIT 1",
        )
        .bind(kind)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| sqlx::Row::try_get(&r, "id")).transpose()?)
    }
}

reads! {
    policies() -> list PolicyRow = "SELECT * FROM policy_versions ORDER BY kind, loaded_at DESC, id DESC";
    policy(id: i64) -> one PolicyRow = "SELECT * FROM policy_versions WHERE id = $1";
    /// The version in force for a kind: the newest approved one.
    effective_policy(kind: &str) -> one PolicyRow = "SELECT * FROM policy_versions WHERE kind = $1 AND status = 'approved' ORDER BY approved_at DESC, id DESC LIMIT 1";
}
