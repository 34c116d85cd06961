//! Contractors (S5.3) and the sheets they submit.

use crate::applications::EDITABLE;
use crate::codec::reads;
use crate::codec::to_json;
use crate::evidence::file_columns;
use crate::write::{Change, Expect, New, Table, Val};
use crate::{ContractorRow, Result, Store, StoredFile, SubmissionEvidenceRow, SubmissionRow, Who};
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
        let cols = vec![
            ("name", name.into()),
            ("kind", kind.into()),
            ("work", work.into()),
            ("org_unit_id", org_unit_id.into()),
            ("created_by", who.user_id.into()),
            ("created_at", now.into()),
        ];
        let new = New {
            table: "contractors",
            cols,
            action: Action::ContractorRegistered,
            entity: Entity::Contractor,
            entity_id: None,
            service_id: None,
        };
        self.create(who, now, new).await
    }

    pub async fn create_submission(
        &self,
        who: &Who,
        s: &NewSubmission<'_>,
        now: jiff::Timestamp,
    ) -> Result<SubmissionRow> {
        let cols = vec![
            ("contractor_id", s.contractor_id.into()),
            ("service_name", s.service_name.into()),
            ("provider", s.provider.into()),
            ("confidentiality", s.confidentiality.into()),
            ("track", s.track.as_str().into()),
            (
                "classification_policy_id",
                s.classification_policy_id.into(),
            ),
            ("sheet_policy_id", s.sheet_policy_id.into()),
            ("state", SubmissionState::Draft.as_str().into()),
            ("created_by", who.user_id.into()),
            ("created_at", now.into()),
            ("updated_at", now.into()),
        ];
        let new = New {
            table: "contractor_submissions",
            cols,
            action: Action::SubmissionCreated,
            entity: Entity::Submission,
            entity_id: None,
            service_id: None,
        };
        self.create(who, now, new).await
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
        let c = Change {
            table: Table::Submissions,
            expect: Expect::at(before.id, before.version, states),
            set,
            before,
            action,
            service_id: None,
        };
        self.change(who, now, c).await
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
        let submitted = [SubmissionState::Submitted.as_str()];
        self.change_submission(who, before, &submitted, set, action, now)
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
        let mut cols = file_columns(e, who, now);
        cols.push(("submission_id", submission_id.into()));
        let new = New {
            table: "submission_evidence",
            cols,
            action: Action::SubmissionEvidenceAdded,
            entity: Entity::Submission,
            entity_id: Some(submission_id),
            service_id: None,
        };
        let row: SubmissionEvidenceRow = w.create(new).await?;
        w.commit().await?;
        Ok(row)
    }

    pub async fn submission_evidence_of(
        &self,
        submission_id: i64,
    ) -> Result<Vec<SubmissionEvidenceRow>> {
        self.list(
            "SELECT * FROM submission_evidence WHERE submission_id = $1 ORDER BY id",
            vec![submission_id.into()],
        )
        .await
    }
}

reads! {
    contractors() -> list ContractorRow = "SELECT * FROM contractors ORDER BY id";
    contractor(id: i64) -> one ContractorRow = "SELECT * FROM contractors WHERE id = $1";
    submission(id: i64) -> one SubmissionRow = "SELECT * FROM contractor_submissions WHERE id = $1";
    submissions() -> list SubmissionRow = "SELECT * FROM contractor_submissions ORDER BY id DESC";
    submission_evidence(id: i64) -> one SubmissionEvidenceRow = "SELECT * FROM submission_evidence WHERE id = $1";
}
