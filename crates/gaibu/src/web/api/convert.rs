//! Every conversion from a storage row to the API's types (`model`): the one file to change
//! when the store's rows change shape. Stored times are epoch milliseconds, dates ISO text,
//! states and tracks strings, and some fields JSON text; a value that does not convert is
//! corrupt data, answered as an internal error.

use super::model::*;
use crate::error::{AppError, AppResult};
use gaibu_store::{
    AccountRow, ApplicationRow, ContractorRow, EvidenceRow, NotificationRow, OrgUnitRow, PolicyRow,
    RegisterFields, RegisterRow, RoleRow, RoundRow, ServiceRow, SubmissionEvidenceRow,
    SubmissionRow, UserRow,
};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use serde::de::DeserializeOwned;

// ---- helpers ------------------------------------------------------------------------------

// The store decodes its records (times, dates, enums, structures); these convert the stored
// types into the API's documented ones, and refuse a value that has no API form.

fn ts(t: Timestamp) -> AppResult<Timestamp> {
    Ok(t)
}

fn opt_ts(t: Option<Timestamp>) -> AppResult<Option<Timestamp>> {
    Ok(t)
}

fn date(d: &Date) -> AppResult<Date> {
    Ok(*d)
}

fn opt_date(d: &Option<Date>) -> AppResult<Option<Date>> {
    Ok(*d)
}

/// A stored structure in the API's shape.
fn json<S: Serialize, T: DeserializeOwned>(what: &str, s: &S) -> AppResult<T> {
    serde_json::to_value(s)
        .and_then(serde_json::from_value)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("stored {what} has no API form: {e}")))
}

/// A stored enum value as the API's enum of the same names.
fn parse_enum<S: Serialize, T: DeserializeOwned>(what: &str, s: &S) -> AppResult<T> {
    json(what, s)
}

/// Converts a list of rows.
pub fn all<'a, R: 'a, T: TryFrom<&'a R, Error = AppError>>(rows: &'a [R]) -> AppResult<Vec<T>> {
    rows.iter().map(T::try_from).collect()
}

impl TryFrom<&OrgUnitRow> for OrgUnit {
    type Error = AppError;
    fn try_from(r: &OrgUnitRow) -> AppResult<Self> {
        Ok(OrgUnit {
            id: r.id,
            parent_id: r.parent_id,
            code: r.code.clone(),
            name_ja: r.name_ja.clone(),
            name_en: r.name_en.clone(),
        })
    }
}

impl TryFrom<&UserRow> for User {
    type Error = AppError;
    fn try_from(r: &UserRow) -> AppResult<Self> {
        Ok(User {
            id: r.id,
            login: r.login.clone(),
            display_name: r.display_name.clone(),
            email: r.email.clone(),
            org_unit_id: r.org_unit_id,
            position: r.position.clone(),
            lang: r.lang.clone(),
            active: r.active,
            contractor_id: r.contractor_id,
        })
    }
}

impl TryFrom<&RoleRow> for Role {
    type Error = AppError;
    fn try_from(r: &RoleRow) -> AppResult<Self> {
        Ok(Role {
            id: r.id,
            user_id: r.user_id,
            role: parse_enum("role", &r.role)?,
            org_unit_id: r.org_unit_id,
        })
    }
}

impl TryFrom<&PolicyRow> for Policy {
    type Error = AppError;
    fn try_from(r: &PolicyRow) -> AppResult<Self> {
        Ok(Policy {
            id: r.id,
            kind: r.kind.clone(),
            version: r.version.clone(),
            title_ja: r.title_ja.clone(),
            title_en: r.title_en.clone(),
            content_sha256: r.content_sha256.clone(),
            status: parse_enum("policy status", &r.status)?,
            loaded_at: ts(r.loaded_at)?,
            approved_by: r.approved_by,
            approved_at: opt_ts(r.approved_at)?,
        })
    }
}

impl TryFrom<&PolicyRow> for PolicyDetail {
    type Error = AppError;
    fn try_from(r: &PolicyRow) -> AppResult<Self> {
        Ok(PolicyDetail {
            policy: Policy::try_from(r)?,
            content: r.content.clone(),
        })
    }
}

impl Application {
    /// The row with the id of the service approved from it, if any.
    pub fn new(r: &ApplicationRow, service_id: Option<i64>) -> AppResult<Self> {
        Ok(Application {
            id: r.id,
            state: parse_enum("application state", &r.state)?,
            track: parse_enum("track", &r.track)?,
            applicant_id: r.applicant_id,
            org_unit_id: r.org_unit_id,
            fields: json("application fields", &r.fields)?,
            answers: json("answers", &r.answers)?,
            classification_policy_id: r.classification_policy_id,
            sheet_policy_id: r.sheet_policy_id,
            approved_by: r.approved_by,
            approved_at: opt_ts(r.approved_at)?,
            snapshot_sha256: r.snapshot_sha256.clone(),
            service_id,
            created_at: ts(r.created_at)?,
            updated_at: ts(r.updated_at)?,
            version: r.version,
            evaluation: json("evaluation", &r.evaluation)?,
            procurement: json("procurement", &r.procurement)?,
            round: r.round,
            submitted_at: opt_ts(r.submitted_at)?,
            decision_reason: r.decision_reason.clone(),
        })
    }
}

impl TryFrom<&RoundRow> for Round {
    type Error = AppError;
    fn try_from(r: &RoundRow) -> AppResult<Self> {
        Ok(Round {
            id: r.id,
            application_id: r.application_id,
            round: r.round,
            submitted_by: r.submitted_by,
            submitted_at: ts(r.submitted_at)?,
            content: json("round content", &r.content)?,
            decision: r
                .decision
                .as_ref()
                .map(|d| parse_enum("decision", d))
                .transpose()?,
            decided_by: r.decided_by,
            decided_at: opt_ts(r.decided_at)?,
            reason: r.reason.clone(),
            comments: json("round comments", &r.comments)?,
        })
    }
}

impl TryFrom<&ServiceRow> for Service {
    type Error = AppError;
    fn try_from(r: &ServiceRow) -> AppResult<Self> {
        Ok(Service {
            id: r.id,
            application_id: r.application_id,
            name: r.name.clone(),
            provider: r.provider.clone(),
            org_unit_id: r.org_unit_id,
            track: parse_enum("track", &r.track)?,
            confidentiality: r.confidentiality.clone(),
            administrator_id: r.administrator_id,
            approved_at: ts(r.approved_at)?,
            ledger_status: r
                .ledger_status
                .as_ref()
                .map(|s| parse_enum("ledger status", s))
                .transpose()?,
            system_name: r.system_name.clone(),
            registered_on: opt_date(&r.registered_on)?,
            ledger_note: r.ledger_note.clone(),
            registered_by: r.registered_by,
            retired_on: opt_date(&r.retired_on)?,
            retire_reason: r.retire_reason.clone(),
            created_at: ts(r.created_at)?,
            updated_at: ts(r.updated_at)?,
            version: r.version,
        })
    }
}

impl TryFrom<&AccountRow> for Account {
    type Error = AppError;
    fn try_from(r: &AccountRow) -> AppResult<Self> {
        Ok(Account {
            id: r.id,
            service_id: r.service_id,
            account_id: r.account_id.clone(),
            kind: parse_enum("account kind", &r.kind)?,
            holder_org_unit_id: r.holder_org_unit_id,
            holder_position: r.holder_position.clone(),
            created_on: date(&r.created_on)?,
            purpose: r.purpose.clone(),
            status: parse_enum("account status", &r.status)?,
            closed_on: opt_date(&r.closed_on)?,
            registered_by: r.registered_by,
            registered_at: ts(r.registered_at)?,
            version: r.version,
        })
    }
}

impl HistoryEvent {
    /// An audit event; its contents only when `full`.
    pub fn new(e: &gaibu_domain::audit::AuditEvent, full: bool) -> AppResult<Self> {
        let parse = |s: &Option<String>| {
            if !full {
                return None;
            }
            s.as_deref()
                .and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())
                .filter(|v| !v.is_null())
        };
        Ok(HistoryEvent {
            seq: e.seq,
            at: Timestamp::from_millisecond(e.at_ms).map_err(|err| {
                AppError::Internal(anyhow::anyhow!("audit event {} time: {err}", e.seq))
            })?,
            actor: e.actor_login.clone(),
            action: e.action.clone(),
            entity: e.entity.clone(),
            entity_id: e.entity_id,
            before: parse(&e.before),
            after: parse(&e.after),
            hash: e.hash.clone(),
        })
    }
}

impl TryFrom<&RegisterRow> for RegisterEntry {
    type Error = AppError;
    fn try_from(r: &RegisterRow) -> AppResult<Self> {
        Ok(RegisterEntry {
            id: r.id,
            service_id: r.service_id,
            org_unit_id: r.org_unit_id,
            service_name: r.service_name.clone(),
            provider_name: r.provider_name.clone(),
            purpose: r.purpose.clone(),
            classification: r.classification.clone(),
            period_of_use: r.period_of_use.clone(),
            applicant: r.applicant.clone(),
            user_scope: r.user_scope.clone(),
            administrator: r.administrator.clone(),
            citizen_facing: r.citizen_facing,
            created_at: ts(r.created_at)?,
            updated_at: ts(r.updated_at)?,
            version: r.version,
        })
    }
}

impl From<&RegisterUpdate> for RegisterFields {
    fn from(u: &RegisterUpdate) -> Self {
        RegisterFields {
            service_name: u.service_name.clone(),
            provider_name: u.provider_name.clone(),
            purpose: u.purpose.clone(),
            classification: u.classification.clone(),
            period_of_use: u.period_of_use.clone(),
            applicant: u.applicant.clone(),
            user_scope: u.user_scope.clone(),
            administrator: u.administrator.clone(),
        }
    }
}

impl TryFrom<&NotificationRow> for Notification {
    type Error = AppError;
    fn try_from(r: &NotificationRow) -> AppResult<Self> {
        Ok(Notification {
            id: r.id,
            user_id: r.user_id,
            kind: r.kind.as_str().to_string(),
            application_id: r.application_id,
            service_id: r.service_id,
            subject: r.subject.clone(),
            created_at: ts(r.created_at)?,
            read_at: opt_ts(r.read_at)?,
        })
    }
}

impl TryFrom<&EvidenceRow> for Evidence {
    type Error = AppError;
    fn try_from(r: &EvidenceRow) -> AppResult<Self> {
        Ok(Evidence {
            id: r.id,
            application_id: r.application_id,
            item_key: r.item_key.clone(),
            filename: r.filename.clone(),
            content_type: r.content_type.clone(),
            size_bytes: r.size_bytes,
            sha256: r.sha256.clone(),
            expires_on: opt_date(&r.expires_on)?,
            note: r.note.clone(),
            uploaded_by: r.uploaded_by,
            uploaded_at: ts(r.uploaded_at)?,
            removed_at: opt_ts(r.removed_at)?,
        })
    }
}

impl TryFrom<&SubmissionEvidenceRow> for SubmissionEvidence {
    type Error = AppError;
    fn try_from(r: &SubmissionEvidenceRow) -> AppResult<Self> {
        Ok(SubmissionEvidence {
            id: r.id,
            submission_id: r.submission_id,
            filename: r.filename.clone(),
            content_type: r.content_type.clone(),
            size_bytes: r.size_bytes,
            sha256: r.sha256.clone(),
            expires_on: opt_date(&r.expires_on)?,
            note: r.note.clone(),
            uploaded_by: r.uploaded_by,
            uploaded_at: ts(r.uploaded_at)?,
        })
    }
}

impl TryFrom<&ContractorRow> for Contractor {
    type Error = AppError;
    fn try_from(r: &ContractorRow) -> AppResult<Self> {
        Ok(Contractor {
            id: r.id,
            name: r.name.clone(),
            kind: parse_enum("contractor kind", &r.kind)?,
            work: r.work.clone(),
            org_unit_id: r.org_unit_id,
            created_at: ts(r.created_at)?,
        })
    }
}

impl TryFrom<&SubmissionRow> for Submission {
    type Error = AppError;
    fn try_from(r: &SubmissionRow) -> AppResult<Self> {
        Ok(Submission {
            id: r.id,
            contractor_id: r.contractor_id,
            service_name: r.service_name.clone(),
            provider: r.provider.clone(),
            confidentiality: r.confidentiality.clone(),
            track: parse_enum("track", &r.track)?,
            classification_policy_id: r.classification_policy_id,
            sheet_policy_id: r.sheet_policy_id,
            answers: json("submission answers", &r.answers)?,
            state: parse_enum("submission state", &r.state)?,
            submitted_at: opt_ts(r.submitted_at)?,
            verified_by: r.verified_by,
            verified_at: opt_ts(r.verified_at)?,
            note: r.note.clone(),
            created_by: r.created_by,
            created_at: ts(r.created_at)?,
            updated_at: ts(r.updated_at)?,
            version: r.version,
        })
    }
}
