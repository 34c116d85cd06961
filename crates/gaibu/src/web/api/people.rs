//! The signed-in user, and the System Administrator's org units, users and roles.

use super::UserId;
use super::convert;
use super::extract::{Caller, Change, Created, Sent, many, one, routes_of};
use super::model::{OrgUnit, Role, User};
use super::{Forbidden, Refusals};
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::people::{self as ops, OrgUnitInput, RoleInput, UserInput};
use crate::state::AppState;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    routes_of!(me; org_units, create_org_unit; users, create_user; assign_role)
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
async fn org_units(c: Caller) -> AppResult<Json<Vec<OrgUnit>>> {
    many(&c.st.store.org_units().await?)
}

#[utoipa::path(post, path = "/api/v1/org-units", tag = "people", request_body = OrgUnitInput,
    responses((status = 201, body = OrgUnit), Refusals))]
async fn create_org_unit(c: Sent<OrgUnitInput>) -> AppResult<Created<OrgUnit>> {
    ops::require_system_administrator(&c.st, &c.u, "org_unit.create").await?;
    one(&ops::create_org_unit(&c.st, &c.u.who(), &c.body).await?).map(Created::from)
}

#[utoipa::path(get, path = "/api/v1/users", tag = "people",
    responses((status = 200, body = Vec<User>), Forbidden))]
async fn users(c: Caller) -> AppResult<Json<Vec<User>>> {
    ops::require_system_administrator(&c.st, &c.u, "user.list").await?;
    many(&c.st.store.users().await?)
}

#[derive(Serialize, ToSchema)]
pub struct CreatedUser {
    pub user: User,
    /// Present only when the password was generated: shown once.
    pub generated_password: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/users", tag = "people", request_body = UserInput,
    responses((status = 201, body = CreatedUser), Refusals))]
async fn create_user(c: Sent<UserInput>) -> AppResult<Created<CreatedUser>> {
    ops::require_system_administrator(&c.st, &c.u, "user.create").await?;
    let (user, generated_password) = ops::create_user(&c.st, &c.u.who(), &c.body).await?;
    let user = User::try_from(&user)?;
    Ok(Created(CreatedUser {
        user,
        generated_password,
    }))
}

#[utoipa::path(post, path = "/api/v1/users/{id}/roles", tag = "people", params(UserId),
    request_body = RoleInput, responses((status = 201, body = Role), Refusals))]
async fn assign_role(c: Change<RoleInput>) -> AppResult<Created<Role>> {
    ops::require_system_administrator(&c.st, &c.u, "role.assign").await?;
    one(&ops::assign_role(&c.st, &c.u.who(), c.id, &c.body).await?).map(Created::from)
}
