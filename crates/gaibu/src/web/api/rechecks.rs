//! Re-checks (S6.1), corrective actions and the stop of use (S6.2), and check orders (S6.3).
//! The API's types of these records and their conversions from the rows are here, beside
//! their handlers.

use super::extract::{ApiQuery, Caller, Change, Created, OnRecord, Sent, routes_of, versioned};
use super::model::Paged;
use super::{Forbidden, Refusals, ServiceId};
use crate::error::AppResult;
use crate::lists::lifecycle::{OrderListQuery, WorkListQuery};
use crate::rechecks::lists;
use crate::rechecks::{self as ops, PreviousFrom};
use crate::state::AppState;
use axum::Json;
use gaibu_domain::check_order::{OrderInput, ReportInput};
use gaibu_domain::recheck::{
    ActionInput, ActionState, EventInput, RecheckInput, RecheckState, ResultInput, Trigger,
};
use gaibu_domain::sheet::Answer;
use gaibu_store::page::Page;
use gaibu_store::{
    CorrectiveActionRow, OrderProgressRow, OrderTargetRow, OrderTargetView, RecheckRow,
};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    routes_of!(
        record_event; service_rechecks; my_work; list_actions; my_reports; get_recheck,
        save_recheck; plan_action; record_result; list_orders, issue_order; get_order;
        report_check
    )
}

#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)] // documents the parameter only
pub struct RecordId {
    /// Record id
    id: i64,
}

/// A re-check (S6.1).
#[derive(Debug, Serialize, ToSchema)]
pub struct Recheck {
    pub id: i64,
    pub service_id: i64,
    pub administrator_id: i64,
    pub cause: Trigger,
    pub description: String,
    #[schema(value_type = String, format = Date)]
    pub occurred_on: Date,
    pub tos_version: String,
    pub tos_url: String,
    pub evidence_id: Option<i64>,
    #[schema(value_type = String, format = Date)]
    pub due_on: Date,
    pub state: RecheckState,
    pub sheet_policy_id: Option<i64>,
    pub answers: BTreeMap<String, Answer>,
    pub reason: String,
    pub judged_by: Option<i64>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub judged_at: Option<Timestamp>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    pub version: i64,
}

impl From<&RecheckRow> for Recheck {
    fn from(r: &RecheckRow) -> Self {
        Recheck {
            id: r.id,
            service_id: r.service_id,
            administrator_id: r.administrator_id,
            cause: r.cause,
            description: r.description.clone(),
            occurred_on: r.occurred_on,
            tos_version: r.tos_version.clone(),
            tos_url: r.tos_url.clone(),
            evidence_id: r.evidence_id,
            due_on: r.due_on,
            state: r.state,
            sheet_policy_id: r.sheet_policy_id,
            answers: r.answers.clone(),
            reason: r.reason.clone(),
            judged_by: r.judged_by,
            judged_at: r.judged_at,
            created_at: r.created_at,
            version: r.version,
        }
    }
}

/// A corrective action (S6.2).
#[derive(Debug, Serialize, ToSchema)]
pub struct CorrectiveAction {
    pub id: i64,
    pub recheck_id: i64,
    pub service_id: i64,
    pub administrator_id: i64,
    pub owner_id: i64,
    #[schema(value_type = String, format = Date)]
    pub due_on: Date,
    pub plan: String,
    pub state: ActionState,
    pub note: String,
    pub resulted_by: Option<i64>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub resulted_at: Option<Timestamp>,
    pub version: i64,
}

impl From<&CorrectiveActionRow> for CorrectiveAction {
    fn from(r: &CorrectiveActionRow) -> Self {
        CorrectiveAction {
            id: r.id,
            recheck_id: r.recheck_id,
            service_id: r.service_id,
            administrator_id: r.administrator_id,
            owner_id: r.owner_id,
            due_on: r.due_on,
            plan: r.plan.clone(),
            state: r.state,
            note: r.note.clone(),
            resulted_by: r.resulted_by,
            resulted_at: r.resulted_at,
            version: r.version,
        }
    }
}

/// One service's part of a check order (S6.3).
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderTarget {
    pub id: i64,
    pub order_id: i64,
    pub service_id: i64,
    pub service_name: String,
    pub administrator_id: i64,
    #[schema(value_type = String, format = Date)]
    pub due_on: Date,
    /// `pending` or `reported`.
    pub state: String,
    pub result: String,
    /// The order's reason.
    pub reason: String,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub reported_at: Option<Timestamp>,
    pub version: i64,
}

impl From<&OrderTargetView> for OrderTarget {
    fn from(r: &OrderTargetView) -> Self {
        OrderTarget {
            id: r.id,
            order_id: r.order_id,
            service_id: r.service_id,
            service_name: r.service_name.clone(),
            administrator_id: r.administrator_id,
            due_on: r.due_on,
            state: r.state.clone(),
            result: r.result.clone(),
            reason: r.reason.clone(),
            reported_at: r.reported_at,
            version: r.version,
        }
    }
}

/// A report as recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct Report {
    pub id: i64,
    pub order_id: i64,
    pub service_id: i64,
    pub state: String,
    pub result: String,
    pub reported_by: Option<i64>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub reported_at: Option<Timestamp>,
    pub version: i64,
}

impl From<&OrderTargetRow> for Report {
    fn from(r: &OrderTargetRow) -> Self {
        Report {
            id: r.id,
            order_id: r.order_id,
            service_id: r.service_id,
            state: r.state.clone(),
            result: r.result.clone(),
            reported_by: r.reported_by,
            reported_at: r.reported_at,
            version: r.version,
        }
    }
}

/// A check order with its progress, counted by the database (S6.3).
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckOrder {
    pub id: i64,
    pub ordered_by: i64,
    /// `{"service": id}` or `{"provider": name}`.
    #[schema(value_type = Object)]
    pub target: serde_json::Value,
    pub reason: String,
    #[schema(value_type = String, format = Date)]
    pub due_on: Date,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    pub total: i64,
    pub reported: i64,
    /// Not reported, not yet due.
    pub pending: i64,
    /// Not reported, past due.
    pub overdue: i64,
}

impl From<&OrderProgressRow> for CheckOrder {
    fn from(r: &OrderProgressRow) -> Self {
        CheckOrder {
            id: r.id,
            ordered_by: r.ordered_by,
            target: r.target.clone(),
            reason: r.reason.clone(),
            due_on: r.due_on,
            created_at: r.created_at,
            total: r.total,
            reported: r.reported,
            pending: r.pending,
            overdue: r.overdue,
        }
    }
}

/// A re-check beside the previous answers (S6.1).
#[derive(Debug, Serialize, ToSchema)]
pub struct RecheckDetail {
    pub recheck: Recheck,
    /// The previous answers: of the last passed re-check, else of the approved application.
    pub previous: BTreeMap<String, Answer>,
    /// `application` or `recheck`.
    #[schema(value_type = String)]
    pub previous_from: PreviousFrom,
    /// The id of the application or re-check they come from.
    pub previous_id: i64,
    /// Items still unanswered or to justify (`item`, `code`).
    #[schema(value_type = Vec<Object>)]
    pub missing: Vec<gaibu_domain::sheet::ItemProblem>,
    pub corrective_action: Option<CorrectiveAction>,
}

/// A re-check saved: judged, or a draft with what is still missing.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecheckSaved {
    pub recheck: Recheck,
    #[schema(value_type = Vec<Object>)]
    pub missing: Vec<gaibu_domain::sheet::ItemProblem>,
}

/// An order issued and how many services it covers.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderIssued {
    pub id: i64,
    pub services: usize,
}

/// An order and its services.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderDetail {
    pub order: CheckOrder,
    /// A page of its services, filtered as asked.
    pub targets: Vec<OrderTarget>,
    /// Where the next page of its services starts (null on the last).
    pub next_cursor: Option<String>,
}

/// A page of rows as the API's page, each converted.
fn page_of<'a, R, T: ToSchema + From<&'a R>>(p: &'a Page<R>) -> Paged<T> {
    Paged {
        items: p.items.iter().map(T::from).collect(),
        next_cursor: p.next_cursor(),
    }
}

#[utoipa::path(post, path = "/api/v1/services/{id}/events", tag = "rechecks", params(ServiceId),
    request_body = EventInput, responses((status = 201, body = Recheck), Refusals))]
async fn record_event(c: Change<EventInput>) -> AppResult<Created<Recheck>> {
    let r = ops::record_event(&c.st, &c.u, c.id, &c.body).await?;
    Ok(Created(Recheck::from(&r)))
}

#[utoipa::path(get, path = "/api/v1/services/{id}/rechecks", tag = "rechecks",
    params(ServiceId, WorkListQuery), responses((status = 200, body = Paged<Recheck>), Refusals))]
async fn service_rechecks(
    c: OnRecord,
    ApiQuery(q): ApiQuery<WorkListQuery>,
) -> AppResult<Json<Paged<Recheck>>> {
    let s = crate::services::get(&c.st, c.id).await?;
    let p = lists::of_service(&c.st, &c.u, &s, &q).await??;
    Ok(Json(page_of(&p)))
}

/// The caller's re-checks (open unless asked otherwise), or with `scope=all` those of the
/// units they oversee.
#[utoipa::path(get, path = "/api/v1/rechecks", tag = "rechecks", params(WorkListQuery),
    responses((status = 200, body = Paged<Recheck>), Refusals))]
async fn my_work(
    c: Caller,
    ApiQuery(q): ApiQuery<WorkListQuery>,
) -> AppResult<Json<Paged<Recheck>>> {
    let p = lists::rechecks(&c.st, &c.u, &q).await??;
    Ok(Json(page_of(&p)))
}

/// The corrective actions the caller owns or administers (open unless asked otherwise), or
/// with `scope=all` those of the units they oversee. `cause` does not filter them.
#[utoipa::path(get, path = "/api/v1/corrective-actions", tag = "rechecks",
    params(WorkListQuery), responses((status = 200, body = Paged<CorrectiveAction>), Refusals))]
async fn list_actions(
    c: Caller,
    ApiQuery(q): ApiQuery<WorkListQuery>,
) -> AppResult<Json<Paged<CorrectiveAction>>> {
    let p = lists::actions(&c.st, &c.u, &q).await??;
    Ok(Json(page_of(&p)))
}

/// The ordered checks the caller reports on (S6.3).
#[utoipa::path(get, path = "/api/v1/check-targets", tag = "rechecks", params(OrderListQuery),
    responses((status = 200, body = Paged<OrderTarget>), Refusals))]
async fn my_reports(
    c: Caller,
    ApiQuery(q): ApiQuery<OrderListQuery>,
) -> AppResult<Json<Paged<OrderTarget>>> {
    let p = lists::my_reports(&c.st, &c.u, &q).await??;
    Ok(Json(page_of(&p)))
}

#[utoipa::path(get, path = "/api/v1/rechecks/{id}", tag = "rechecks", params(RecordId),
    responses((status = 200, body = RecheckDetail), Forbidden))]
async fn get_recheck(c: OnRecord) -> AppResult<Json<RecheckDetail>> {
    let v = ops::view(&c.st, &c.u, c.id).await?;
    Ok(Json(RecheckDetail {
        recheck: Recheck::from(&v.row),
        previous: v.previous,
        previous_from: v.previous_from,
        previous_id: v.previous_id,
        missing: v.problems,
        corrective_action: v.action.as_ref().map(CorrectiveAction::from),
    }))
}

versioned! { VersionedRecheck { #[serde(flatten)] input: RecheckInput } }

#[utoipa::path(put, path = "/api/v1/rechecks/{id}", tag = "rechecks", params(RecordId),
    request_body = VersionedRecheck, responses((status = 200, body = RecheckSaved), Refusals))]
async fn save_recheck(c: Change<VersionedRecheck>) -> AppResult<Json<RecheckSaved>> {
    let (row, missing) = ops::save(&c.st, &c.u, c.id, c.body.version, &c.body.input).await?;
    Ok(Json(RecheckSaved {
        recheck: Recheck::from(&row),
        missing,
    }))
}

#[utoipa::path(post, path = "/api/v1/rechecks/{id}/corrective-action", tag = "rechecks",
    params(RecordId), request_body = ActionInput,
    responses((status = 201, body = CorrectiveAction), Refusals))]
async fn plan_action(c: Change<ActionInput>) -> AppResult<Created<CorrectiveAction>> {
    let a = ops::plan_action(&c.st, &c.u, c.id, &c.body).await?;
    Ok(Created(CorrectiveAction::from(&a)))
}

versioned! { VersionedResult { #[serde(flatten)] input: ResultInput } }

#[utoipa::path(post, path = "/api/v1/corrective-actions/{id}/result", tag = "rechecks",
    params(RecordId), request_body = VersionedResult,
    responses((status = 200, body = CorrectiveAction), Refusals))]
async fn record_result(c: Change<VersionedResult>) -> AppResult<Json<CorrectiveAction>> {
    let a = ops::record_result(&c.st, &c.u, c.id, c.body.version, &c.body.input).await?;
    Ok(Json(CorrectiveAction::from(&a)))
}

#[utoipa::path(get, path = "/api/v1/check-orders", tag = "rechecks", params(OrderListQuery),
    responses((status = 200, body = Paged<CheckOrder>), Refusals, Forbidden))]
async fn list_orders(
    c: Caller,
    ApiQuery(q): ApiQuery<OrderListQuery>,
) -> AppResult<Json<Paged<CheckOrder>>> {
    let p = lists::orders(&c.st, &c.u, &q).await??;
    Ok(Json(page_of(&p)))
}

#[utoipa::path(post, path = "/api/v1/check-orders", tag = "rechecks", request_body = OrderInput,
    responses((status = 201, body = OrderIssued), Refusals))]
async fn issue_order(c: Sent<OrderInput>) -> AppResult<Created<OrderIssued>> {
    let (row, services) = ops::order(&c.st, &c.u, &c.body).await?;
    Ok(Created(OrderIssued {
        id: row.id,
        services,
    }))
}

#[utoipa::path(get, path = "/api/v1/check-orders/{id}", tag = "rechecks",
    params(RecordId, OrderListQuery),
    responses((status = 200, body = OrderDetail), Refusals, Forbidden))]
async fn get_order(
    c: OnRecord,
    ApiQuery(q): ApiQuery<OrderListQuery>,
) -> AppResult<Json<OrderDetail>> {
    let (order, targets) = lists::order_detail(&c.st, &c.u, c.id, &q).await?;
    let targets = targets?;
    Ok(Json(OrderDetail {
        order: CheckOrder::from(&order),
        targets: targets.items.iter().map(OrderTarget::from).collect(),
        next_cursor: targets.next_cursor(),
    }))
}

versioned! { VersionedReport { #[serde(flatten)] input: ReportInput } }

#[utoipa::path(post, path = "/api/v1/check-targets/{id}/report", tag = "rechecks",
    params(RecordId), request_body = VersionedReport,
    responses((status = 200, body = Report), Refusals))]
async fn report_check(c: Change<VersionedReport>) -> AppResult<Json<Report>> {
    let r = ops::report(&c.st, &c.u, c.id, c.body.version, &c.body.input).await?;
    Ok(Json(Report::from(&r)))
}
