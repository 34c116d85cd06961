//! The System Administrator's pages: org units, users and role assignments.

use super::{Cx, FieldErrors, FormPairs, PageCtx, org_name, org_options, show};
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::lists::UserListQuery;
use crate::people::{self, OrgUnitInput, RoleInput, UserInput};
use crate::state::AppState;
use crate::web::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use gaibu_domain::audit::Entity;
use gaibu_domain::role::Role;
use gaibu_domain::signin::normalised_login;
use gaibu_store::UserRow;

struct UserView {
    is_self: bool,
    /// Locked after too many sign-in attempts: an unlock button is shown.
    locked: bool,
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
    list: UserListQuery,
    next_url: Option<String>,
    /// How the city's pages write dates, and the choices.
    date_style: &'static str,
    date_styles: Vec<(&'static str, &'static str)>,
}

/// The forms of the page that come back with what went wrong, and a notice of what was done.
#[derive(Default)]
struct Forms {
    user: Option<(UserInput, FieldErrors)>,
    unit: Option<(OrgUnitInput, FieldErrors)>,
    notice: String,
    /// The users list's search and page (the first page after a change).
    list: UserListQuery,
}

async fn render(cx: &Cx, s: Forms) -> AppResult<AdminPage> {
    let st = &cx.st;
    people::require_system_administrator(st, &cx.u, "admin.view").await?;
    let page = cx.page("/admin");
    let t = page.t;
    let units = crate::auth::org_units(st).await?;
    let (filter, ask) = s.list.parse()?;
    let found = st.store.user_page(&filter, &ask).await?;
    let next_url = found.next_cursor().map(|c| s.list.url_from("/admin", &c));
    let ids: Vec<i64> = found.items.iter().map(|u| u.id).collect();
    let roles = st.store.roles_of_users(&ids).await?;
    let key = |login: &str| format!("login:{}", normalised_login(login));
    let keys: Vec<String> = found.items.iter().map(|u| key(&u.login)).collect();
    let locked = st
        .store
        .locked_sign_ins(&keys, st.now().as_millisecond())
        .await?;
    let users = found
        .items
        .into_iter()
        .map(|user| UserView {
            is_self: user.id == cx.u.user.id,
            locked: locked.contains(&key(&user.login)),
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
        list: s.list,
        next_url,
        date_style: cx.u.city_date_style.as_str(),
        date_styles: super::date_style::choices(t),
    })
}

/// The page again with a notice of what was done.
async fn done(cx: &Cx, notice: String) -> AppResult<Response> {
    let forms = Forms {
        notice,
        ..Default::default()
    };
    show(render(cx, forms).await?)
}

/// Refused input: the page again with the form and its errors (422); any other error as it is.
async fn refused(
    cx: &Cx,
    e: AppError,
    forms: impl FnOnce(FieldErrors) -> Forms,
) -> AppResult<Response> {
    let AppError::Invalid(errs) = e else {
        return Err(e);
    };
    let page = render(cx, forms(cx.errors(&errs))).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

async fn page(
    cx: Cx,
    axum::extract::Query(list): axum::extract::Query<UserListQuery>,
) -> AppResult<Response> {
    let forms = Forms {
        list,
        ..Default::default()
    };
    show(render(&cx, forms).await?)
}

async fn create_user(cx: Cx, form: FormPairs) -> AppResult<Response> {
    people::require_system_administrator(&cx.st, &cx.u, "user.create").await?;
    let input: UserInput = form.to_input(&[])?;
    let t = cx.t();
    match people::create_user(&cx.st, &cx.u.who(), &input).await {
        Ok((user, Some(p))) => {
            let notice = format!("{} {}: {}", user.login, t.admin_generated_password(), p);
            done(&cx, notice).await
        }
        Ok((user, None)) => done(&cx, format!("{} {}", user.login, t.admin_user_created())).await,
        Err(e) => {
            refused(&cx, e, |errors| Forms {
                user: Some((input, errors)),
                ..Default::default()
            })
            .await
        }
    }
}

async fn assign_role(cx: Cx, Path(id): Path<i64>, form: FormPairs) -> AppResult<Response> {
    people::require_system_administrator(&cx.st, &cx.u, "role.assign").await?;
    let input: RoleInput = form.to_input(&[])?;
    people::assign_role(&cx.st, &cx.u.who(), id, &input).await?;
    done(&cx, cx.t().admin_role_assigned().to_string()).await
}

async fn create_token(cx: Cx, Path(id): Path<i64>, form: FormPairs) -> AppResult<Response> {
    let (st, u) = (&cx.st, &cx.u);
    people::require_system_administrator(st, u, "api_token.create").await?;
    st.store.user(id).await?.ok_or(AppError::NotFound)?;
    // A token acts as its holder: administrators make their own only.
    if id != u.user.id {
        let r = gaibu_domain::Refusal::Forbidden(crate::error::ErrorCode::OwnTokenOnly.as_str());
        let action = "api_token.create";
        return Err(crate::audit_denial::refuse(st, u, r, action, Entity::User, Some(id)).await);
    }
    let input = crate::credentials::TokenInput {
        name: form.get("name").to_string(),
        days: super::account::form_days(&form)?,
    };
    let (_, token) = crate::credentials::create_api_token(st, &u.who(), id, &input).await?;
    done(&cx, format!("{}: {}", cx.t().admin_token_created(), token)).await
}

async fn unlock(cx: Cx, Path(id): Path<i64>) -> AppResult<Response> {
    people::require_system_administrator(&cx.st, &cx.u, "user.unlock").await?;
    let user = cx.st.store.user(id).await?.ok_or(AppError::NotFound)?;
    people::unlock_sign_in(&cx.st, &cx.u.who(), id).await?;
    done(&cx, format!("{}{}", user.login, cx.t().admin_unlocked())).await
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_user.html")]
struct UserPage {
    t: Tr,
    page: PageCtx,
    user: UserRow,
    org: String,
    is_self: bool,
    tokens: Vec<super::account::TokenView>,
    revoke_base: String,
    notice: String,
    /// When their second factor was set up (empty: none).
    mfa_since: crate::dates::Stamp,
    /// Whether a password signs them in (else the city's identity provider only), and
    /// whether that provider is configured.
    password_login: bool,
    sso: bool,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct Done {
    done: String,
}

/// One user as the System Administrator manages them: active or not, and their API tokens.
async fn user_page(
    cx: Cx,
    Path(id): Path<i64>,
    axum::extract::Query(d): axum::extract::Query<Done>,
) -> AppResult<Response> {
    let st = &cx.st;
    people::require_system_administrator(st, &cx.u, "user.view").await?;
    let user = st.store.user(id).await?.ok_or(AppError::NotFound)?;
    let tokens = crate::credentials::tokens_of(st, &cx.u, id).await?;
    let page = cx.page("/admin");
    let t = page.t;
    let units = crate::auth::org_units(st).await?;
    let notice = match d.done.as_str() {
        "deactivated" => t.admin_user_deactivated().to_string(),
        "reactivated" => t.admin_user_reactivated().to_string(),
        "revoked" => t.my_account_token_revoked().to_string(),
        "mfa_reset" => t.admin_mfa_was_reset().to_string(),
        "password_login" => t.admin_password_login_changed().to_string(),
        _ => String::new(),
    };
    let mfa_since = t.when(st.store.totp_of(id).await?.map(|k| k.enrolled_at));
    show(UserPage {
        t,
        org: org_name(t, &units, user.org_unit_id),
        is_self: user.id == cx.u.user.id,
        tokens: super::account::token_views(t, tokens, st.now()),
        revoke_base: format!("/admin/users/{id}/tokens"),
        notice,
        mfa_since,
        password_login: st.store.password_login(id).await?,
        sso: st.cfg.sso.is_some(),
        user,
        page,
    })
}

async fn set_active(cx: &Cx, id: i64, active: bool) -> AppResult<Response> {
    let action = if active {
        "user.reactivate"
    } else {
        "user.deactivate"
    };
    people::require_system_administrator(&cx.st, &cx.u, action).await?;
    crate::credentials::set_active(&cx.st, &cx.u.who(), id, active).await?;
    let done = if active { "reactivated" } else { "deactivated" };
    Ok(axum::response::Redirect::to(&format!("/admin/users/{id}?done={done}")).into_response())
}

async fn deactivate(cx: Cx, Path(id): Path<i64>) -> AppResult<Response> {
    set_active(&cx, id, false).await
}

async fn reactivate(cx: Cx, Path(id): Path<i64>) -> AppResult<Response> {
    set_active(&cx, id, true).await
}

async fn reset_mfa(cx: Cx, Path(id): Path<i64>) -> AppResult<Response> {
    people::require_system_administrator(&cx.st, &cx.u, "mfa.reset").await?;
    cx.st.store.reset_totp(&cx.u.who(), id, cx.st.now()).await?;
    Ok(axum::response::Redirect::to(&format!("/admin/users/{id}?done=mfa_reset")).into_response())
}

async fn password_login(cx: Cx, Path(id): Path<i64>, form: FormPairs) -> AppResult<Response> {
    people::require_system_administrator(&cx.st, &cx.u, "user.password_login").await?;
    let on = form.get("on") == "1";
    let st = &cx.st;
    st.store
        .set_password_login(&cx.u.who(), id, on, st.now())
        .await?;
    let to = format!("/admin/users/{id}?done=password_login");
    Ok(axum::response::Redirect::to(&to).into_response())
}

async fn revoke_token(cx: Cx, Path((id, token)): Path<(i64, i64)>) -> AppResult<Response> {
    crate::credentials::revoke_api_token(&cx.st, &cx.u, id, token).await?;
    Ok(axum::response::Redirect::to(&format!("/admin/users/{id}?done=revoked")).into_response())
}

async fn create_org_unit(cx: Cx, form: FormPairs) -> AppResult<Response> {
    people::require_system_administrator(&cx.st, &cx.u, "org_unit.create").await?;
    let input: OrgUnitInput = form.to_input(&[])?;
    match people::create_org_unit(&cx.st, &cx.u.who(), &input).await {
        Ok(_) => done(&cx, cx.t().admin_org_unit_created().to_string()).await,
        Err(e) => {
            refused(&cx, e, |errors| Forms {
                unit: Some((input, errors)),
                ..Default::default()
            })
            .await
        }
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(page))
        .route("/admin/users", post(create_user))
        .route("/admin/users/{id}/roles", post(assign_role))
        .route("/admin/users/{id}/token", post(create_token))
        .route("/admin/users/{id}/unlock", post(unlock))
        .route("/admin/users/{id}", get(user_page))
        .route("/admin/users/{id}/deactivate", post(deactivate))
        .route("/admin/users/{id}/reactivate", post(reactivate))
        .route("/admin/users/{id}/mfa/reset", post(reset_mfa))
        .route("/admin/users/{id}/password-login", post(password_login))
        .route(
            "/admin/users/{id}/tokens/{token}/revoke",
            post(revoke_token),
        )
        .route("/admin/org-units", post(create_org_unit))
}
