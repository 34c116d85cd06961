//! Applications: drafts, self-check answers and approval, which creates the approved service.

use crate::audit::{Event, append};
use crate::{ApplicationRow, Result, ServiceRow, Store, StoreError, Who, ms, to_json};
use gaibu_domain::application::{ApplicationFields, Approval, State};
use gaibu_domain::classification::Track;
use gaibu_domain::sheet::Answers;
use sqlx::AnyConnection;

pub(crate) const COLUMNS: &str = "id, applicant_id, org_unit_id, state, track, service_name, \
    provider, confidentiality, fields, answers, classification_policy_id, sheet_policy_id, \
    approved_by, approved_at, approval_snapshot, snapshot_sha256, created_at, updated_at, version, \
    evaluation, procurement, round, submitted_at, decision_reason, reuse";

/// What an application says and the policy versions it was judged under.
pub struct ApplicationContent<'a> {
    pub fields: &'a ApplicationFields,
    pub track: Track,
    pub classification_policy_id: i64,
    pub sheet_policy_id: Option<i64>,
}

pub(crate) async fn fetch(conn: &mut AnyConnection, id: i64) -> Result<ApplicationRow> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM applications WHERE id = $1"))
            .bind(id)
            .fetch_one(conn)
            .await?,
    )
}

/// Records the approved service with its External Service Administrator (S3.4c, S5.2.2-2).
pub(crate) async fn insert_service(
    conn: &mut AnyConnection,
    app: &ApplicationRow,
    approval: &Approval,
    now: jiff::Timestamp,
) -> Result<ServiceRow> {
    Ok(sqlx::query_as(&format!(
        "INSERT INTO services (application_id, name, provider, org_unit_id, track, \
         confidentiality, administrator_id, approved_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING {}",
        crate::services::COLUMNS
    ))
    .bind(app.id)
    .bind(&app.service_name)
    .bind(&app.provider)
    .bind(app.org_unit_id)
    .bind(&app.track)
    .bind(&app.confidentiality)
    .bind(approval.administrator)
    .bind(ms(approval.approved_at))
    .bind(ms(now))
    .fetch_one(conn)
    .await?)
}

/// A versioned update touched no row: the record is gone or someone saved first.
pub(crate) fn stale_or_missing(n: u64) -> Result<()> {
    if n == 0 {
        Err(StoreError::Stale)
    } else {
        Ok(())
    }
}

impl Store {
    pub async fn create_application(
        &self,
        who: &Who,
        applicant_id: i64,
        new: &ApplicationContent<'_>,
        now: jiff::Timestamp,
    ) -> Result<ApplicationRow> {
        let f = new.fields;
        let mut tx = self.pool.begin().await?;
        let row: ApplicationRow = sqlx::query_as(&format!(
            "INSERT INTO applications (applicant_id, org_unit_id, state, track, service_name, \
             provider, confidentiality, fields, answers, classification_policy_id, \
             sheet_policy_id, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '{{}}', $9, $10, $11, $11) RETURNING {COLUMNS}"
        ))
        .bind(applicant_id)
        .bind(f.org_unit)
        .bind(State::Draft.as_str())
        .bind(new.track.as_str())
        .bind(&f.service_name)
        .bind(&f.provider)
        .bind(&f.classification.confidentiality)
        .bind(to_json(f))
        .bind(new.classification_policy_id)
        .bind(new.sheet_policy_id)
        .bind(ms(now))
        .fetch_one(&mut *tx)
        .await?;
        append(
            &mut tx,
            who,
            ms(now),
            Event {
                action: "application.created",
                entity: "application",
                entity_id: Some(row.id),
                service_id: None,
                before: None,
                after: Some(to_json(&row)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    pub async fn application(&self, id: i64) -> Result<Option<ApplicationRow>> {
        Ok(
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM applications WHERE id = $1"))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn applications(&self) -> Result<Vec<ApplicationRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM applications ORDER BY id DESC"
        ))
        .fetch_all(&self.pool)
        .await?)
    }

    /// Saves edited fields of a draft; `before` is the version the editor saw.
    pub async fn update_application(
        &self,
        who: &Who,
        before: &ApplicationRow,
        c: &ApplicationContent<'_>,
        now: jiff::Timestamp,
    ) -> Result<ApplicationRow> {
        let fields = c.fields;
        let mut tx = self.pool.begin().await?;
        let n = sqlx::query(
            "UPDATE applications SET org_unit_id = $1, track = $2, service_name = $3, \
             provider = $4, confidentiality = $5, fields = $6, classification_policy_id = $7, \
             sheet_policy_id = $8, updated_at = $9, version = version + 1 \
             WHERE id = $10 AND version = $11 AND state IN ('draft', 'returned')",
        )
        .bind(fields.org_unit)
        .bind(c.track.as_str())
        .bind(&fields.service_name)
        .bind(&fields.provider)
        .bind(&fields.classification.confidentiality)
        .bind(to_json(fields))
        .bind(c.classification_policy_id)
        .bind(c.sheet_policy_id)
        .bind(ms(now))
        .bind(before.id)
        .bind(before.version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        stale_or_missing(n)?;
        let after = fetch(&mut tx, before.id).await?;
        append(
            &mut tx,
            who,
            ms(now),
            Event {
                action: "application.updated",
                entity: "application",
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

    /// Saves the self-check answers (S5.2.2-1) against the sheet version in force.
    pub async fn save_answers(
        &self,
        who: &Who,
        before: &ApplicationRow,
        answers: &Answers,
        sheet_policy_id: i64,
        reuse: &str,
        now: jiff::Timestamp,
    ) -> Result<ApplicationRow> {
        let mut tx = self.pool.begin().await?;
        let n = sqlx::query(
            "UPDATE applications SET answers = $1, sheet_policy_id = $2, updated_at = $3, \
             reuse = $6, version = version + 1 \
             WHERE id = $4 AND version = $5 AND state IN ('draft', 'returned')",
        )
        .bind(to_json(answers))
        .bind(sheet_policy_id)
        .bind(ms(now))
        .bind(before.id)
        .bind(before.version)
        .bind(reuse)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        stale_or_missing(n)?;
        let after = fetch(&mut tx, before.id).await?;
        append(
            &mut tx,
            who,
            ms(now),
            Event {
                action: "application.self_checked",
                entity: "application",
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

    /// Approves an application and, in the same transaction, records the approved service with
    /// its External Service Administrator (S5.2.2-2). `snapshot` is exactly what was approved.
    pub async fn approve_application(
        &self,
        who: &Who,
        before: &ApplicationRow,
        approval: &Approval,
        snapshot: &str,
        now: jiff::Timestamp,
    ) -> Result<(ApplicationRow, ServiceRow)> {
        use sha2::{Digest, Sha256};
        let sha = hex::encode(Sha256::digest(snapshot.as_bytes()));
        let approved_ms = ms(approval.approved_at);
        let mut tx = self.pool.begin().await?;
        let n = sqlx::query(
            "UPDATE applications SET state = 'approved', approved_by = $1, approved_at = $2, \
             approval_snapshot = $3, snapshot_sha256 = $4, updated_at = $5, \
             version = version + 1 WHERE id = $6 AND version = $7 AND state = 'draft'",
        )
        .bind(approval.approver)
        .bind(approved_ms)
        .bind(snapshot)
        .bind(&sha)
        .bind(ms(now))
        .bind(before.id)
        .bind(before.version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        stale_or_missing(n)?;
        let service = insert_service(&mut tx, before, approval, now).await?;
        let after = fetch(&mut tx, before.id).await?;
        append(
            &mut tx,
            who,
            ms(now),
            Event {
                action: "application.approved",
                entity: "application",
                entity_id: Some(before.id),
                service_id: Some(service.id),
                before: Some(to_json(before)),
                after: Some(to_json(&after)),
            },
        )
        .await?;
        append(
            &mut tx,
            who,
            ms(now),
            Event {
                action: "service.approved",
                entity: "service",
                entity_id: Some(service.id),
                service_id: Some(service.id),
                before: None,
                after: Some(to_json(&service)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok((after, service))
    }
}

/// What a reuse copies from an approved application into a new draft.
pub struct Reused<'a> {
    pub answers: &'a Answers,
    pub evaluation: &'a str,
    pub procurement: &'a str,
    pub reuse: &'a str,
    pub source_application_id: i64,
}

impl Store {
    /// A new draft that starts from an approved evaluation: answers, evaluation, procurement
    /// record and evidence copied, each to be re-confirmed; one transaction.
    pub async fn create_reused_application(
        &self,
        who: &Who,
        applicant_id: i64,
        new: &ApplicationContent<'_>,
        r: &Reused<'_>,
        now: jiff::Timestamp,
    ) -> Result<ApplicationRow> {
        let f = new.fields;
        let mut tx = self.pool.begin().await?;
        let row: ApplicationRow = sqlx::query_as(&format!(
            "INSERT INTO applications (applicant_id, org_unit_id, state, track, service_name, \
             provider, confidentiality, fields, answers, classification_policy_id, \
             sheet_policy_id, created_at, updated_at, evaluation, procurement, reuse) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $14, $15) RETURNING {COLUMNS}"
        ))
        .bind(applicant_id)
        .bind(f.org_unit)
        .bind(State::Draft.as_str())
        .bind(new.track.as_str())
        .bind(&f.service_name)
        .bind(&f.provider)
        .bind(&f.classification.confidentiality)
        .bind(to_json(f))
        .bind(to_json(r.answers))
        .bind(new.classification_policy_id)
        .bind(new.sheet_policy_id)
        .bind(ms(now))
        .bind(r.evaluation)
        .bind(r.procurement)
        .bind(r.reuse)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO evidence (application_id, item_key, filename, content_type, size_bytes, \
             sha256, expires_on, note, uploaded_by, uploaded_at) \
             SELECT $1, item_key, filename, content_type, size_bytes, sha256, expires_on, note, $2, $3 \
             FROM evidence WHERE application_id = $4 AND removed_at IS NULL",
        )
        .bind(row.id)
        .bind(who.user_id)
        .bind(ms(now))
        .bind(r.source_application_id)
        .execute(&mut *tx)
        .await?;
        let copied: Vec<crate::EvidenceRow> = sqlx::query_as(
            "SELECT id, application_id, item_key, filename, content_type, size_bytes, sha256, \
             expires_on, note, uploaded_by, uploaded_at, removed_at FROM evidence WHERE application_id = $1",
        )
        .bind(row.id)
        .fetch_all(&mut *tx)
        .await?;
        append(
            &mut tx,
            who,
            ms(now),
            Event {
                action: "application.reused",
                entity: "application",
                entity_id: Some(row.id),
                service_id: None,
                before: None,
                after: Some(
                    serde_json::json!({ "application": row, "evidence_copied": copied })
                        .to_string(),
                ),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }
}
