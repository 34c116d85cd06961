//! The JSON API's own types, apart from the storage rows, and every conversion from a row.
//!
//! Times are RFC 3339 strings (`jiff::Timestamp`), dates `YYYY-MM-DD` (`jiff::civil::Date`),
//! states and tracks documented enums whose names are the stored strings, and what a row
//! keeps as JSON text is parsed here. When the store's rows change shape, only this file
//! changes. Secrets (password hashes, policy sources outside the detail view) stay out.

use crate::error::{AppError, AppResult};
use gaibu_domain::evaluation::Evaluation;
use gaibu_domain::procurement::Procurement;
use gaibu_domain::sheet::Answer;
use gaibu_store::{
    AccountRow, ApplicationRow, ContractorRow, EvidenceRow, NotificationRow, OrgUnitRow, PolicyRow,
    RegisterFields, RegisterRow, RoleRow, RoundRow, ServiceRow, SubmissionEvidenceRow,
    SubmissionRow, UserRow,
};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

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

// ---- enums --------------------------------------------------------------------------------

/// The procedure an application follows: class 1 (self-approved) or class 2+ (ISM review).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Track {
    Class1,
    #[serde(rename = "class2plus")]
    Class2Plus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationState {
    Draft,
    Submitted,
    Returned,
    Rejected,
    Approved,
}

/// The information-system ledger's status of a service (absent before registration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LedgerStatus {
    InOperation,
    Retired,
}

/// The ISM's decision on a submission round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    Reject,
    Return,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PolicyStatus {
    Pending,
    Approved,
    Superseded,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    User,
    Admin,
    Shared,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    Active,
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoleName {
    SystemAdministrator,
    Ciso,
    InformationSecurityManager,
    InformationManager,
    BusinessSystemManager,
    InfrastructureManager,
    Staff,
}

/// 委託先 (contractor) or 指定管理者 (designated manager).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContractorKind {
    Contractor,
    DesignatedManager,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionState {
    Draft,
    Submitted,
    Verified,
    Returned,
}

// ---- people and organisation --------------------------------------------------------------

#[derive(Debug, Serialize, ToSchema)]
pub struct OrgUnit {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub code: String,
    pub name_ja: String,
    pub name_en: String,
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

/// A user, without their password hash.
#[derive(Debug, Serialize, ToSchema)]
pub struct User {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub email: String,
    pub org_unit_id: i64,
    pub position: String,
    /// `ja` or `en`.
    pub lang: String,
    pub active: bool,
    /// Set for a contractor's person (S5.3): they see their own submissions only.
    pub contractor_id: Option<i64>,
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

/// A role held over an org unit and everything under it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Role {
    pub id: i64,
    pub user_id: i64,
    pub role: RoleName,
    pub org_unit_id: i64,
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

// ---- policies -----------------------------------------------------------------------------

#[derive(Debug, Serialize, ToSchema)]
pub struct Policy {
    pub id: i64,
    /// The slot it fills: `classification`, `sheet.class1`, `sheet.class2plus`, `accounts`.
    pub kind: String,
    pub version: String,
    pub title_ja: String,
    pub title_en: String,
    pub content_sha256: String,
    pub status: PolicyStatus,
    pub loaded_at: Timestamp,
    pub approved_by: Option<i64>,
    pub approved_at: Option<Timestamp>,
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

/// A policy version with its TOML source.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyDetail {
    #[serde(flatten)]
    pub policy: Policy,
    /// The TOML source.
    pub content: String,
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

// ---- applications and review --------------------------------------------------------------

/// An application as the API shows it: its fields, answers, evaluation and procurement record
/// as objects.
#[derive(Debug, Serialize, ToSchema)]
pub struct Application {
    pub id: i64,
    pub state: ApplicationState,
    pub track: Track,
    pub applicant_id: i64,
    pub org_unit_id: i64,
    /// The validated application fields (service, purpose, period, classification …).
    #[schema(value_type = Object)]
    pub fields: serde_json::Value,
    /// Answers to the requirement sheet, by item id.
    pub answers: BTreeMap<String, Answer>,
    pub classification_policy_id: i64,
    pub sheet_policy_id: Option<i64>,
    pub approved_by: Option<i64>,
    pub approved_at: Option<Timestamp>,
    pub snapshot_sha256: Option<String>,
    /// The approved service, once approved.
    pub service_id: Option<i64>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Send it back with every change (optimistic versioning).
    pub version: i64,
    pub evaluation: Evaluation,
    pub procurement: Procurement,
    /// Submissions so far (class 2+).
    pub round: i64,
    pub submitted_at: Option<Timestamp>,
    /// The ISM's reason for the last return or rejection.
    pub decision_reason: Option<String>,
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

/// One submission of a class-2+ application and the ISM's decision on it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Round {
    pub id: i64,
    pub application_id: i64,
    pub round: i64,
    pub submitted_by: i64,
    pub submitted_at: Timestamp,
    /// What was submitted: fields, answers, evaluation, procurement.
    #[schema(value_type = Object)]
    pub content: serde_json::Value,
    pub decision: Option<Decision>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<Timestamp>,
    pub reason: Option<String>,
    /// The ISM's comments by item.
    pub comments: BTreeMap<String, String>,
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

// ---- services, ledger, accounts -----------------------------------------------------------

#[derive(Debug, Serialize, ToSchema)]
pub struct Service {
    pub id: i64,
    pub application_id: i64,
    pub name: String,
    pub provider: String,
    pub org_unit_id: i64,
    pub track: Track,
    pub confidentiality: String,
    pub administrator_id: i64,
    pub approved_at: Timestamp,
    /// Absent until the service is registered in the information-system ledger.
    pub ledger_status: Option<LedgerStatus>,
    pub system_name: Option<String>,
    pub registered_on: Option<Date>,
    pub ledger_note: Option<String>,
    pub registered_by: Option<i64>,
    pub retired_on: Option<Date>,
    pub retire_reason: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
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

/// An official account of a service (S5.2.2-4).
#[derive(Debug, Serialize, ToSchema)]
pub struct Account {
    pub id: i64,
    pub service_id: i64,
    pub account_id: String,
    pub kind: AccountKind,
    pub holder_org_unit_id: i64,
    pub holder_position: String,
    pub created_on: Date,
    pub purpose: String,
    pub status: AccountStatus,
    pub closed_on: Option<Date>,
    pub registered_by: i64,
    pub registered_at: Timestamp,
    pub version: i64,
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

/// One event of a service's audit trail. `before` and `after` are null for those who may
/// not read the contents, and for events without them.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEvent {
    pub seq: i64,
    pub at: Timestamp,
    /// The actor's login.
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    pub hash: String,
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

// ---- usage register -----------------------------------------------------------------------

/// サービス利用状況 (S5.2.1-5a–h).
#[derive(Debug, Serialize, ToSchema)]
pub struct RegisterEntry {
    pub id: i64,
    pub service_id: i64,
    pub org_unit_id: i64,
    pub service_name: String,
    pub provider_name: String,
    pub purpose: String,
    pub classification: String,
    pub period_of_use: String,
    pub applicant: String,
    pub user_scope: String,
    pub administrator: String,
    pub citizen_facing: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
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

/// The eight fields of the usage register as sent for a change, with the entry's version.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RegisterUpdate {
    #[schema(minimum = 1)]
    pub version: i64,
    #[serde(default)]
    pub service_name: String,
    #[serde(default)]
    pub provider_name: String,
    #[serde(default)]
    pub purpose: String,
    #[serde(default)]
    pub classification: String,
    #[serde(default)]
    pub period_of_use: String,
    #[serde(default)]
    pub applicant: String,
    #[serde(default)]
    pub user_scope: String,
    #[serde(default)]
    pub administrator: String,
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

// ---- notifications ------------------------------------------------------------------------

#[derive(Debug, Serialize, ToSchema)]
pub struct Notification {
    pub id: i64,
    pub user_id: i64,
    /// What happened, e.g. `submitted`, `approved`, `returned`.
    pub kind: String,
    pub application_id: Option<i64>,
    pub service_id: Option<i64>,
    pub subject: String,
    pub created_at: Timestamp,
    pub read_at: Option<Timestamp>,
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

// ---- evidence -----------------------------------------------------------------------------

/// An evidence file's record (S3.2c).
#[derive(Debug, Serialize, ToSchema)]
pub struct Evidence {
    pub id: i64,
    pub application_id: i64,
    /// The sheet item or `evaluation.<field>` it supports; empty for the application as a whole.
    pub item_key: String,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    /// A certificate's or report's expiry date.
    pub expires_on: Option<Date>,
    pub note: String,
    pub uploaded_by: i64,
    pub uploaded_at: Timestamp,
    pub removed_at: Option<Timestamp>,
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

/// A contractor's evidence file (S5.3, S3.2c).
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionEvidence {
    pub id: i64,
    pub submission_id: i64,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub expires_on: Option<Date>,
    pub note: String,
    pub uploaded_by: i64,
    pub uploaded_at: Timestamp,
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

// ---- contractors --------------------------------------------------------------------------

#[derive(Debug, Serialize, ToSchema)]
pub struct Contractor {
    pub id: i64,
    pub name: String,
    pub kind: ContractorKind,
    /// The city's work they carry out.
    pub work: String,
    /// The commissioning unit; its Information Managers etc. verify the submissions.
    pub org_unit_id: i64,
    pub created_at: Timestamp,
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

/// A contractor's requirement sheet for a service they use for the city's work (S5.3).
#[derive(Debug, Serialize, ToSchema)]
pub struct Submission {
    pub id: i64,
    pub contractor_id: i64,
    pub service_name: String,
    pub provider: String,
    pub confidentiality: String,
    /// The requirement sheet it answers.
    pub track: Track,
    pub classification_policy_id: i64,
    pub sheet_policy_id: i64,
    /// Answers to the sheet, by item id.
    pub answers: BTreeMap<String, Answer>,
    pub state: SubmissionState,
    pub submitted_at: Option<Timestamp>,
    pub verified_by: Option<i64>,
    pub verified_at: Option<Timestamp>,
    pub note: Option<String>,
    pub created_by: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
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
