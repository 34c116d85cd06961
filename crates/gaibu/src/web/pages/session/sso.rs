//! Sign-in through the city's identity provider (`crate::sso`): `/login/sso` sends the browser
//! there, `/login/sso/callback` takes it back and signs the user in — through the second factor
//! when their role requires one, as a password sign-in would.

use super::{Attempt, LoginPage, audit, mfa, safe_next, signed_in};
use crate::auth::request_lang;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use gaibu_domain::audit::Action;
use serde::Deserialize;

pub(super) const PATH: &str = "/login/sso";
pub(super) const CALLBACK: &str = "/login/sso/callback";
const COOKIE: &str = "gaibu_sso";

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Start {
    next: String,
}

pub(super) async fn start(
    State(st): State<AppState>,
    jar: CookieJar,
    Query(q): Query<Start>,
) -> AppResult<Response> {
    let Some(cfg) = st.cfg.sso.clone() else {
        return Err(AppError::NotFound);
    };
    let next = safe_next(&q.next).to_string();
    match crate::sso::start(&st, &cfg, &next).await {
        Ok((url, token)) => {
            // Lax, not Strict: the browser comes back from the provider's site.
            let cookie = Cookie::build((COOKIE, token))
                .http_only(true)
                .same_site(SameSite::Lax)
                .secure(st.cfg.secure_cookies)
                .path(PATH)
                .build();
            Ok((jar.add(cookie), Redirect::to(&url)).into_response())
        }
        Err(e) => {
            tracing::warn!(error = %e, "SSO sign-in could not start");
            Ok(refused(&jar, &HeaderMap::new(), next))
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Back {
    code: String,
    state: String,
    error: String,
}

/// The sign-in page again, saying the provider's sign-in did not go through (the reason is in
/// the log and the audit trail, not for the browser).
fn refused(jar: &CookieJar, headers: &HeaderMap, next: String) -> Response {
    let lang = request_lang(jar, headers);
    let mut page = LoginPage::new(lang, next, String::new(), false, true);
    page.sso_failed = true;
    (StatusCode::FORBIDDEN, page).into_response()
}

pub(super) async fn callback(
    State(st): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
    ext: axum::http::Extensions,
    Query(back): Query<Back>,
) -> AppResult<Response> {
    let Some(cfg) = st.cfg.sso.clone() else {
        return Err(AppError::NotFound);
    };
    let mut attempt = Attempt::new(&headers, &ext);
    let token = jar
        .get(COOKIE)
        .map(|c| c.value().to_string())
        .unwrap_or_default();
    let jar = jar.remove(Cookie::build(COOKIE).path(PATH).build());
    let result = if back.error.is_empty() {
        crate::sso::finish(&st, &cfg, &token, &back.state, &back.code).await
    } else {
        Err(crate::sso::SsoError::Refused(
            back.error.chars().take(100).collect(),
        ))
    };
    let (login, next) = match result {
        Ok(v) => v,
        Err(e) => {
            tracing::info!(error = %e, "SSO sign-in refused");
            attempt.outcome = e.outcome();
            attempt.method = "oidc";
            attempt.reason = Some(e.to_string().chars().take(300).collect());
            audit(&st, None, "", Action::SessionSignInFailed, Some(&attempt)).await?;
            return Ok(refused(&jar, &headers, "/".into()));
        }
    };
    let user = st.store.user_by_login(&login).await?.filter(|u| u.active);
    attempt.method = "oidc";
    let Some(user) = user else {
        attempt.outcome = "sso_unknown_user";
        let kept = gaibu_domain::signin::normalised_login(&login);
        audit(
            &st,
            None,
            &kept,
            Action::SessionSignInFailed,
            Some(&attempt),
        )
        .await?;
        return Ok(refused(&jar, &headers, next));
    };
    if let Some(cookie) = mfa::challenge_after_password(&st, &user, &next).await? {
        return Ok((jar.add(cookie), Redirect::to(mfa::PATH)).into_response());
    }
    let jar = signed_in(&st, jar, &user, attempt).await?;
    Ok((jar, Redirect::to(&next)).into_response())
}
