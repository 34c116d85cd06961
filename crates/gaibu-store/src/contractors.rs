//! Contractors (S5.3) and the sheets they submit.

use crate::applications::EDITABLE;
use crate::codec::to_json;
use crate::write::{Audit, Expect, Table, Val};
use crate::{
    ContractorRow, Result, Store, StoredFile, SubmissionEvidenceRow, SubmissionRow, Who, map_unique,
};
use gaibu_domain::audit::{Action, Entity};
use gaibu_domain::classification::Track;
use gaibu_domain::contractor::SubmissionState;
use gaibu_domain::sheet::Answers;

pub struct NewSubmission<'a> {
    pub contractor_id: i64,
    pub service_name: &'a str,
    pub provider: &'a str,
    pub confidentiality: &'a str,
    pub track: Track,
    pub classification_policy_id: i64,
    pub sheet_policy_id: i64,
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
        let mut w = self.begin(who, now).await?;
        let row: ContractorRow = sqlx::query_as(
            "INSERT INTO contractors (name, kind, work, org_unit_id, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING *",
        )
        .bind(name)
        .bind(kind)
        .bind(work)
        .bind(org_unit_id)
        .bind(who.user_id)
        .bind(now.as_millisecond())
        .fetch_one(w.conn())
        .await
        .map_err(map_unique)?;
        w.audit(Audit::created(
            Action::ContractorRegistered,
            Entity::Contractor,
            row.id,
            None,
            &row,
        ))
        .await?;
        w.commit().await?;
        Ok(row)
    }

    pub async fn contractors(&self) -> Result<Vec<ContractorRow>> {
        Ok(sqlx::query_as("SELECT * FROM contractors ORDER BY id")
            .fetch_all(&self.pool)
            .await?)
    }

    pub async fn contractor(&self, id: i64) -> Result<Option<ContractorRow>> {
        Ok(sqlx::query_as("SELECT * FROM contractors WHERE id = $1")
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
        let mut w = self.begin(who, now).await?;
        let row: SubmissionRow = sqlx::query_as(
            "INSERT INTO contractor_submissions (contractor_id, service_name, provider, confidentiality, \
             track, classification_policy_id, sheet_policy_id, state, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'draft', $8, $9, $9) RETURNING *",
        )
        .bind(s.contractor_id)
        .bind(s.service_name)
        .bind(s.provider)
        .bind(s.confidentiality)
        .bind(s.track.as_str())
        .bind(s.classification_policy_id)
        .bind(s.sheet_policy_id)
        .bind(who.user_id)
        .bind(now.as_millisecond())
        .fetch_one(w.conn())
        .await?;
        w.audit(Audit::created(
            Action::SubmissionCreated,
            Entity::Submission,
            row.id,
            None,
            &row,
        ))
        .await?;
        w.commit().await?;
        Ok(row)
    }

    pub async fn submission(&self, id: i64) -> Result<Option<SubmissionRow>> {
        Ok(
            sqlx::query_as("SELECT * FROM contractor_submissions WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn submissions(&self) -> Result<Vec<SubmissionRow>> {
        Ok(
            sqlx::query_as("SELECT * FROM contractor_submissions ORDER BY id DESC")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    async fn change_submission(
        &self,
        who: &Who,
        before: &SubmissionRow,
        states: &[&str],
        set: Vec<(&'static str, Val)>,
        action: Action,
        now: jiff::Timestamp,
    ) -> Result<SubmissionRow> {
        let mut w = self.begin(who, now).await?;
        let e = Expect::at(before.id, before.version, states);
        let after = w
            .change(Table::Submissions, e, set, before, action, None)
            .await?;
        w.commit().await?;
        Ok(after)
    }

    pub async fn save_submission_answers(
        &self,
        who: &Who,
        before: &SubmissionRow,
        answers: &Answers,
        now: jiff::Timestamp,
    ) -> Result<SubmissionRow> {
        let set = vec![("answers", to_json(answers).into())];
        let action = Action::SubmissionAnswersSaved;
        self.change_submission(who, before, EDITABLE, set, action, now)
            .await
    }

    pub async fn submit_submission(
        &self,
        who: &Who,
        before: &SubmissionRow,
        now: jiff::Timestamp,
    ) -> Result<SubmissionRow> {
        let set = vec![
            ("state", SubmissionState::Submitted.as_str().into()),
            ("submitted_at", now.into()),
        ];
        let action = Action::SubmissionSubmitted;
        self.change_submission(who, before, EDITABLE, set, action, now)
            .await
    }

    /// S5.3: verified, or returned with the reasons.
    pub async fn verify_submission(
        &self,
        who: &Who,
        before: &SubmissionRow,
        state: SubmissionState,
        note: &str,
        now: jiff::Timestamp,
    ) -> Result<SubmissionRow> {
        let set = vec![
            ("state", state.as_str().into()),
            ("note", note.into()),
            ("verified_by", who.user_id.into()),
            ("verified_at", now.into()),
        ];
        let action = Action::SubmissionVerified;
        self.change_submission(who, before, &["submitted"], set, action, now)
            .await
    }

    /// Records a contractor's evidence file while the submission can still change.
    pub async fn add_submission_evidence(
        &self,
        who: &Who,
        submission_id: i64,
        e: &StoredFile<'_>,
        now: jiff::Timestamp,
    ) -> Result<SubmissionEvidenceRow> {
        let mut w = self.begin(who, now).await?;
        let editable = Expect::any_version(submission_id, EDITABLE);
        w.update(Table::Submissions, editable, vec![]).await?;
        let row: SubmissionEvidenceRow = sqlx::query_as(
            "INSERT INTO submission_evidence (submission_id, filename, content_type, size_bytes, sha256, \
             expires_on, note, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             RETURNING *",
        )
        .bind(submission_id)
        .bind(e.filename)
        .bind(e.content_type)
        .bind(e.size_bytes)
        .bind(e.sha256)
        .bind(e.expires_on.map(|d| d.to_string()))
        .bind(e.note)
        .bind(who.user_id)
        .bind(now.as_millisecond())
        .fetch_one(w.conn())
        .await?;
        w.audit(Audit::created(
            Action::SubmissionEvidenceAdded,
            Entity::Submission,
            submission_id,
            None,
            &row,
        ))
        .await?;
        w.commit().await?;
        Ok(row)
    }

    pub async fn submission_evidence_of(
        &self,
        submission_id: i64,
    ) -> Result<Vec<SubmissionEvidenceRow>> {
        Ok(
            sqlx::query_as(
                "SELECT * FROM submission_evidence WHERE submission_id = $1 ORDER BY id",
            )
            .bind(submission_id)
            .fetch_all(&self.pool)
            .await?,
        )
    }

    pub async fn submission_evidence(&self, id: i64) -> Result<Option<SubmissionEvidenceRow>> {
        Ok(
            sqlx::query_as("SELECT * FROM submission_evidence WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }
}
