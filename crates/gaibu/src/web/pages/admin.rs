//! The System Administrator's pages: org units, users and role assignments.

use super::{FieldErrors, FormPairs, PageCtx, org_name, org_options};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::people::{self, OrgUnitInput, RoleInput, UserInput};
use crate::state::AppState;
use crate::web::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use gaibu_domain::audit::Entity;
use gaibu_domain::role::Role;
use gaibu_store::UserRow;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(page))
        .route("/admin/users", post(create_user))
        .route("/admin/users/{id}/roles", post(assign_role))
        .route("/admin/users/{id}/token", post(create_token))
        .route("/admin/org-units", post(create_org_unit))
}

struct UserView {
    is_self: bool,
    user: UserRow,
    org: String,
    roles: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin.html")]
struct AdminPage {
    t: Tr,
    page: PageCtx,
    users: Vec<UserView>,
    units: Vec<(i64, String, String)>,
    org_options: Vec<(i64, String)>,
    roles: Vec<&'static str>,
    user_input: UserInput,
    user_errors: FieldErrors,
    unit_input: OrgUnitInput,
    unit_errors: FieldErrors,
    notice: String,
}

#[derive(Default)]
struct State2 {
    user: Option<(UserInput, FieldErrors)>,
    unit: Option<(OrgUnitInput, FieldErrors)>,
    notice: String,
}

async fn render(
    st: &AppState,
    u: &CurrentUser,
    jar: &CookieJar,
    s: State2,
) -> AppResult<AdminPage> {
    people::require_system_administrator(st, u, "admin.view").await?;
    let page = PageCtx::new(u, jar, "/admin");
    let t = page.t;
    let units = st.store.org_units().await?;
    let roles = st.store.all_roles().await?;
    let users = st
        .store
        .users()
        .await?
        .into_iter()
        .map(|user| UserView {
            is_self: user.id == u.user.id,
            org: org_name(t, &units, user.org_unit_id),
            roles: roles
                .iter()
                .filter(|r| r.user_id == user.id)
                .map(|r| {
                    format!(
                        "{} @ {}",
                        t.role(r.role),
                        org_name(t, &units, r.org_unit_id)
                    )
                })
                .collect(),
            user,
        })
        .collect();
    let (user_input, user_errors) = s.user.unwrap_or_default();
    let (unit_input, unit_errors) = s.unit.unwrap_or_default();
    Ok(AdminPage {
        t,
        users,
        units: units
            .iter()
            .map(|x| {
                let parent = x
                    .parent_id
                    .map(|p| org_name(t, &units, p))
                    .unwrap_or_default();
                (
                    x.id,
                    format!("{} ({})", t.pick(&x.name_ja, &x.name_en), x.code),
                    parent,
                )
            })
            .collect(),
        org_options: org_options(t, &units),
        roles: Role::ALL.iter().map(|r| r.as_str()).collect(),
        user_input,
        user_errors,
        unit_input,
        unit_errors,
        notice: s.notice,
        page,
    })
}

async fn page(State(st): State<AppState>, u: CurrentUser, jar: CookieJar) -> AppResult<Response> {
    Ok(render(&st, &u, &jar, State2::default())
        .await?
        .into_response())
}

async fn create_user(
    State(st): State<AppState>,
    u: CurrentUser,
    jar: CookieJar,
    form: FormPairs,
) -> AppResult<Response> {
    people::require_system_administrator(&st, &u, "user.create").await?;
    let input: UserInput = form.to_input(&[])?;
    let t = PageCtx::new(&u, &jar, "").t;
    match people::create_user(&st, &u.who(), &input).await {
        Ok((user, generated)) => {
            let notice = match generated {
                Some(p) => format!("{} {}: {}", user.login, t.admin_generated_password(), p),
                None => format!("{} {}", user.login, t.admin_user_created()),
            };
            Ok(render(
                &st,
                &u,
                &jar,
                State2 {
                    notice,
                    ..Default::default()
                },
            )
            .await?
            .into_response())
        }
        Err(AppError::Invalid(errs)) => {
            let s = State2 {
                user: Some((input, FieldErrors::from(t, &errs))),
                ..Default::default()
            };
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                render(&st, &u, &jar, s).await?,
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}

async fn assign_role(
    State(st): State<AppState>,
    u: CurrentUser,
    jar: CookieJar,
    Path(id): Path<i64>,
    form: FormPairs,
) -> AppResult<Response> {
    people::require_system_administrator(&st, &u, "role.assign").await?;
    let input: RoleInput = form.to_input(&[])?;
    people::assign_role(&st, &u.who(), id, &input).await?;
    let notice = PageCtx::new(&u, &jar, "")
        .t
        .admin_role_assigned()
        .to_string();
    Ok(render(
        &st,
        &u,
        &jar,
        State2 {
            notice,
            ..Default::default()
        },
    )
    .await?
    .into_response())
}

async fn create_token(
    State(st): State<AppState>,
    u: CurrentUser,
    jar: CookieJar,
    Path(id): Path<i64>,
    form: FormPairs,
) -> AppResult<Response> {
    people::require_system_administrator(&st, &u, "api_token.create").await?;
    st.store.user(id).await?.ok_or(AppError::NotFound)?;
    // A token acts as its holder: administrators make their own only.
    if id != u.user.id {
        let r = gaibu_domain::Refusal::Forbidden(crate::error::ErrorCode::OwnTokenOnly.as_str());
        return Err(crate::audit_denial::refuse(
            &st,
            &u,
            r,
            "api_token.create",
            Entity::User,
            Some(id),
        )
        .await);
    }
    let (_, token) = people::create_api_token(&st, &u.who(), id, form.get("name")).await?;
    let t = PageCtx::new(&u, &jar, "").t;
    let notice = format!("{}: {}", t.admin_token_created(), token);
    Ok(render(
        &st,
        &u,
        &jar,
        State2 {
            notice,
            ..Default::default()
        },
    )
    .await?
    .into_response())
}

async fn create_org_unit(
    State(st): State<AppState>,
    u: CurrentUser,
    jar: CookieJar,
    form: FormPairs,
) -> AppResult<Response> {
    people::require_system_administrator(&st, &u, "org_unit.create").await?;
    let input: OrgUnitInput = form.to_input(&[])?;
    let t = PageCtx::new(&u, &jar, "").t;
    match people::create_org_unit(&st, &u.who(), &input).await {
        Ok(_) => {
            let notice = t.admin_org_unit_created().to_string();
            Ok(render(
                &st,
                &u,
                &jar,
                State2 {
                    notice,
                    ..Default::default()
                },
            )
            .await?
            .into_response())
        }
        Err(AppError::Invalid(errs)) => {
            let s = State2 {
                unit: Some((input, FieldErrors::from(t, &errs))),
                ..Default::default()
            };
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                render(&st, &u, &jar, s).await?,
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}
