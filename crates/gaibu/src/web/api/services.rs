//! Approved services: the information-system ledger, retirement, official accounts and the
//! service's history.

use super::convert;
use super::extract::{ApiJson, created};
use super::model::{Account, HistoryEvent, Service};
use crate::auth::CurrentUser;
use crate::error::{AppResult, ErrorBody};
use crate::services::{self as ops, CloseAccountInput};
use crate::state::AppState;
use crate::web::Path;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
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
async fn list_services(
    State(st): State<AppState>,
    _u: CurrentUser,
) -> AppResult<Json<Vec<Service>>> {
    Ok(Json(convert::all(&ops::list(&st).await?)?))
}

#[utoipa::path(get, path = "/api/v1/services/{id}", tag = "services",
    params(("id" = i64, Path, description = "Service id")),
    responses((status = 200, body = Service)))]
async fn get_service(
    State(st): State<AppState>,
    _u: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<Service>> {
    Ok(Json(Service::try_from(&ops::get(&st, id).await?)?))
}

#[derive(Deserialize, ToSchema)]
pub struct VersionedLedger {
    #[schema(minimum = 1)]
    pub version: i64,
    #[serde(flatten)]
    pub input: LedgerInput,
}

#[utoipa::path(post, path = "/api/v1/services/{id}/ledger", tag = "services", request_body = VersionedLedger,
    params(("id" = i64, Path, description = "Service id")),
    responses((status = 200, body = Service), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn register_in_ledger(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<VersionedLedger>,
) -> AppResult<Json<Service>> {
    let row = ops::register_in_ledger(&st, &u, id, b.version, &b.input).await?;
    Ok(Json(Service::try_from(&row)?))
}

#[derive(Deserialize, ToSchema)]
pub struct VersionedRetire {
    #[schema(minimum = 1)]
    pub version: i64,
    #[serde(flatten)]
    pub input: RetireInput,
}

#[utoipa::path(post, path = "/api/v1/services/{id}/retire", tag = "services", request_body = VersionedRetire,
    params(("id" = i64, Path, description = "Service id")),
    responses((status = 200, body = Service), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn retire_service(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<VersionedRetire>,
) -> AppResult<Json<Service>> {
    let row = ops::retire(&st, &u, id, b.version, &b.input).await?;
    Ok(Json(Service::try_from(&row)?))
}

#[utoipa::path(get, path = "/api/v1/services/{id}/accounts", tag = "services",
    params(("id" = i64, Path, description = "Service id")),
    responses((status = 200, body = Vec<Account>), (status = 403, body = ErrorBody)))]
async fn list_accounts(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<Account>>> {
    let s = ops::get(&st, id).await?;
    match ops::accounts(&st, &u, &s).await? {
        Some(a) => Ok(Json(convert::all(&a)?)),
        None => {
            let r = gaibu_domain::Refusal::Forbidden("accounts_hidden");
            let entity = gaibu_domain::audit::Entity::Service;
            Err(crate::audit_denial::refuse(&st, &u, r, "account.list", entity, Some(id)).await)
        }
    }
}

#[utoipa::path(post, path = "/api/v1/services/{id}/accounts", tag = "services", request_body = AccountInput,
    params(("id" = i64, Path, description = "Service id")),
    responses((status = 201, body = Account), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_account(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AccountInput>,
) -> AppResult<Response> {
    let row = ops::add_account(&st, &u, id, &input).await?;
    Ok(created(Account::try_from(&row)?))
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

#[utoipa::path(post, path = "/api/v1/accounts/{id}/close", tag = "services", request_body = CloseAccountBody,
    params(("id" = i64, Path, description = "Account id")),
    responses((status = 200, body = Account), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn close_account(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<CloseAccountBody>,
) -> AppResult<Json<Account>> {
    let input = CloseAccountInput {
        version: b.version,
        closed_on: b.closed_on,
    };
    let row = ops::close_account(&st, &u, id, &input).await?;
    Ok(Json(Account::try_from(&row)?))
}

#[utoipa::path(get, path = "/api/v1/services/{id}/history", tag = "services",
    params(("id" = i64, Path, description = "Service id")),
    responses((status = 200, body = Vec<HistoryEvent>)))]
async fn service_history(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<HistoryEvent>>> {
    let s = ops::get(&st, id).await?;
    // The contents (applications' answers, account addresses) only for those who may read
    // them; everyone else sees who did what, when.
    let full = ops::may_view_accounts(&u, &s, &crate::auth::org_tree(&st).await?);
    let events = st.store.service_history(s.id, s.application_id).await?;
    Ok(Json(
        events
            .iter()
            .map(|e| HistoryEvent::new(e, full))
            .collect::<AppResult<_>>()?,
    ))
}
