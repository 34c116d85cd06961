//! Contractors (S5.3) and the sheets they submit.

use crate::applications::stale_or_missing;
use crate::audit::{Event, append};
use crate::{ContractorRow, Result, Store, SubmissionRow, Who, map_unique, ms, to_json};
use sqlx::AnyConnection;

const CONTRACTOR_COLUMNS: &str = "id, name, kind, work, org_unit_id, created_at";
const COLUMNS: &str = "id, contractor_id, service_name, provider, confidentiality, track, \
    classification_policy_id, sheet_policy_id, answers, state, submitted_at, verified_by, \
    verified_at, note, created_by, created_at, updated_at, version";

pub struct NewSubmission<'a> {
    pub contractor_id: i64,
    pub service_name: &'a str,
    pub provider: &'a str,
    pub confidentiality: &'a str,
    pub track: &'a str,
    pub classification_policy_id: i64,
    pub sheet_policy_id: i64,
}

async fn fetch(conn: &mut AnyConnection, id: i64) -> Result<SubmissionRow> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM contractor_submissions WHERE id = $1"
    ))
    .bind(id)
    .fetch_one(conn)
    .await?)
}

impl Store {
    pub async fn create_contractor(
        &self,
        who: &Who,
        name: &str,
        kind: &str,
        work: &str,
        org_unit_id: i64,
        now: jiff::Timestamp,
    ) -> Result<ContractorRow> {
        let mut tx = self.pool.begin().await?;
        let row: ContractorRow = sqlx::query_as(&format!(
            "INSERT INTO contractors (name, kind, work, org_unit_id, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING {CONTRACTOR_COLUMNS}"
        ))
        .bind(name)
        .bind(kind)
        .bind(work)
        .bind(org_unit_id)
        .bind(who.user_id)
        .bind(ms(now))
        .fetch_one(&mut *tx)
        .await
        .map_err(map_unique)?;
        append(
            &mut tx,
            who,
            ms(now),
            Event {
                action: "contractor.registered",
                entity: "contractor",
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

    pub async fn contractors(&self) -> Result<Vec<ContractorRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {CONTRACTOR_COLUMNS} FROM contractors ORDER BY id"
        ))
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn contractor(&self, id: i64) -> Result<Option<ContractorRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {CONTRACTOR_COLUMNS} FROM contractors WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn create_submission(
        &self,
        who: &Who,
        s: &NewSubmission<'_>,
        now: jiff::Timestamp,
    ) -> Result<SubmissionRow> {
        let mut tx = self.pool.begin().await?;
        let row: SubmissionRow = sqlx::query_as(&format!(
            "INSERT INTO contractor_submissions (contractor_id, service_name, provider, confidentiality, \
             track, classification_policy_id, sheet_policy_id, state, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'draft', $8, $9, $9) RETURNING {COLUMNS}"
        ))
        .bind(s.contractor_id)
        .bind(s.service_name)
        .bind(s.provider)
        .bind(s.confidentiality)
        .bind(s.track)
        .bind(s.classification_policy_id)
        .bind(s.sheet_policy_id)
        .bind(who.user_id)
        .bind(ms(now))
        .fetch_one(&mut *tx)
        .await?;
        append(
            &mut tx,
            who,
            ms(now),
            Event {
                action: "submission.created",
                entity: "submission",
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

    pub async fn submission(&self, id: i64) -> Result<Option<SubmissionRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM contractor_submissions WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn submissions(&self) -> Result<Vec<SubmissionRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM contractor_submissions ORDER BY id DESC"
        ))
        .fetch_all(&self.pool)
        .await?)
    }

    /// Finishes a versioned change of a submission: checks it touched the row, reads the row
    /// back and records the change, in the caller's transaction.
    async fn finish_submission_change(
        &self,
        mut tx: sqlx::Transaction<'_, sqlx::Any>,
        rows_affected: u64,
        who: &Who,
        before: &SubmissionRow,
        action: &str,
        now: jiff::Timestamp,
    ) -> Result<SubmissionRow> {
        stale_or_missing(rows_affected)?;
        let after = fetch(&mut tx, before.id).await?;
        append(
            &mut tx,
            who,
            ms(now),
            Event {
                action,
                entity: "submission",
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

    pub async fn save_submission_answers(
        &self,
        who: &Who,
        before: &SubmissionRow,
        answers_json: &str,
        now: jiff::Timestamp,
    ) -> Result<SubmissionRow> {
        let mut tx = self.pool.begin().await?;
        let n = sqlx::query(
            "UPDATE contractor_submissions SET answers = $1, updated_at = $2, version = version + 1 \
             WHERE id = $3 AND version = $4 AND state IN ('draft', 'returned')",
        )
        .bind(answers_json)
        .bind(ms(now))
        .bind(before.id)
        .bind(before.version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        self.finish_submission_change(tx, n, who, before, "submission.answers_saved", now)
            .await
    }

    pub async fn submit_submission(
        &self,
        who: &Who,
        before: &SubmissionRow,
        now: jiff::Timestamp,
    ) -> Result<SubmissionRow> {
        let mut tx = self.pool.begin().await?;
        let n = sqlx::query(
            "UPDATE contractor_submissions SET state = 'submitted', submitted_at = $1, \
             updated_at = $1, version = version + 1 \
             WHERE id = $2 AND version = $3 AND state IN ('draft', 'returned')",
        )
        .bind(ms(now))
        .bind(before.id)
        .bind(before.version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        self.finish_submission_change(tx, n, who, before, "submission.submitted", now)
            .await
    }

    /// S5.3: verified, or returned with the reasons.
    pub async fn verify_submission(
        &self,
        who: &Who,
        before: &SubmissionRow,
        state: &str,
        note: &str,
        now: jiff::Timestamp,
    ) -> Result<SubmissionRow> {
        let mut tx = self.pool.begin().await?;
        let n = sqlx::query(
            "UPDATE contractor_submissions SET state = $1, note = $2, verified_by = $3, \
             verified_at = $4, updated_at = $4, version = version + 1 \
             WHERE id = $5 AND version = $6 AND state = 'submitted'",
        )
        .bind(state)
        .bind(note)
        .bind(who.user_id)
        .bind(ms(now))
        .bind(before.id)
        .bind(before.version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        self.finish_submission_change(tx, n, who, before, "submission.verified", now)
            .await
    }
}

const EVIDENCE_COLUMNS: &str = "id, submission_id, filename, content_type, size_bytes, sha256, \
    expires_on, note, uploaded_by, uploaded_at";

impl Store {
    /// Records a contractor's evidence file while the submission can still change.
    pub async fn add_submission_evidence(
        &self,
        who: &Who,
        submission_id: i64,
        e: &crate::StoredFile<'_>,
        now: jiff::Timestamp,
    ) -> Result<crate::SubmissionEvidenceRow> {
        let mut tx = self.pool.begin().await?;
        let n = sqlx::query(
            "UPDATE contractor_submissions SET updated_at = $1, version = version + 1 \
             WHERE id = $2 AND state IN ('draft', 'returned')",
        )
        .bind(ms(now))
        .bind(submission_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        stale_or_missing(n)?;
        let row: crate::SubmissionEvidenceRow = sqlx::query_as(&format!(
            "INSERT INTO submission_evidence (submission_id, filename, content_type, size_bytes, sha256, \
             expires_on, note, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             RETURNING {EVIDENCE_COLUMNS}"
        ))
        .bind(submission_id)
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
                action: "submission.evidence_added",
                entity: "submission",
                entity_id: Some(submission_id),
                service_id: None,
                before: None,
                after: Some(to_json(&row)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    pub async fn submission_evidence_of(
        &self,
        submission_id: i64,
    ) -> Result<Vec<crate::SubmissionEvidenceRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {EVIDENCE_COLUMNS} FROM submission_evidence WHERE submission_id = $1 ORDER BY id"
        ))
        .bind(submission_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn submission_evidence(
        &self,
        id: i64,
    ) -> Result<Option<crate::SubmissionEvidenceRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {EVIDENCE_COLUMNS} FROM submission_evidence WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }
}
