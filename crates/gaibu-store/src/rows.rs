//! Records as stored, typed: states and tracks as enums, times as `jiff` values, structures
//! parsed. Decoded by `codec`; serialised as they are into the audit trail's before/after.

use crate::codec::decode_rows;
use gaibu_domain::account::{AccountKind, AccountStatus};
use gaibu_domain::application::{ApplicationFields, Reuse, State};
use gaibu_domain::calendar::DateStyle;
use gaibu_domain::classification::Track;
use gaibu_domain::contractor::SubmissionState;
use gaibu_domain::deadline::DeadlineKind;
use gaibu_domain::effects::NoticeKind;
use gaibu_domain::evaluation::Evaluation;
use gaibu_domain::ledger::LedgerStatus;
use gaibu_domain::policy::PolicyStatus;
use gaibu_domain::procurement::Procurement;
use gaibu_domain::review::Decision;
use gaibu_domain::role::Role;
use gaibu_domain::sheet::Answers;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize)]
pub struct OrgUnitRow {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub code: String,
    pub name_ja: String,
    pub name_en: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct UserRow {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub email: String,
    pub org_unit_id: i64,
    pub position: String,
    pub lang: String,
    #[serde(skip)]
    pub password_hash: Option<String>,
    pub active: bool,
    /// Set for a contractor's person (S5.3): they see their own submissions only.
    pub contractor_id: Option<i64>,
    /// How their pages write dates, if they chose (else as the city does).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_style: Option<DateStyle>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContractorRow {
    pub id: i64,
    pub name: String,
    /// contractor (委託先) or designated_manager (指定管理者)
    pub kind: String,
    /// The city's work they carry out.
    pub work: String,
    /// The commissioning unit; its Information Managers etc. verify the submissions.
    pub org_unit_id: i64,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, Serialize)]
pub struct SubmissionRow {
    pub id: i64,
    pub contractor_id: i64,
    pub service_name: String,
    pub provider: String,
    pub confidentiality: String,
    pub track: Track,
    pub classification_policy_id: i64,
    pub sheet_policy_id: i64,
    pub answers: Answers,
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

#[derive(Debug, Clone, Serialize)]
pub struct RoleRow {
    pub id: i64,
    pub user_id: i64,
    pub role: Role,
    pub org_unit_id: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApiTokenRow {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
    pub expires_at: Timestamp,
    /// Kept to the minute (`Store::touch_credential`).
    pub last_used_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PolicyRow {
    pub id: i64,
    pub kind: String,
    pub version: String,
    pub title_ja: String,
    pub title_en: String,
    /// The TOML document, kept byte for byte.
    #[serde(skip)]
    pub content: String,
    pub content_sha256: String,
    pub status: PolicyStatus,
    pub loaded_at: Timestamp,
    pub approved_by: Option<i64>,
    pub approved_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApplicationRow {
    pub id: i64,
    pub applicant_id: i64,
    pub org_unit_id: i64,
    pub state: State,
    pub track: Track,
    pub service_name: String,
    pub provider: String,
    pub confidentiality: String,
    pub fields: ApplicationFields,
    pub answers: Answers,
    pub classification_policy_id: i64,
    pub sheet_policy_id: Option<i64>,
    pub approved_by: Option<i64>,
    pub approved_at: Option<Timestamp>,
    /// Exactly what was approved, as JSON text; `snapshot_sha256` is its hash.
    pub approval_snapshot: Option<String>,
    pub snapshot_sha256: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
    /// S3.2a–g (class 2+).
    pub evaluation: Evaluation,
    /// The procurement record (S3.3).
    pub procurement: Procurement,
    /// How many times it was submitted (class 2+).
    pub round: i64,
    pub submitted_at: Option<Timestamp>,
    /// The ISM's reason for the last return or rejection.
    pub decision_reason: Option<String>,
    pub reuse: Reuse,
    /// Where a record brought in from a file came from (its import, file and row, as JSON);
    /// `None` for one made in gaibu.
    pub origin: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RoundRow {
    pub id: i64,
    pub application_id: i64,
    pub round: i64,
    pub submitted_by: i64,
    pub submitted_at: Timestamp,
    /// What was submitted, exactly.
    pub content: serde_json::Value,
    pub decision: Option<Decision>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<Timestamp>,
    pub reason: Option<String>,
    /// The reviewer's comments by item.
    pub comments: BTreeMap<String, String>,
}

/// サービス利用状況 (S5.2.1-5a–h).
#[derive(Debug, Clone, Serialize)]
pub struct RegisterRow {
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
    /// S7.1-3: the day its use ended, set by the ISM at termination.
    pub ended_on: Option<Date>,
}

/// A contractor's evidence file (S5.3, S3.2c).
#[derive(Debug, Clone, Serialize)]
pub struct SubmissionEvidenceRow {
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

/// An evidence file's record (S3.2c).
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceRow {
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

#[derive(Debug, Clone, Serialize)]
pub struct NotificationRow {
    pub id: i64,
    pub user_id: i64,
    pub kind: NoticeKind,
    pub application_id: Option<i64>,
    pub service_id: Option<i64>,
    pub subject: String,
    pub created_at: Timestamp,
    pub read_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServiceRow {
    pub id: i64,
    pub application_id: i64,
    pub name: String,
    pub provider: String,
    pub org_unit_id: i64,
    pub track: Track,
    pub confidentiality: String,
    pub administrator_id: i64,
    pub approved_at: Timestamp,
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
    /// S3.6: who defines and checks its operation-time measures.
    pub business_system_manager_id: Option<i64>,
    pub infrastructure_manager_id: Option<i64>,
    /// S1.2: within the scope of the city's security policy.
    pub in_scope: bool,
    /// S3.6-3: the next periodic check, while in operation.
    pub next_check_due: Option<Date>,
    /// S6.2: since when and why its use is stopped (利用停止).
    pub suspended_on: Option<Date>,
    pub suspend_reason: Option<String>,
}

/// Something due on a day, with the name of its service (for the reminder's subject).
#[derive(Debug, Clone, Serialize)]
pub struct DeadlineRow {
    pub id: i64,
    pub kind: DeadlineKind,
    pub subject_id: i64,
    pub service_id: Option<i64>,
    pub service_name: Option<String>,
    pub due_on: Date,
    pub recipients: Vec<i64>,
    pub opened_at: Timestamp,
    pub closed_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AccountRow {
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

decode_rows! {
    OrgUnitRow { id: get, parent_id: get, code: get, name_ja: get, name_en: get }
    UserRow {
        id: get, login: get, display_name: get, email: get, org_unit_id: get, position: get,
        lang: get, password_hash: get, active: flag, contractor_id: get,
        date_style: opt_named(DateStyle::parse),
    }
    ContractorRow { id: get, name: get, kind: get, work: get, org_unit_id: get, created_at: ts }
    SubmissionRow {
        id: get, contractor_id: get, service_name: get, provider: get, confidentiality: get,
        track: named(Track::parse), classification_policy_id: get, sheet_policy_id: get,
        answers: json, state: named(SubmissionState::parse), submitted_at: opt_ts,
        verified_by: get, verified_at: opt_ts, note: get, created_by: get, created_at: ts,
        updated_at: ts, version: get,
    }
    RoleRow { id: get, user_id: get, role: named(Role::parse), org_unit_id: get }
    ApiTokenRow {
        id: get, user_id: get, name: get, created_at: ts, revoked_at: opt_ts, expires_at: ts,
        last_used_at: opt_ts,
    }
    PolicyRow {
        id: get, kind: get, version: get, title_ja: get, title_en: get, content: get,
        content_sha256: get, status: named(PolicyStatus::parse), loaded_at: ts,
        approved_by: get, approved_at: opt_ts,
    }
    ApplicationRow {
        id: get, applicant_id: get, org_unit_id: get, state: named(State::parse),
        track: named(Track::parse), service_name: get, provider: get, confidentiality: get,
        fields: json, answers: json, classification_policy_id: get, sheet_policy_id: get,
        approved_by: get, approved_at: opt_ts, approval_snapshot: get, snapshot_sha256: get,
        created_at: ts, updated_at: ts, version: get, evaluation: json, procurement: json,
        round: get, submitted_at: opt_ts, decision_reason: get, reuse: json, origin: get,
    }
    RoundRow {
        id: get, application_id: get, round: get, submitted_by: get, submitted_at: ts,
        content: json, decision: opt_named(Decision::parse), decided_by: get,
        decided_at: opt_ts, reason: get, comments: json,
    }
    RegisterRow {
        id: get, service_id: get, org_unit_id: get, service_name: get, provider_name: get,
        purpose: get, classification: get, period_of_use: get, applicant: get,
        user_scope: get, administrator: get, citizen_facing: flag, created_at: ts,
        updated_at: ts, version: get, ended_on: opt_date,
    }
    SubmissionEvidenceRow {
        id: get, submission_id: get, filename: get, content_type: get, size_bytes: get,
        sha256: get, expires_on: opt_date, note: get, uploaded_by: get, uploaded_at: ts,
    }
    EvidenceRow {
        id: get, application_id: get, item_key: get, filename: get, content_type: get,
        size_bytes: get, sha256: get, expires_on: opt_date, note: get, uploaded_by: get,
        uploaded_at: ts, removed_at: opt_ts,
    }
    NotificationRow {
        id: get, user_id: get, kind: named(NoticeKind::parse), application_id: get,
        service_id: get, subject: get, created_at: ts, read_at: opt_ts,
    }
    ServiceRow {
        id: get, application_id: get, name: get, provider: get, org_unit_id: get,
        track: named(Track::parse), confidentiality: get, administrator_id: get,
        approved_at: ts, ledger_status: opt_named(LedgerStatus::parse), system_name: get,
        registered_on: opt_date, ledger_note: get, registered_by: get, retired_on: opt_date,
        retire_reason: get, created_at: ts, updated_at: ts, version: get,
        business_system_manager_id: get, infrastructure_manager_id: get, in_scope: flag,
        next_check_due: opt_date,
        suspended_on: opt_date, suspend_reason: get,
    }
    DeadlineRow {
        id: get, kind: named(DeadlineKind::parse), subject_id: get, service_id: get,
        service_name: get, due_on: date, recipients: json, opened_at: ts, closed_at: opt_ts,
    }
    AccountRow {
        id: get, service_id: get, account_id: get, kind: named(AccountKind::parse),
        holder_org_unit_id: get, holder_position: get, created_on: date, purpose: get,
        status: named(AccountStatus::parse), closed_on: opt_date, registered_by: get,
        registered_at: ts, version: get,
    }
}
