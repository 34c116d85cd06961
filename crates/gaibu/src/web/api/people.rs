//! The signed-in user, and the System Administrator's org units, users and roles.

use super::convert;
use super::extract::{ApiJson, created};
use super::model::{OrgUnit, Role, User};
use crate::auth::CurrentUser;
use crate::error::{AppResult, ErrorBody};
use crate::people::{self as ops, OrgUnitInput, RoleInput, UserInput};
use crate::state::AppState;
use crate::web::Path;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me))
        .routes(routes!(org_units, create_org_unit))
        .routes(routes!(users, create_user))
        .routes(routes!(assign_role))
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub user: User,
    pub roles: Vec<Role>,
    /// Send this as `X-CSRF-Token` on state changes made with the browser session; null
    /// with a bearer token.
    pub csrf_token: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/me", tag = "people", responses((status = 200, body = Me)))]
async fn me(u: CurrentUser) -> AppResult<Json<Me>> {
    Ok(Json(Me {
        user: User::try_from(&u.user)?,
        roles: convert::all(&u.roles)?,
        csrf_token: u.csrf.clone(),
    }))
}

#[utoipa::path(get, path = "/api/v1/org-units", tag = "people",
    responses((status = 200, body = Vec<OrgUnit>)))]
async fn org_units(State(st): State<AppState>, _u: CurrentUser) -> AppResult<Json<Vec<OrgUnit>>> {
    Ok(Json(convert::all(&st.store.org_units().await?)?))
}

#[utoipa::path(post, path = "/api/v1/org-units", tag = "people", request_body = OrgUnitInput,
    responses((status = 201, body = OrgUnit), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_org_unit(
    State(st): State<AppState>,
    u: CurrentUser,
    ApiJson(input): ApiJson<OrgUnitInput>,
) -> AppResult<Response> {
    ops::require_system_administrator(&st, &u, "org_unit.create").await?;
    let row = ops::create_org_unit(&st, &u.who(), &input).await?;
    Ok(created(OrgUnit::try_from(&row)?))
}

#[utoipa::path(get, path = "/api/v1/users", tag = "people",
    responses((status = 200, body = Vec<User>), (status = 403, body = ErrorBody)))]
async fn users(State(st): State<AppState>, u: CurrentUser) -> AppResult<Json<Vec<User>>> {
    ops::require_system_administrator(&st, &u, "user.list").await?;
    Ok(Json(convert::all(&st.store.users().await?)?))
}

#[derive(Serialize, ToSchema)]
pub struct CreatedUser {
    pub user: User,
    /// Present only when the password was generated: shown once.
    pub generated_password: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/users", tag = "people", request_body = UserInput,
    responses((status = 201, body = CreatedUser), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_user(
    State(st): State<AppState>,
    u: CurrentUser,
    ApiJson(input): ApiJson<UserInput>,
) -> AppResult<Response> {
    ops::require_system_administrator(&st, &u, "user.create").await?;
    let (user, generated_password) = ops::create_user(&st, &u.who(), &input).await?;
    Ok(created(CreatedUser {
        user: User::try_from(&user)?,
        generated_password,
    }))
}

#[utoipa::path(post, path = "/api/v1/users/{id}/roles", tag = "people", request_body = RoleInput,
    params(("id" = i64, Path, description = "User id")),
    responses((status = 201, body = Role), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn assign_role(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<RoleInput>,
) -> AppResult<Response> {
    ops::require_system_administrator(&st, &u, "role.assign").await?;
    let row = ops::assign_role(&st, &u.who(), id, &input).await?;
    Ok(created(Role::try_from(&row)?))
}
