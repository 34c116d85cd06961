//! The JSON API's own types, apart from the storage rows: what every answer and some
//! requests carry. Times are RFC 3339 strings (`jiff::Timestamp`), dates `YYYY-MM-DD`
//! (`jiff::civil::Date`), states and tracks documented enums whose names are the stored
//! strings, and what a row keeps as JSON text is a structure here. Secrets (password hashes)
//! stay out. The conversions from rows are all in `convert`.

use gaibu_domain::evaluation::Evaluation;
use gaibu_domain::procurement::Procurement;
use gaibu_domain::sheet::Answer;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

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
    Building,
    InOperation,
    Suspended,
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

/// A role held over an org unit and everything under it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Role {
    pub id: i64,
    pub user_id: i64,
    pub role: RoleName,
    pub org_unit_id: i64,
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
    #[schema(value_type = String, format = DateTime)]
    pub loaded_at: Timestamp,
    pub approved_by: Option<i64>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub approved_at: Option<Timestamp>,
}

/// A policy version with its TOML source.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyDetail {
    #[serde(flatten)]
    pub policy: Policy,
    /// The TOML source.
    pub content: String,
    /// For a pending version, what it changes against the version of its kind in force
    /// (S1.3); null for a version already approved or superseded.
    pub changes: Option<PolicyChanges>,
}

/// What a pending policy version changes, entry by entry (items, levels, domains, measures …).
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyChanges {
    /// The id of the version in force it is compared with; null when none of its kind is in
    /// force (this is the first version, and `entries` is empty).
    pub against_id: Option<i64>,
    /// The version name of the version in force.
    pub against_version: Option<String>,
    pub entries: Vec<gaibu_domain::policy::diff::EntryChange>,
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
    #[schema(value_type = Option<String>, format = DateTime)]
    pub approved_at: Option<Timestamp>,
    pub snapshot_sha256: Option<String>,
    /// The approved service, once approved.
    pub service_id: Option<i64>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    /// Send it back with every change (optimistic versioning).
    pub version: i64,
    pub evaluation: Evaluation,
    pub procurement: Procurement,
    /// Submissions so far (class 2+).
    pub round: i64,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub submitted_at: Option<Timestamp>,
    /// The ISM's reason for the last return or rejection.
    pub decision_reason: Option<String>,
    /// What the caller may do with it now: the same answer the pages' buttons follow.
    pub capabilities: gaibu_domain::capability::ApplicationCapabilities,
}

/// One submission of a class-2+ application and the ISM's decision on it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Round {
    pub id: i64,
    pub application_id: i64,
    pub round: i64,
    pub submitted_by: i64,
    #[schema(value_type = String, format = DateTime)]
    pub submitted_at: Timestamp,
    /// What was submitted: fields, answers, evaluation, procurement.
    #[schema(value_type = Object)]
    pub content: serde_json::Value,
    pub decision: Option<Decision>,
    pub decided_by: Option<i64>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub decided_at: Option<Timestamp>,
    pub reason: Option<String>,
    /// The ISM's comments by item.
    pub comments: BTreeMap<String, String>,
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
    #[schema(value_type = String, format = DateTime)]
    pub approved_at: Timestamp,
    /// Absent until the service is registered in the information-system ledger.
    pub ledger_status: Option<LedgerStatus>,
    pub system_name: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub registered_on: Option<Date>,
    pub ledger_note: Option<String>,
    pub registered_by: Option<i64>,
    #[schema(value_type = Option<String>, format = Date)]
    pub retired_on: Option<Date>,
    pub retire_reason: Option<String>,
    /// S1.2: within the scope of the city's security policy.
    pub in_scope: bool,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    pub version: i64,
    /// S3.6: who defines and checks its operation-time measures.
    pub business_system_manager_id: Option<i64>,
    pub infrastructure_manager_id: Option<i64>,
    /// S3.6-3: the next periodic check, while in operation.
    #[schema(value_type = Option<String>, format = Date)]
    pub next_check_due: Option<Date>,
    /// S6.2: since when and why its use is stopped (利用停止).
    #[schema(value_type = Option<String>, format = Date)]
    pub suspended_on: Option<Date>,
    pub suspend_reason: Option<String>,
}

/// One page of a list: `items`, and the `cursor` of the next page (null on the last).
#[derive(Debug, Serialize, ToSchema)]
pub struct Paged<T: ToSchema> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// A service as the ledger list shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceSummary {
    pub id: i64,
    pub name: String,
    pub provider: String,
    pub org_unit_id: i64,
    pub org_name_ja: String,
    pub org_name_en: String,
    pub track: Track,
    pub confidentiality: String,
    pub administrator_id: i64,
    pub administrator_name: String,
    #[schema(value_type = String, format = DateTime)]
    pub approved_at: Timestamp,
    pub ledger_status: Option<LedgerStatus>,
    #[schema(value_type = Option<String>, format = Date)]
    pub registered_on: Option<Date>,
    #[schema(value_type = Option<String>, format = Date)]
    pub retired_on: Option<Date>,
    pub in_scope: bool,
    #[schema(value_type = Option<String>, format = Date)]
    pub next_check_due: Option<Date>,
    #[schema(value_type = Option<String>, format = Date)]
    pub suspended_on: Option<Date>,
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
    #[schema(value_type = String, format = Date)]
    pub created_on: Date,
    pub purpose: String,
    pub status: AccountStatus,
    #[schema(value_type = Option<String>, format = Date)]
    pub closed_on: Option<Date>,
    pub registered_by: i64,
    #[schema(value_type = String, format = DateTime)]
    pub registered_at: Timestamp,
    pub version: i64,
}

/// One event of a service's audit trail. `before` and `after` are null for those who may
/// not read the contents, and for events without them.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEvent {
    pub seq: i64,
    #[schema(value_type = String, format = DateTime)]
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
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    pub version: i64,
    /// S7.1-3: the day its use ended, set by the ISM at termination.
    #[schema(value_type = Option<String>, format = Date)]
    pub ended_on: Option<Date>,
}

/// An entry as the register list shows it: S5.2.1-5a–h with its service's scope and suspension.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegisterListEntry {
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
    #[schema(value_type = Option<String>, format = Date)]
    pub ended_on: Option<Date>,
    /// S1.2: its service is within the scope of the security policy.
    pub in_scope: bool,
    /// S6.2: its service's use is stopped.
    pub suspended: bool,
}

/// An application as the applications list shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationSummary {
    pub id: i64,
    pub applicant_id: i64,
    pub applicant_name: String,
    pub org_unit_id: i64,
    pub org_name_ja: String,
    pub org_name_en: String,
    pub state: ApplicationState,
    pub track: Track,
    pub service_name: String,
    pub provider: String,
    pub confidentiality: String,
    pub round: i64,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub submitted_at: Option<Timestamp>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
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
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub read_at: Option<Timestamp>,
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
    #[schema(value_type = Option<String>, format = Date)]
    pub expires_on: Option<Date>,
    pub note: String,
    pub uploaded_by: i64,
    #[schema(value_type = String, format = DateTime)]
    pub uploaded_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub removed_at: Option<Timestamp>,
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
    #[schema(value_type = Option<String>, format = Date)]
    pub expires_on: Option<Date>,
    pub note: String,
    pub uploaded_by: i64,
    #[schema(value_type = String, format = DateTime)]
    pub uploaded_at: Timestamp,
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
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
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
    #[schema(value_type = Option<String>, format = DateTime)]
    pub submitted_at: Option<Timestamp>,
    pub verified_by: Option<i64>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub verified_at: Option<Timestamp>,
    pub note: Option<String>,
    pub created_by: i64,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    pub version: i64,
}
