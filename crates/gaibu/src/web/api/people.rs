//! The signed-in user, and the System Administrator's org units, users and roles.

use super::UserId;
use super::convert;
use super::extract::{Caller, Change, Created, Sent, one, routes_of};
use super::model::{OrgUnit, Paged, Role, User};
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
    routes_of!(me; org_units, create_org_unit; users, create_user; assign_role; unlock_sign_in)
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
    params(crate::lists::PageOnly), responses((status = 200, body = Paged<OrgUnit>)))]
async fn org_units(
    c: Caller,
    super::extract::ApiQuery(q): super::extract::ApiQuery<crate::lists::PageOnly>,
) -> AppResult<Json<Paged<OrgUnit>>> {
    Ok(Json(super::convert::paged(
        &c.st.store.org_unit_page(&q.ask()?).await?,
    )?))
}

#[utoipa::path(post, path = "/api/v1/org-units", tag = "people", request_body = OrgUnitInput,
    responses((status = 201, body = OrgUnit), Refusals))]
async fn create_org_unit(c: Sent<OrgUnitInput>) -> AppResult<Created<OrgUnit>> {
    ops::require_system_administrator(&c.st, &c.u, "org_unit.create").await?;
    one(&ops::create_org_unit(&c.st, &c.u.who(), &c.body).await?).map(Created::from)
}

#[utoipa::path(get, path = "/api/v1/users", tag = "people",
    params(crate::lists::UserListQuery),
    responses((status = 200, body = Paged<User>), Forbidden))]
async fn users(
    c: Caller,
    super::extract::ApiQuery(q): super::extract::ApiQuery<crate::lists::UserListQuery>,
) -> AppResult<Json<Paged<User>>> {
    ops::require_system_administrator(&c.st, &c.u, "user.list").await?;
    let (filter, ask) = q.parse()?;
    Ok(Json(super::convert::paged(
        &c.st.store.user_page(&filter, &ask).await?,
    )?))
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

#[derive(Serialize, ToSchema)]
pub struct Unlocked {
    /// Whether there was a lock or a count of failed attempts to lift.
    pub lifted: bool,
}

/// Lifts a user's sign-in lock (System Administrators only; a lock also ends by itself).
#[utoipa::path(post, path = "/api/v1/users/{id}/unlock", tag = "people", params(UserId),
    responses((status = 200, body = Unlocked), Refusals))]
async fn unlock_sign_in(c: super::extract::OnRecord) -> AppResult<Json<Unlocked>> {
    ops::require_system_administrator(&c.st, &c.u, "user.unlock").await?;
    let lifted = ops::unlock_sign_in(&c.st, &c.u.who(), c.id).await?;
    Ok(Json(Unlocked { lifted }))
}
