//! The JSON API's download routes of the lifecycle lists and of a service's accounts:
//! `GET /api/v1/{rechecks,corrective-actions,terminations,check-orders}/export` and
//! `GET /api/v1/services/{id}/accounts/export`, each with the list's own query.

use super::columns::ListKind;
use super::routes::{ExportFormat, FILES, api_of};
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::Path;
use crate::web::api::{Forbidden, ServiceId};
use axum::extract::{RawQuery, State};
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;

#[utoipa::path(get, path = "/api/v1/rechecks/export", tag = "rechecks",
    description = FILES,
    params(ExportFormat, crate::lists::lifecycle::WorkListQuery),
    responses((status = 200, description = "The re-checks as a file (the corrective actions when `actions` is given)",
        content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/csv")))))]
async fn export_rechecks(
    State(st): State<AppState>,
    u: CurrentUser,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    api_of(&st, &u, (ListKind::Rechecks, None), q).await
}

#[utoipa::path(get, path = "/api/v1/corrective-actions/export", tag = "rechecks",
    description = FILES,
    params(ExportFormat, crate::lists::lifecycle::WorkListQuery),
    responses((status = 200, description = "The corrective actions as a file",
        content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/csv")))))]
async fn export_actions(
    State(st): State<AppState>,
    u: CurrentUser,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    api_of(&st, &u, (ListKind::Actions, None), q).await
}

#[utoipa::path(get, path = "/api/v1/terminations/export", tag = "services",
    description = FILES,
    params(ExportFormat, crate::lists::lifecycle::TerminationListQuery),
    responses((status = 200, description = "The terminations as a file",
        content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/csv")))))]
async fn export_terminations(
    State(st): State<AppState>,
    u: CurrentUser,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    api_of(&st, &u, (ListKind::Terminations, None), q).await
}

#[utoipa::path(get, path = "/api/v1/check-orders/export", tag = "rechecks",
    description = FILES,
    params(ExportFormat, crate::lists::lifecycle::OrderListQuery),
    responses((status = 200, description = "The check orders with their progress as a file",
        content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/csv"))),
        Forbidden))]
async fn export_check_orders(
    State(st): State<AppState>,
    u: CurrentUser,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    api_of(&st, &u, (ListKind::CheckOrders, None), q).await
}

#[utoipa::path(get, path = "/api/v1/services/{id}/accounts/export", tag = "services",
    description = FILES,
    params(ServiceId, ExportFormat, crate::lists::AccountListQuery),
    responses((status = 200, description = "The service's official accounts as a file",
        content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/csv"))),
        Forbidden))]
async fn export_accounts(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    api_of(&st, &u, (ListKind::Accounts, Some(id)), q).await
}

/// These lists' download routes, with their documentation.
pub fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(utoipa_axum::routes!(export_rechecks))
        .routes(utoipa_axum::routes!(export_actions))
        .routes(utoipa_axum::routes!(export_terminations))
        .routes(utoipa_axum::routes!(export_check_orders))
        .routes(utoipa_axum::routes!(export_accounts))
}
