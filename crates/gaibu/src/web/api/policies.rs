//! Policy versions (S1.3): the classification scheme, the requirement sheets and the account
//! rules, in force once the CISO approves them.

use super::convert;
use super::model::{Policy, PolicyDetail};
use crate::auth::CurrentUser;
use crate::error::{AppResult, ErrorBody};
use crate::policies as ops;
use crate::state::AppState;
use crate::web::Path;
use axum::Json;
use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_policies))
        .routes(routes!(get_policy))
        .routes(routes!(approve_policy))
}

#[utoipa::path(get, path = "/api/v1/policies", tag = "policies",
    responses((status = 200, body = Vec<Policy>)))]
async fn list_policies(
    State(st): State<AppState>,
    _u: CurrentUser,
) -> AppResult<Json<Vec<Policy>>> {
    Ok(Json(convert::all(&ops::list(&st).await?)?))
}

#[utoipa::path(get, path = "/api/v1/policies/{id}", tag = "policies",
    params(("id" = i64, Path, description = "Policy version id")),
    responses((status = 200, body = PolicyDetail)))]
async fn get_policy(
    State(st): State<AppState>,
    _u: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<PolicyDetail>> {
    let (row, _) = ops::get(&st, id).await?;
    Ok(Json(PolicyDetail::try_from(&row)?))
}

#[utoipa::path(post, path = "/api/v1/policies/{id}/approve", tag = "policies",
    params(("id" = i64, Path, description = "Policy version id")),
    responses((status = 200, body = Policy), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn approve_policy(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<Policy>> {
    Ok(Json(Policy::try_from(&ops::approve(&st, &u, id).await?)?))
}
