//! サービス利用状況: the usage register of approved class-2+ services (S5.2.1-5).

use super::convert;
use super::extract::ApiJson;
use super::model::{RegisterEntry, RegisterUpdate};
use crate::auth::CurrentUser;
use crate::error::{AppResult, ErrorBody};
use crate::register as ops;
use crate::state::AppState;
use crate::web::Path;
use axum::Json;
use axum::extract::State;
use gaibu_store::RegisterFields;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_register))
        .routes(routes!(get_register, update_register))
}

#[utoipa::path(get, path = "/api/v1/register", tag = "register",
    responses((status = 200, body = Vec<RegisterEntry>)))]
async fn list_register(
    State(st): State<AppState>,
    u: CurrentUser,
) -> AppResult<Json<Vec<RegisterEntry>>> {
    Ok(Json(convert::all(&ops::list(&st, &u).await?)?))
}

#[utoipa::path(get, path = "/api/v1/register/{id}", tag = "register",
    params(("id" = i64, Path, description = "Register entry id")),
    responses((status = 200, body = RegisterEntry)))]
async fn get_register(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<RegisterEntry>> {
    Ok(Json(RegisterEntry::try_from(
        &ops::get(&st, &u, id).await?,
    )?))
}

#[utoipa::path(put, path = "/api/v1/register/{id}", tag = "register", request_body = RegisterUpdate,
    params(("id" = i64, Path, description = "Register entry id")),
    responses((status = 200, body = RegisterEntry), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_register(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<RegisterUpdate>,
) -> AppResult<Json<RegisterEntry>> {
    let row = ops::update(&st, &u, id, b.version, &RegisterFields::from(&b)).await?;
    Ok(Json(RegisterEntry::try_from(&row)?))
}
