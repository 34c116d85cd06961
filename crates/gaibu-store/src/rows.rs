//! Rows as stored, shared by the store's modules and its callers.

use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct OrgUnitRow {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub code: String,
    pub name_ja: String,
    pub name_en: String,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
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
    pub active: i64,
    /// Set for a contractor's person (S5.3): they see their own submissions only.
    pub contractor_id: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct ContractorRow {
    pub id: i64,
    pub name: String,
    /// contractor (委託先) or designated_manager (指定管理者)
    pub kind: String,
    /// The city's work they carry out.
    pub work: String,
    /// The commissioning unit; its Information Managers etc. verify the submissions.
    pub org_unit_id: i64,
    pub created_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct SubmissionRow {
    pub id: i64,
    pub contractor_id: i64,
    pub service_name: String,
    pub provider: String,
    pub confidentiality: String,
    pub track: String,
    pub classification_policy_id: i64,
    pub sheet_policy_id: i64,
    /// JSON of the sheet answers.
    pub answers: String,
    pub state: String,
    pub submitted_at: Option<i64>,
    pub verified_by: Option<i64>,
    pub verified_at: Option<i64>,
    pub note: Option<String>,
    pub created_by: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct RoleRow {
    pub id: i64,
    pub user_id: i64,
    pub role: String,
    pub org_unit_id: i64,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct ApiTokenRow {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct PolicyRow {
    pub id: i64,
    pub kind: String,
    pub version: String,
    pub title_ja: String,
    pub title_en: String,
    #[serde(skip)]
    pub content: String,
    pub content_sha256: String,
    pub status: String,
    pub loaded_at: i64,
    pub approved_by: Option<i64>,
    pub approved_at: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct ApplicationRow {
    pub id: i64,
    pub applicant_id: i64,
    pub org_unit_id: i64,
    pub state: String,
    pub track: String,
    pub service_name: String,
    pub provider: String,
    pub confidentiality: String,
    /// JSON of `gaibu_domain::application::ApplicationFields`.
    pub fields: String,
    /// JSON of `gaibu_domain::sheet::Answers`.
    pub answers: String,
    pub classification_policy_id: i64,
    pub sheet_policy_id: Option<i64>,
    pub approved_by: Option<i64>,
    pub approved_at: Option<i64>,
    pub approval_snapshot: Option<String>,
    pub snapshot_sha256: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
    /// JSON of `gaibu_domain::evaluation::Evaluation` (class 2+).
    pub evaluation: String,
    /// JSON of the procurement record (S3.3).
    pub procurement: String,
    /// How many times it was submitted (class 2+).
    pub round: i64,
    pub submitted_at: Option<i64>,
    /// The ISM's reason for the last return or rejection.
    pub decision_reason: Option<String>,
    /// JSON: `{source_application_id, unconfirmed: [...]}` when it reuses an evaluation.
    pub reuse: String,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct RoundRow {
    pub id: i64,
    pub application_id: i64,
    pub round: i64,
    pub submitted_by: i64,
    pub submitted_at: i64,
    /// JSON snapshot of what was submitted.
    pub content: String,
    pub decision: Option<String>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<i64>,
    pub reason: Option<String>,
    /// JSON object: comments by item.
    pub comments: String,
}

/// サービス利用状況 (S5.2.1-5a–h).
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
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
    pub citizen_facing: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

/// A contractor's evidence file (S5.3, S3.2c).
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct SubmissionEvidenceRow {
    pub id: i64,
    pub submission_id: i64,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub expires_on: Option<String>,
    pub note: String,
    pub uploaded_by: i64,
    pub uploaded_at: i64,
}

/// An evidence file's record (S3.2c).
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
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
    pub expires_on: Option<String>,
    pub note: String,
    pub uploaded_by: i64,
    pub uploaded_at: i64,
    pub removed_at: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct NotificationRow {
    pub id: i64,
    pub user_id: i64,
    pub kind: String,
    pub application_id: Option<i64>,
    pub service_id: Option<i64>,
    pub subject: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct ServiceRow {
    pub id: i64,
    pub application_id: i64,
    pub name: String,
    pub provider: String,
    pub org_unit_id: i64,
    pub track: String,
    pub confidentiality: String,
    pub administrator_id: i64,
    pub approved_at: i64,
    pub ledger_status: Option<String>,
    pub system_name: Option<String>,
    pub registered_on: Option<String>,
    pub ledger_note: Option<String>,
    pub registered_by: Option<i64>,
    pub retired_on: Option<String>,
    pub retire_reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct AccountRow {
    pub id: i64,
    pub service_id: i64,
    pub account_id: String,
    pub kind: String,
    pub holder_org_unit_id: i64,
    pub holder_position: String,
    pub created_on: String,
    pub purpose: String,
    pub status: String,
    pub closed_on: Option<String>,
    pub registered_by: i64,
    pub registered_at: i64,
    pub version: i64,
}
