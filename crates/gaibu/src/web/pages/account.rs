//! Every user's own account: their password and their API tokens (issue 9). A System
//! Administrator sees and revokes anyone's tokens from the user's page in `/admin`.

use super::{Cx, FieldErrors, FormPairs, PageCtx, show};
use crate::auth;
use crate::credentials::{self, PasswordChange, TokenInput, token_state};
use crate::dates::Stamp;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::state::AppState;
use crate::web::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use gaibu_store::ApiTokenRow;

/// A token as a list shows it.
pub(super) struct TokenView {
    pub id: i64,
    pub name: String,
    pub created: Stamp,
    pub expires: Stamp,
    pub last_used: Stamp,
    /// `live`, `expired` or `revoked`.
    pub state: &'static str,
}

pub(super) fn token_views(t: Tr, tokens: Vec<ApiTokenRow>, now: jiff::Timestamp) -> Vec<TokenView> {
    tokens
        .into_iter()
        .map(|k| TokenView {
            id: k.id,
            state: token_state(&k, now),
            created: t.when(k.created_at),
            expires: t.when(k.expires_at),
            last_used: t.when(k.last_used_at),
            name: k.name,
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "account.html")]
struct AccountPage {
    t: Tr,
    page: PageCtx,
    login: String,
    tokens: Vec<TokenView>,
    /// Where the tokens' revoke forms post.
    revoke_base: &'static str,
    /// The days a new token lives unless told otherwise, and at most.
    token_days: i64,
    token_max_days: i64,
    password_errors: FieldErrors,
    token_name: String,
    token_days_input: String,
    token_errors: FieldErrors,
    /// What was just done; a new token's secret, shown once.
    notice: String,
    new_token: String,
    /// The second factor: since when (empty: none), whether the user's role requires it, and
    /// the recovery codes left.
    mfa_since: Stamp,
    mfa_required: bool,
    recovery_left: i64,
    /// How the user's pages write dates: their choice (`city` for the city's), the choices,
    /// and the city's style's label.
    date_style: &'static str,
    date_styles: Vec<(&'static str, &'static str)>,
    city_date_style: &'static str,
}

#[derive(Default)]
struct Shown {
    password_errors: FieldErrors,
    token_name: String,
    token_days: String,
    token_errors: FieldErrors,
    notice: String,
    new_token: String,
}

async fn render(cx: &Cx, s: Shown) -> AppResult<AccountPage> {
    let st = &cx.st;
    let tokens = credentials::tokens_of(st, &cx.u, cx.u.user.id).await?;
    let totp = st.store.totp_of(cx.u.user.id).await?;
    let recovery_left = match totp {
        Some(_) => st.store.recovery_codes_left(cx.u.user.id).await?,
        None => 0,
    };
    let page = cx.page("/account");
    let t = page.t;
    Ok(AccountPage {
        t,
        page,
        login: cx.u.user.login.clone(),
        tokens: token_views(t, tokens, st.now()),
        revoke_base: "/account/tokens",
        token_days: st.cfg.token_days,
        token_max_days: st.cfg.token_max_days,
        password_errors: s.password_errors,
        token_name: s.token_name,
        token_days_input: s.token_days,
        token_errors: s.token_errors,
        notice: s.notice,
        new_token: s.new_token,
        mfa_since: t.when(totp.map(|k| k.enrolled_at)),
        mfa_required: crate::mfa::required_for(cx.u.roles.iter().map(|r| r.role)),
        recovery_left,
        date_style: cx
            .u
            .user
            .date_style
            .map_or(super::date_style::CITY, |s| s.as_str()),
        date_styles: super::date_style::choices(t),
        city_date_style: super::date_style::label(t, cx.u.city_date_style),
    })
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct Done {
    /// What the request before the redirect did: `password` or `revoked`.
    done: String,
}

async fn page(cx: Cx, axum::extract::Query(d): axum::extract::Query<Done>) -> AppResult<Response> {
    let notice = match d.done.as_str() {
        "password" => cx.t().my_account_password_changed().to_string(),
        "revoked" => cx.t().my_account_token_revoked().to_string(),
        _ => String::new(),
    };
    show(
        render(
            &cx,
            Shown {
                notice,
                ..Default::default()
            },
        )
        .await?,
    )
}

/// A refused form: the page again with its errors next to the fields (422).
async fn again(
    cx: &Cx,
    e: AppError,
    shown: impl FnOnce(FieldErrors) -> Shown,
) -> AppResult<Response> {
    let AppError::Invalid(errs) = e else {
        return Err(e);
    };
    let page = render(cx, shown(cx.errors(&errs))).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

async fn change_password(cx: Cx, form: FormPairs) -> AppResult<Response> {
    let input = PasswordChange {
        current_password: form.get("current_password").to_string(),
        new_password: form.get("new_password").to_string(),
        confirm_password: form.get("confirm_password").to_string(),
    };
    if input.confirm_password.is_empty() {
        // The page's form always asks twice: an empty second entry is a mismatch here.
        let e = gaibu_domain::FieldError::new("confirm_password", "password_mismatch");
        let errs = AppError::Invalid(vec![e]);
        return again(&cx, errs, |password_errors| Shown {
            password_errors,
            ..Default::default()
        })
        .await;
    }
    match credentials::change_own_password(&cx.st, &cx.u, &input).await {
        Ok(()) => {
            // Every session ended with the change: this browser goes on in a new one, whose
            // page (and CSRF token) the redirect fetches.
            let cookie = auth::start_session(&cx.st, cx.u.user.id).await?;
            let to = axum::response::Redirect::to("/account?done=password");
            Ok((cx.jar.add(cookie), to).into_response())
        }
        Err(e) => {
            again(&cx, e, |password_errors| Shown {
                password_errors,
                ..Default::default()
            })
            .await
        }
    }
}

/// A form's lifetime in days: empty is the default; anything but a whole number is refused.
pub(super) fn form_days(form: &FormPairs) -> Result<Option<i64>, AppError> {
    match form.get("days").trim() {
        "" => Ok(None),
        d => d.parse().map(Some).map_err(|_| {
            AppError::Invalid(vec![gaibu_domain::FieldError::new(
                "days",
                "token_lifetime",
            )])
        }),
    }
}

async fn create_token(cx: Cx, form: FormPairs) -> AppResult<Response> {
    let name = form.get("name").to_string();
    let result = match form_days(&form) {
        Ok(days) => {
            let input = TokenInput {
                name: name.clone(),
                days,
            };
            credentials::create_api_token(&cx.st, &cx.u.who(), cx.u.user.id, &input).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok((_, token)) => {
            let notice = cx.t().my_account_token_created().to_string();
            let shown = Shown {
                notice,
                new_token: token,
                ..Default::default()
            };
            show(render(&cx, shown).await?)
        }
        Err(e) => {
            again(&cx, e, |token_errors| Shown {
                token_errors,
                token_name: name,
                token_days: form.get("days").to_string(),
                ..Default::default()
            })
            .await
        }
    }
}

async fn revoke_token(cx: Cx, Path(id): Path<i64>) -> AppResult<Response> {
    credentials::revoke_api_token(&cx.st, &cx.u, cx.u.user.id, id).await?;
    Ok(axum::response::Redirect::to("/account?done=revoked").into_response())
}

/// Sets up (or sets up anew, with a new secret) the user's second factor: the enrolment step
/// of sign-in, which then starts a new session and comes back here.
async fn enrol_mfa(cx: Cx) -> AppResult<Response> {
    let purpose = gaibu_store::mfa::Purpose::Enrol;
    let cookie = super::session::start_challenge(&cx.st, cx.u.user.id, purpose, "/account").await?;
    let to = axum::response::Redirect::to(super::session::MFA_PATH);
    Ok((cx.jar.add(cookie), to).into_response())
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account", get(page))
        .route("/account/mfa", post(enrol_mfa))
        .route("/account/password", post(change_password))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
        .merge(super::date_style::routes())
}
