//! gaibu's own credentials: a user's password and API tokens (`/api/v1/me/…`), and a System
//! Administrator's view of anyone's tokens and of deactivation (`/api/v1/users/{id}/…`).

use super::extract::{Caller, Created, OnRecord, Sent, routes_of};
use super::{Forbidden, Refusals, UserId};
use crate::credentials::{self as ops, PasswordChange, TokenInput, token_state};
use crate::error::AppResult;
use crate::people::require_system_administrator;
use crate::state::AppState;
use crate::web::Path;
use axum::Json;
use gaibu_store::ApiTokenRow;
use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    routes_of!(
        change_password;
        my_tokens, create_token;
        revoke_my_token;
        tokens_of_user;
        revoke_token_of_user;
        deactivate;
        reactivate;
        reset_mfa;
        set_password_login
    )
}

/// An API token as its owner and the System Administrator see it (never its secret).
#[derive(Serialize, ToSchema)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: Timestamp,
    /// To the minute.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_used_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub revoked_at: Option<Timestamp>,
    /// `live`, `expired` or `revoked`.
    pub state: String,
}

fn token(t: &ApiTokenRow, now: Timestamp) -> ApiToken {
    ApiToken {
        id: t.id,
        name: t.name.clone(),
        created_at: t.created_at,
        expires_at: t.expires_at,
        last_used_at: t.last_used_at,
        revoked_at: t.revoked_at,
        state: token_state(t, now).into(),
    }
}

/// A user's tokens, newest first: at most 50 (a user holds at most 20 live ones).
#[derive(Serialize, ToSchema)]
pub struct Tokens {
    pub items: Vec<ApiToken>,
}

fn tokens(rows: &[ApiTokenRow], now: Timestamp) -> Json<Tokens> {
    Json(Tokens {
        items: rows.iter().map(|t| token(t, now)).collect(),
    })
}

#[derive(Serialize, ToSchema)]
pub struct NewToken {
    pub token: ApiToken,
    /// The secret to send as `Authorization: Bearer …`: shown this once, kept only hashed.
    pub secret: String,
}

#[derive(Serialize, ToSchema)]
pub struct Done {
    /// False when there was nothing to do (e.g. the token was revoked already).
    pub done: bool,
}

#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)] // documents the parameters only
pub struct UserTokenId {
    /// User id
    id: i64,
    /// Token id
    token: i64,
}

#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)] // documents the parameter only
pub struct TokenId {
    /// Token id
    token: i64,
}

/// Changes the caller's own password. Every session of theirs ends and every API token is
/// revoked, the one this request was made with too.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "people", request_body = PasswordChange,
    responses((status = 200, body = Done), Refusals))]
async fn change_password(c: Sent<PasswordChange>) -> AppResult<Json<Done>> {
    ops::change_own_password(&c.st, &c.u, &c.body).await?;
    Ok(Json(Done { done: true }))
}

#[utoipa::path(get, path = "/api/v1/me/tokens", tag = "people",
    responses((status = 200, body = Tokens)))]
async fn my_tokens(c: Caller) -> AppResult<Json<Tokens>> {
    let rows = ops::tokens_of(&c.st, &c.u, c.u.user.id).await?;
    Ok(tokens(&rows, c.st.now()))
}

/// Creates an API token of the caller's; it acts as them until it expires or is revoked.
#[utoipa::path(post, path = "/api/v1/me/tokens", tag = "people", request_body = TokenInput,
    responses((status = 201, body = NewToken), Refusals))]
async fn create_token(c: Sent<TokenInput>) -> AppResult<Created<NewToken>> {
    let (row, secret) = ops::create_api_token(&c.st, &c.u.who(), c.u.user.id, &c.body).await?;
    Ok(Created(NewToken {
        token: token(&row, c.st.now()),
        secret,
    }))
}

#[utoipa::path(post, path = "/api/v1/me/tokens/{token}/revoke", tag = "people", params(TokenId),
    responses((status = 200, body = Done), Refusals))]
async fn revoke_my_token(c: Caller, Path(id): Path<i64>) -> AppResult<Json<Done>> {
    let done = ops::revoke_api_token(&c.st, &c.u, c.u.user.id, id).await?;
    Ok(Json(Done { done }))
}

#[utoipa::path(get, path = "/api/v1/users/{id}/tokens", tag = "people", params(UserId),
    responses((status = 200, body = Tokens), Forbidden))]
async fn tokens_of_user(c: OnRecord) -> AppResult<Json<Tokens>> {
    let rows = ops::tokens_of(&c.st, &c.u, c.id).await?;
    Ok(tokens(&rows, c.st.now()))
}

#[utoipa::path(post, path = "/api/v1/users/{id}/tokens/{token}/revoke", tag = "people",
    params(UserTokenId), responses((status = 200, body = Done), Refusals))]
async fn revoke_token_of_user(c: Caller, Path((id, t)): Path<(i64, i64)>) -> AppResult<Json<Done>> {
    let done = ops::revoke_api_token(&c.st, &c.u, id, t).await?;
    Ok(Json(Done { done }))
}

/// Deactivates a user who has left (System Administrators only): their sessions and tokens
/// end at once; their records and audit events stay.
#[utoipa::path(post, path = "/api/v1/users/{id}/deactivate", tag = "people", params(UserId),
    responses((status = 200, body = Done), Refusals))]
async fn deactivate(c: OnRecord) -> AppResult<Json<Done>> {
    require_system_administrator(&c.st, &c.u, "user.deactivate").await?;
    ops::set_active(&c.st, &c.u.who(), c.id, false).await?;
    Ok(Json(Done { done: true }))
}

/// Reactivates a user (System Administrators only); set their password anew.
#[utoipa::path(post, path = "/api/v1/users/{id}/reactivate", tag = "people", params(UserId),
    responses((status = 200, body = Done), Refusals))]
async fn reactivate(c: OnRecord) -> AppResult<Json<Done>> {
    require_system_administrator(&c.st, &c.u, "user.reactivate").await?;
    ops::set_active(&c.st, &c.u.who(), c.id, true).await?;
    Ok(Json(Done { done: true }))
}

/// Removes a user's second factor after a lost device (System Administrators only): they enrol
/// again at their next sign-in. 404 when the user has none.
#[utoipa::path(post, path = "/api/v1/users/{id}/mfa/reset", tag = "people", params(UserId),
    responses((status = 200, body = Done), Refusals))]
async fn reset_mfa(c: OnRecord) -> AppResult<Json<Done>> {
    require_system_administrator(&c.st, &c.u, "mfa.reset").await?;
    c.st.store.reset_totp(&c.u.who(), c.id, c.st.now()).await?;
    Ok(Json(Done { done: true }))
}

#[derive(serde::Deserialize, ToSchema)]
pub struct PasswordLogin {
    /// Whether a password signs the user in; false: the city's identity provider only.
    pub on: bool,
}

/// Switches a user's password sign-in on or off (System Administrators only); off ends their
/// sessions.
#[utoipa::path(post, path = "/api/v1/users/{id}/password-login", tag = "people", params(UserId),
    request_body = PasswordLogin, responses((status = 200, body = Done), Refusals))]
async fn set_password_login(c: super::extract::Change<PasswordLogin>) -> AppResult<Json<Done>> {
    require_system_administrator(&c.st, &c.u, "user.password_login").await?;
    c.st.store
        .set_password_login(&c.u.who(), c.id, c.body.on, c.st.now())
        .await?;
    Ok(Json(Done { done: true }))
}
