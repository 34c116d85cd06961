//! Approved services: the information-system ledger, retirement, official accounts and the
//! service's history.

use super::extract::{Caller, Change, Created, OnRecord, many, one, versioned};
use super::model::{Account, HistoryEvent, Service};
use super::{Forbidden, Refusals};
use crate::error::AppResult;
use crate::services::{self as ops, CloseAccountInput};
use crate::state::AppState;
use axum::Json;
use gaibu_domain::account::AccountInput;
use gaibu_domain::ledger::{LedgerInput, RetireInput};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_services))
        .routes(routes!(get_service))
        .routes(routes!(register_in_ledger))
        .routes(routes!(retire_service))
        .routes(routes!(list_accounts, add_account))
        .routes(routes!(close_account))
        .routes(routes!(service_history))
}

#[utoipa::path(get, path = "/api/v1/services", tag = "services",
    responses((status = 200, body = Vec<Service>)))]
async fn list_services(c: Caller) -> AppResult<Json<Vec<Service>>> {
    many(&ops::list(&c.st).await?)
}

#[utoipa::path(get, path = "/api/v1/services/{id}", tag = "services",
    params(("id" = i64, Path, description = "Service id")),
    responses((status = 200, body = Service)))]
async fn get_service(c: OnRecord) -> AppResult<Json<Service>> {
    one(&ops::get(&c.st, c.id).await?)
}

versioned!(VersionedLedger { input: LedgerInput });

#[utoipa::path(post, path = "/api/v1/services/{id}/ledger", tag = "services",
    request_body = VersionedLedger, params(("id" = i64, Path, description = "Service id")),
    responses((status = 200, body = Service), Refusals))]
async fn register_in_ledger(c: Change<VersionedLedger>) -> AppResult<Json<Service>> {
    one(&ops::register_in_ledger(&c.st, &c.u, c.id, c.body.version, &c.body.input).await?)
}

versioned!(VersionedRetire { input: RetireInput });

#[utoipa::path(post, path = "/api/v1/services/{id}/retire", tag = "services",
    request_body = VersionedRetire, params(("id" = i64, Path, description = "Service id")),
    responses((status = 200, body = Service), Refusals))]
async fn retire_service(c: Change<VersionedRetire>) -> AppResult<Json<Service>> {
    one(&ops::retire(&c.st, &c.u, c.id, c.body.version, &c.body.input).await?)
}

#[utoipa::path(get, path = "/api/v1/services/{id}/accounts", tag = "services",
    params(("id" = i64, Path, description = "Service id")),
    responses((status = 200, body = Vec<Account>), Forbidden))]
async fn list_accounts(OnRecord { st, u, id }: OnRecord) -> AppResult<Json<Vec<Account>>> {
    let s = ops::get(&st, id).await?;
    match ops::accounts(&st, &u, &s).await? {
        Some(a) => many(&a),
        None => {
            let r = gaibu_domain::Refusal::Forbidden("accounts_hidden");
            let entity = gaibu_domain::audit::Entity::Service;
            Err(crate::audit_denial::refuse(&st, &u, r, "account.list", entity, Some(id)).await)
        }
    }
}

#[utoipa::path(post, path = "/api/v1/services/{id}/accounts", tag = "services",
    request_body = AccountInput, params(("id" = i64, Path, description = "Service id")),
    responses((status = 201, body = Account), Refusals))]
async fn add_account(c: Change<AccountInput>) -> AppResult<Created<Account>> {
    one(&ops::add_account(&c.st, &c.u, c.id, &c.body).await?).map(Created::from)
}

/// Closing an official account, based on its version.
#[derive(Deserialize, ToSchema)]
pub struct CloseAccountBody {
    #[schema(minimum = 1)]
    pub version: i64,
    /// The day it was closed (`YYYY-MM-DD`); today when empty.
    #[serde(default)]
    pub closed_on: String,
}

#[utoipa::path(post, path = "/api/v1/accounts/{id}/close", tag = "services",
    request_body = CloseAccountBody, params(("id" = i64, Path, description = "Account id")),
    responses((status = 200, body = Account), Refusals))]
async fn close_account(c: Change<CloseAccountBody>) -> AppResult<Json<Account>> {
    let CloseAccountBody { version, closed_on } = c.body;
    let input = CloseAccountInput { version, closed_on };
    one(&ops::close_account(&c.st, &c.u, c.id, &input).await?)
}

#[utoipa::path(get, path = "/api/v1/services/{id}/history", tag = "services",
    params(("id" = i64, Path, description = "Service id")),
    responses((status = 200, body = Vec<HistoryEvent>)))]
async fn service_history(c: OnRecord) -> AppResult<Json<Vec<HistoryEvent>>> {
    let s = ops::get(&c.st, c.id).await?;
    // The contents (applications' answers, account addresses) only for those who may read
    // them; everyone else sees who did what, when.
    let full = ops::may_view_accounts(&c.u, &s, &crate::auth::org_tree(&c.st).await?);
    let events = c.st.store.service_history(s.id, s.application_id).await?;
    let events = events.iter().map(|e| HistoryEvent::new(e, full));
    Ok(Json(events.collect::<AppResult<_>>()?))
}
