//! Approved services: the information-system ledger, retirement, official accounts and the
//! service's history.

use super::extract::{ApiQuery, Caller, Change, Created, OnRecord, one, routes_of, versioned};
use super::model::{Account, HistoryEvent, Paged, Service, ServiceSummary};
use super::{AccountId, ServiceId};
use super::{Forbidden, Refusals};
use crate::error::AppResult;
use crate::services::{self as ops, CloseAccountInput};
use crate::state::AppState;
use axum::Json;
use gaibu_domain::account::AccountInput;
use gaibu_domain::ledger::{LedgerInput, RetireInput};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    routes_of!(
        list_services; get_service; register_in_ledger; retire_service; list_accounts, add_account;
        close_account; service_history
    )
}

#[utoipa::path(get, path = "/api/v1/services", tag = "services",
    params(crate::lists::ServiceListQuery),
    responses((status = 200, body = Paged<ServiceSummary>), Refusals))]
async fn list_services(
    c: Caller,
    super::extract::ApiQuery(q): super::extract::ApiQuery<crate::lists::ServiceListQuery>,
) -> AppResult<Json<Paged<ServiceSummary>>> {
    let (filter, ask) = q.parse(&c.st, c.st.today()).await??;
    Ok(Json(super::convert::paged(
        &c.st.store.service_page(&filter, &ask).await?,
    )?))
}

#[utoipa::path(get, path = "/api/v1/services/{id}", tag = "services", params(ServiceId),
    responses((status = 200, body = Service)))]
async fn get_service(c: OnRecord) -> AppResult<Json<Service>> {
    one(&ops::get(&c.st, c.id).await?)
}

versioned! { VersionedLedger { #[serde(flatten)] input: LedgerInput } }

#[utoipa::path(post, path = "/api/v1/services/{id}/ledger", tag = "services", params(ServiceId),
    request_body = VersionedLedger, responses((status = 200, body = Service), Refusals))]
async fn register_in_ledger(c: Change<VersionedLedger>) -> AppResult<Json<Service>> {
    one(&ops::register_in_ledger(&c.st, &c.u, c.id, c.body.version, &c.body.input).await?)
}

versioned! { VersionedRetire { #[serde(flatten)] input: RetireInput } }

#[utoipa::path(post, path = "/api/v1/services/{id}/retire", tag = "services", params(ServiceId),
    request_body = VersionedRetire, responses((status = 200, body = Service), Refusals))]
async fn retire_service(c: Change<VersionedRetire>) -> AppResult<Json<Service>> {
    one(&ops::retire(&c.st, &c.u, c.id, c.body.version, &c.body.input).await?)
}

#[utoipa::path(get, path = "/api/v1/services/{id}/accounts", tag = "services",
    params(ServiceId, crate::lists::AccountListQuery),
    responses((status = 200, body = Paged<Account>), Forbidden))]
async fn list_accounts(
    OnRecord { st, u, id }: OnRecord,
    super::extract::ApiQuery(q): super::extract::ApiQuery<crate::lists::AccountListQuery>,
) -> AppResult<Json<Paged<Account>>> {
    let s = ops::get(&st, id).await?;
    let (filter, ask) = q.parse(id)?;
    match ops::accounts(&st, &u, &s, (&filter, &ask)).await? {
        Some(a) => Ok(Json(super::convert::paged(&a)?)),
        None => {
            let r = gaibu_domain::Refusal::Forbidden("accounts_hidden");
            let entity = gaibu_domain::audit::Entity::Service;
            Err(crate::audit_denial::refuse(&st, &u, r, "account.list", entity, Some(id)).await)
        }
    }
}

#[utoipa::path(post, path = "/api/v1/services/{id}/accounts", tag = "services", params(ServiceId),
    request_body = AccountInput, responses((status = 201, body = Account), Refusals))]
async fn add_account(c: Change<AccountInput>) -> AppResult<Created<Account>> {
    one(&ops::add_account(&c.st, &c.u, c.id, &c.body).await?).map(Created::from)
}

versioned! {
    /// Closing an official account, based on its version.
    CloseAccountBody {
        /// The day it was closed (`YYYY-MM-DD`); today when empty.
        #[serde(default)]
        closed_on: String,
    }
}

#[utoipa::path(post, path = "/api/v1/accounts/{id}/close", tag = "services", params(AccountId),
    request_body = CloseAccountBody, responses((status = 200, body = Account), Refusals))]
async fn close_account(
    Change { head: c, body }: Change<CloseAccountBody>,
) -> AppResult<Json<Account>> {
    let CloseAccountBody { version, closed_on } = body;
    let input = CloseAccountInput { version, closed_on };
    one(&ops::close_account(&c.st, &c.u, c.id, &input).await?)
}

/// A page of a service's timeline.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TimelineQuery {
    /// Events per page: 50 unless given, at most 200.
    #[serde(default)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the page before: the events older than it.
    #[serde(default)]
    pub cursor: Option<i64>,
    /// The same as `cursor` (a `seq`): the events older than it.
    #[serde(default)]
    pub before: Option<i64>,
}

/// One page of the timeline, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryPage {
    pub items: Vec<HistoryEvent>,
    /// The `cursor` of the next (older) page; null on the last.
    pub next_cursor: Option<String>,
}

/// The service's timeline: every audit event of the service and of the application it came
/// from (application rounds, approval, measures, checks, re-checks, accounts, termination),
/// newest first, a page at a time.
#[utoipa::path(get, path = "/api/v1/services/{id}/history", tag = "services",
    params(ServiceId, TimelineQuery), responses((status = 200, body = HistoryPage)))]
async fn service_history(
    c: OnRecord,
    ApiQuery(q): ApiQuery<TimelineQuery>,
) -> AppResult<Json<HistoryPage>> {
    let s = ops::get(&c.st, c.id).await?;
    // The contents (applications' answers, account addresses) only for those who may read
    // them; everyone else sees who did what, when.
    let full = ops::may_view_accounts(&c.u, &s, &crate::auth::org_tree(&c.st).await?);
    let (events, next) = ops::timeline(&c.st, &s, q.cursor.or(q.before), q.limit).await?;
    let items = events.iter().map(|e| HistoryEvent::new(e, full));
    Ok(Json(HistoryPage {
        items: items.collect::<AppResult<_>>()?,
        next_cursor: next.map(|seq| seq.to_string()),
    }))
}
