//! A service's security measures after approval: the build-time checklist (S3.5), the move
//! into operation, the rules of the operation-time and end-of-use measures (S3.6-1, S3.6-2,
//! S3.7-1), the service's managers, periodic checks and those due (S3.6-3).

use super::extract::{ApiQuery, Caller, Change, Created, OnRecord, one, routes_of, versioned};
use super::model::{Paged, Service};
use super::{Forbidden, Refusals, ServiceId};
use crate::error::{AppError, AppResult};
use crate::measures as ops;
use crate::state::AppState;
use axum::Json;
use gaibu_domain::measures::{
    BuildInput, CheckInput, CheckItem, Due, ManagersInput, MeasureCapabilities, RuleInput,
    due_state,
};
use gaibu_domain::service_life::{Measure, MeasureStatus};
use gaibu_store::lists::checks::DueCheckSummary;
use gaibu_store::{CheckRow, MeasureRow, RuleRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    routes_of!(
        get_measures, record_measure; put_into_operation; get_rules, define_rule;
        list_checks, record_check; change_managers; due_checks
    )
}

/// A measure of the policy, as shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeasureText {
    pub id: String,
    pub group: String,
    pub clause: String,
    pub text_ja: String,
    pub text_en: String,
}

impl From<&Measure> for MeasureText {
    fn from(m: &Measure) -> Self {
        MeasureText {
            id: m.id.clone(),
            group: m.group.clone(),
            clause: m.clause.clone(),
            text_ja: m.text_ja.clone(),
            text_en: m.text_en.clone(),
        }
    }
}

/// S3.5.6: a build-time measure's record: status, what the provider said, evidence, who, when.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeasureRecord {
    pub id: i64,
    pub measure_id: String,
    pub status: MeasureStatus,
    pub reason: String,
    pub provider_said: String,
    pub evidence: String,
    /// The service-life policy version it was made under.
    pub policy_id: i64,
    pub recorded_by: i64,
    #[schema(value_type = String, format = DateTime)]
    pub recorded_at: jiff::Timestamp,
    pub version: i64,
}

impl From<&MeasureRow> for MeasureRecord {
    fn from(r: &MeasureRow) -> Self {
        MeasureRecord {
            id: r.id,
            measure_id: r.measure_id.clone(),
            status: r.status,
            reason: r.reason.clone(),
            provider_said: r.provider_said.clone(),
            evidence: r.evidence.clone(),
            policy_id: r.policy_id,
            recorded_by: r.recorded_by,
            recorded_at: r.recorded_at,
            version: r.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChecklistItem {
    pub measure: MeasureText,
    /// Absent until the administrator records it.
    pub record: Option<MeasureRecord>,
}

/// The service's measures page as data.
#[derive(Debug, Serialize, ToSchema)]
pub struct Checklist {
    pub service_id: i64,
    /// `building`, `in_operation`, … (absent before the ledger entry).
    pub ledger_status: Option<String>,
    /// The service's version, for the move into operation and a change of managers.
    pub service_version: i64,
    pub business_system_manager_id: Option<i64>,
    pub infrastructure_manager_id: Option<i64>,
    #[schema(value_type = Option<String>, format = Date)]
    pub next_check_due: Option<jiff::civil::Date>,
    pub policy_id: i64,
    pub capabilities: MeasureCapabilities,
    /// The measures that apply to this service's classification, in order.
    pub items: Vec<ChecklistItem>,
    /// The applicable measures with no status yet.
    pub missing: Vec<String>,
}

#[utoipa::path(get, path = "/api/v1/services/{id}/measures", tag = "measures", params(ServiceId),
    responses((status = 200, body = Checklist), Forbidden))]
async fn get_measures(c: OnRecord) -> AppResult<Json<Checklist>> {
    let (row, tree) = ops::viewable(&c.st, &c.u, c.id).await?;
    let list = ops::checklist(&c.st, &row).await?;
    Ok(Json(Checklist {
        service_id: row.id,
        ledger_status: row.ledger_status.map(|s| s.as_str().to_string()),
        service_version: row.version,
        business_system_manager_id: row.business_system_manager_id,
        infrastructure_manager_id: row.infrastructure_manager_id,
        next_check_due: row.next_check_due,
        policy_id: list.policy.row.id,
        capabilities: ops::capabilities(&c.u, &row, &tree),
        items: list
            .measures
            .iter()
            .map(|m| ChecklistItem {
                measure: m.into(),
                record: list.record(&m.id).map(MeasureRecord::from),
            })
            .collect(),
        missing: list.missing().into_iter().map(|p| p.item).collect(),
    }))
}

/// One build-time measure's record; `version` is the record's as last read, absent for the
/// first record.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MeasureBody {
    pub measure_id: String,
    #[serde(default)]
    #[schema(minimum = 1)]
    pub version: Option<i64>,
    #[serde(flatten)]
    pub input: BuildInput,
}

#[utoipa::path(put, path = "/api/v1/services/{id}/measures", tag = "measures", params(ServiceId),
    request_body = MeasureBody, responses((status = 200, body = MeasureRecord), Refusals))]
async fn record_measure(c: Change<MeasureBody>) -> AppResult<Json<MeasureRecord>> {
    let b = &c.body;
    let v = b.version.unwrap_or(0);
    let row = ops::record_build(&c.st, &c.u, c.id, &b.measure_id, v, &b.input).await?;
    Ok(Json((&row).into()))
}

versioned! {
    /// The move 構築中 → 稼働中, based on the service's version.
    OperationBody {}
}

#[utoipa::path(post, path = "/api/v1/services/{id}/operation", tag = "measures",
    params(ServiceId), request_body = OperationBody,
    responses((status = 200, body = Service), Refusals))]
async fn put_into_operation(c: Change<OperationBody>) -> AppResult<Json<Service>> {
    one(&ops::put_into_operation(&c.st, &c.u, c.id, c.body.version).await?)
}

/// A rule of a service (S3.6-1, S3.6-2, S3.7-1).
#[derive(Debug, Serialize, ToSchema)]
pub struct Rule {
    pub measure: MeasureText,
    pub body: Option<String>,
    pub policy_id: Option<i64>,
    pub defined_by: Option<i64>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub defined_at: Option<jiff::Timestamp>,
    /// The rule's version; absent until defined.
    pub version: Option<i64>,
}

fn rule(m: &Measure, r: Option<&RuleRow>) -> Rule {
    Rule {
        measure: m.into(),
        body: r.map(|r| r.body.clone()),
        policy_id: r.map(|r| r.policy_id),
        defined_by: r.map(|r| r.defined_by),
        defined_at: r.map(|r| r.defined_at),
        version: r.map(|r| r.version),
    }
}

#[utoipa::path(get, path = "/api/v1/services/{id}/rules", tag = "measures", params(ServiceId),
    responses((status = 200, body = Vec<Rule>), Forbidden))]
async fn get_rules(c: OnRecord) -> AppResult<Json<Vec<Rule>>> {
    let (row, _) = ops::viewable(&c.st, &c.u, c.id).await?;
    let rules = ops::rules_of(&c.st, &row).await?;
    Ok(Json(
        rules
            .measures()
            .map(|m| rule(m, rules.rule(&m.id)))
            .collect(),
    ))
}

/// A rule's text; `version` is the rule's as last read, absent for the first definition.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RuleBody {
    pub measure_id: String,
    #[serde(default)]
    #[schema(minimum = 1)]
    pub version: Option<i64>,
    #[serde(flatten)]
    pub input: RuleInput,
}

#[utoipa::path(put, path = "/api/v1/services/{id}/rules", tag = "measures", params(ServiceId),
    request_body = RuleBody, responses((status = 200, body = Rule), Refusals))]
async fn define_rule(c: Change<RuleBody>) -> AppResult<Json<Rule>> {
    let b = &c.body;
    let v = b.version.unwrap_or(0);
    let row = ops::define_rule(&c.st, &c.u, c.id, &b.measure_id, v, &b.input).await?;
    let service = crate::services::get(&c.st, c.id).await?;
    let rules = ops::rules_of(&c.st, &service).await?;
    let m = rules
        .measures()
        .find(|m| m.id == row.measure_id)
        .ok_or(AppError::NotFound)?;
    Ok(Json(rule(m, Some(&row))))
}

/// S3.6-3: a periodic check as recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct PeriodicCheck {
    pub id: i64,
    pub service_id: i64,
    #[schema(value_type = String, format = Date)]
    pub checked_on: jiff::civil::Date,
    pub summary: String,
    pub items: Vec<CheckItem>,
    pub policy_id: i64,
    pub checked_by: i64,
    #[schema(value_type = String, format = DateTime)]
    pub checked_at: jiff::Timestamp,
    /// The next check; absent when the class has none.
    #[schema(value_type = Option<String>, format = Date)]
    pub next_due_on: Option<jiff::civil::Date>,
}

impl From<&CheckRow> for PeriodicCheck {
    fn from(r: &CheckRow) -> Self {
        PeriodicCheck {
            id: r.id,
            service_id: r.service_id,
            checked_on: r.checked_on,
            summary: r.summary.clone(),
            items: r.items.clone(),
            policy_id: r.policy_id,
            checked_by: r.checked_by,
            checked_at: r.checked_at,
            next_due_on: r.next_due_on,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/services/{id}/checks", tag = "measures", params(ServiceId),
    responses((status = 200, body = Vec<PeriodicCheck>), Forbidden))]
async fn list_checks(c: OnRecord) -> AppResult<Json<Vec<PeriodicCheck>>> {
    let (row, _) = ops::viewable(&c.st, &c.u, c.id).await?;
    let checks = ops::checks_of(&c.st, &row).await?;
    Ok(Json(checks.iter().map(PeriodicCheck::from).collect()))
}

#[utoipa::path(post, path = "/api/v1/services/{id}/checks", tag = "measures", params(ServiceId),
    request_body = CheckInput, responses((status = 201, body = PeriodicCheck), Refusals))]
async fn record_check(c: Change<CheckInput>) -> AppResult<Created<PeriodicCheck>> {
    let row = ops::record_check(&c.st, &c.u, c.id, &c.body).await?;
    Ok(Created((&row).into()))
}

versioned! {
    /// The service's managers named anew, based on the service's version.
    ManagersBody { #[serde(flatten)] input: ManagersInput }
}

#[utoipa::path(post, path = "/api/v1/services/{id}/managers", tag = "measures",
    params(ServiceId), request_body = ManagersBody,
    responses((status = 200, body = Service), Refusals))]
async fn change_managers(c: Change<ManagersBody>) -> AppResult<Json<Service>> {
    one(&ops::change_managers(&c.st, &c.u, c.id, c.body.version, &c.body.input).await?)
}

/// A service whose periodic check is due.
#[derive(Debug, Serialize, ToSchema)]
pub struct DueCheck {
    pub service_id: i64,
    pub name: String,
    pub provider: String,
    pub org_unit_id: i64,
    pub confidentiality: String,
    #[schema(value_type = String, format = Date)]
    pub due_on: jiff::civil::Date,
    /// `overdue`, `soon` (within the reminder lead) or `later`.
    pub state: String,
}

pub fn due_items(rows: &[DueCheckSummary], today: jiff::civil::Date, soon: i64) -> Vec<DueCheck> {
    rows.iter()
        .map(|s| {
            let state = match due_state(today, s.next_check_due, soon) {
                Due::Overdue => "overdue",
                Due::Soon => "soon",
                Due::Later => "later",
            };
            DueCheck {
                service_id: s.id,
                name: s.name.clone(),
                provider: s.provider.clone(),
                org_unit_id: s.org_unit_id,
                confidentiality: s.confidentiality.clone(),
                due_on: s.next_check_due,
                state: state.into(),
            }
        })
        .collect()
}

#[utoipa::path(get, path = "/api/v1/checks", tag = "measures",
    params(crate::lists::lifecycle::DueCheckListQuery),
    responses((status = 200, body = Paged<DueCheck>), Refusals))]
async fn due_checks(
    c: Caller,
    ApiQuery(q): ApiQuery<crate::lists::lifecycle::DueCheckListQuery>,
) -> AppResult<Json<Paged<DueCheck>>> {
    let (p, soon) = ops::due_checks(&c.st, &c.u, &q).await??;
    Ok(Json(Paged {
        items: due_items(&p.items, c.st.today(), soon),
        next_cursor: p.next_cursor(),
    }))
}
