//! Every conversion from a storage row to the API's types (`model`): the one file to change
//! when the store's rows change shape. The store decodes its records (times, dates, enums,
//! structures); fields of the same type are copied, stored enums and structures take the
//! API's documented form through their JSON, and a value that has no API form is corrupt
//! data, answered as an internal error.

use super::model::*;
use crate::error::{AppError, AppResult};
use gaibu_store::lists::applications::ApplicationSummary as ApplicationSummaryRow;
use gaibu_store::lists::register::RegisterSummary as RegisterSummaryRow;
use gaibu_store::lists::services::ServiceSummary as ServiceSummaryRow;
use gaibu_store::page::Page;
use gaibu_store::{
    AccountRow, ApplicationRow, ContractorRow, EvidenceRow, NotificationRow, OrgUnitRow, PolicyRow,
    RegisterFields, RegisterRow, RoleRow, RoundRow, ServiceRow, SubmissionEvidenceRow,
    SubmissionRow, UserRow,
};
use jiff::Timestamp;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A stored enum or structure in the API's shape (an absent one stays absent).
fn json<S: Serialize, T: DeserializeOwned>(what: &str, s: &S) -> AppResult<T> {
    serde_json::to_value(s)
        .and_then(serde_json::from_value)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("stored {what} has no API form: {e}")))
}

/// A page of rows as the API's page.
pub fn paged<'a, R: 'a, T>(page: &'a Page<R>) -> AppResult<Paged<T>>
where
    T: TryFrom<&'a R, Error = AppError> + utoipa::ToSchema,
{
    Ok(Paged {
        items: all(&page.items)?,
        next_cursor: page.next_cursor(),
    })
}

/// Converts a list of rows.
pub fn all<'a, R: 'a, T: TryFrom<&'a R, Error = AppError>>(rows: &'a [R]) -> AppResult<Vec<T>> {
    rows.iter().map(T::try_from).collect()
}

/// The API's struct from the row `$r`, field by field: `name` copies the row's field of that
/// name, `name: "what"` converts it with `json`, and `name = expr` takes the expression.
macro_rules! api {
    ($r:ident => $api:ident { $($f:ident $(: $what:literal)? $(= $e:expr)?),* $(,)? }) => {
        $api { $($f: api!(@field $r, $f $(: $what)? $(= $e)?)),* }
    };
    (@field $r:ident, $f:ident) => { $r.$f.clone() };
    (@field $r:ident, $f:ident : $what:literal) => { json($what, &$r.$f)? };
    (@field $r:ident, $f:ident = $e:expr) => { $e };
}

/// `TryFrom<&Row>` for API types, each row named `$r` and the fields as in `api!`.
macro_rules! from_rows {
    (|$r:ident| $($row:ident => $api:ident { $($fields:tt)* })*) => {$(
        impl TryFrom<&$row> for $api {
            type Error = AppError;
            fn try_from($r: &$row) -> AppResult<Self> {
                Ok(api!($r => $api { $($fields)* }))
            }
        }
    )*};
}

from_rows! { |r|
    OrgUnitRow => OrgUnit { id, parent_id, code, name_ja, name_en }
    UserRow => User {
        id, login, display_name, email, org_unit_id, position, lang, active, contractor_id,
    }
    RoleRow => Role { id, user_id, role: "role", org_unit_id }
    PolicyRow => Policy {
        id, kind, version, title_ja, title_en, content_sha256, status: "policy status",
        loaded_at, approved_by, approved_at,
    }
    PolicyRow => PolicyDetail { policy = Policy::try_from(r)?, content, changes = None }
    RoundRow => Round {
        id, application_id, round, submitted_by, submitted_at, content: "round content",
        decision: "decision", decided_by, decided_at, reason, comments: "round comments",
    }
    ServiceRow => Service {
        id, application_id, name, provider, org_unit_id, track: "track", confidentiality,
        administrator_id, approved_at, ledger_status: "ledger status", system_name,
        registered_on, ledger_note, registered_by, retired_on, retire_reason, in_scope,
        created_at, updated_at, version, business_system_manager_id, infrastructure_manager_id,
        next_check_due, suspended_on, suspend_reason,
    }
    ServiceSummaryRow => ServiceSummary {
        id, name, provider, org_unit_id, org_name_ja, org_name_en, track: "track",
        confidentiality, administrator_id, administrator_name, approved_at,
        ledger_status: "ledger status", registered_on, retired_on, in_scope, next_check_due,
        suspended_on,
    }
    RegisterSummaryRow => RegisterListEntry {
        id, service_id, org_unit_id, service_name, provider_name, purpose, classification,
        period_of_use, applicant, user_scope, administrator, citizen_facing, ended_on, in_scope,
        suspended,
    }
    ApplicationSummaryRow => ApplicationSummary {
        id, applicant_id, applicant_name, org_unit_id, org_name_ja, org_name_en,
        state: "application state", track: "track", service_name, provider, confidentiality,
        round, submitted_at, created_at, updated_at,
    }
    AccountRow => Account {
        id, service_id, account_id, kind: "account kind", holder_org_unit_id, holder_position,
        created_on, purpose, status: "account status", closed_on, registered_by,
        registered_at, version,
    }
    RegisterRow => RegisterEntry {
        id, service_id, org_unit_id, service_name, provider_name, purpose, classification,
        period_of_use, applicant, user_scope, administrator, citizen_facing, created_at,
        updated_at, version, ended_on,
    }
    NotificationRow => Notification {
        id, user_id, kind = r.kind.as_str().to_string(), application_id, service_id, subject,
        created_at, read_at,
    }
    EvidenceRow => Evidence {
        id, application_id, item_key, filename, content_type, size_bytes, sha256, expires_on,
        note, uploaded_by, uploaded_at, removed_at,
    }
    SubmissionEvidenceRow => SubmissionEvidence {
        id, submission_id, filename, content_type, size_bytes, sha256, expires_on, note,
        uploaded_by, uploaded_at,
    }
    ContractorRow => Contractor {
        id, name, kind: "contractor kind", work, org_unit_id, created_at,
    }
    SubmissionRow => Submission {
        id, contractor_id, service_name, provider, confidentiality, track: "track",
        classification_policy_id, sheet_policy_id, answers: "submission answers",
        state: "submission state", submitted_at, verified_by, verified_at, note, created_by,
        created_at, updated_at, version,
    }
}

impl Application {
    /// The row with the id of the service approved from it, if any.
    pub fn new(
        r: &ApplicationRow,
        service_id: Option<i64>,
        capabilities: gaibu_domain::capability::ApplicationCapabilities,
    ) -> AppResult<Self> {
        Ok(api!(r => Application {
            id, state: "application state", track: "track", applicant_id, org_unit_id,
            fields: "application fields", answers: "answers", classification_policy_id,
            sheet_policy_id, approved_by, approved_at, snapshot_sha256, service_id = service_id,
            created_at, updated_at, version, evaluation: "evaluation",
            procurement: "procurement", round, submitted_at, decision_reason,
            capabilities = capabilities,
        }))
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

impl From<&RegisterUpdate> for RegisterFields {
    fn from(u: &RegisterUpdate) -> Self {
        api!(u => RegisterFields {
            service_name, provider_name, purpose, classification, period_of_use, applicant,
            user_scope, administrator,
        })
    }
}
