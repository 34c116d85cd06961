//! Sign-in, sign-out and the language switch.

use super::{Cx, FormPairs, PageCtx};
use crate::auth::{self, LANG_COOKIE, request_lang};
use crate::error::AppResult;
use crate::i18n::{Lang, Tr};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use gaibu_domain::audit::{Action, Entity};
use gaibu_store::Who;
use serde::Deserialize;

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    t: Tr,
    page: PageCtx,
    next: String,
    login: String,
    failed: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LoginQuery {
    next: String,
    lang: String,
}

fn lang_cookie(st: &AppState, lang: Lang) -> Cookie<'static> {
    Cookie::build((LANG_COOKIE, lang.code()))
        .path("/")
        .same_site(SameSite::Lax)
        .secure(st.cfg.secure_cookies)
        .permanent()
        .build()
}

/// Only same-site paths: never an open redirect.
fn safe_next(next: &str) -> &str {
    // Browsers drop tabs and newlines from URLs, so "/\t/evil" would become "//evil".
    if next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        next
    } else {
        "/"
    }
}

async fn login_page(
    State(st): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    let (jar, lang) = match Lang::parse(&q.lang) {
        Some(l) => (jar.add(lang_cookie(&st, l)), l),
        None => {
            let l = request_lang(&jar, &headers);
            (jar, l)
        }
    };
    let page = LoginPage::new(lang, safe_next(&q.next).to_string(), String::new(), false);
    (jar, page).into_response()
}

impl LoginPage {
    fn new(lang: Lang, next: String, login: String, failed: bool) -> Self {
        LoginPage {
            t: Tr(lang),
            page: PageCtx::anonymous(lang),
            next,
            login,
            failed,
        }
    }
}

/// A sign-in event in the audit trail, alone (it changes no record).
async fn audit(st: &AppState, user: Option<i64>, login: &str, action: Action) -> AppResult<()> {
    let who = Who {
        user_id: user,
        login: login.to_string(),
    };
    let now = st.now();
    st.store
        .audit_alone(&who, now, action, Entity::User, user, None)
        .await?;
    Ok(())
}

async fn login(
    State(st): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
    form: FormPairs,
) -> AppResult<Response> {
    let login = form.get("login").trim().to_string();
    let password = form.get("password").to_string();
    let next = safe_next(form.get("next")).to_string();
    let user = st.store.user_by_login(&login).await?.filter(|u| u.active);
    let ok = auth::verify_password(
        user.as_ref().and_then(|u| u.password_hash.clone()),
        password,
    )
    .await;
    let Some(user) = user.filter(|_| ok) else {
        tracing::info!(login = %login, "sign-in failed");
        audit(&st, None, &login, Action::SessionSignInFailed).await?;
        let lang = request_lang(&jar, &headers);
        let page = LoginPage::new(lang, next, login, true);
        return Ok((StatusCode::UNAUTHORIZED, page).into_response());
    };
    // A new session id at every sign-in: an id planted before sign-in is worth nothing.
    auth::end_session(&st, &jar).await?;
    let cookie = auth::start_session(&st, user.id).await?;
    audit(&st, Some(user.id), &user.login, Action::SessionSignedIn).await?;
    let lang = Lang::parse(&user.lang).unwrap_or_default();
    let jar = jar.add(cookie).add(lang_cookie(&st, lang));
    Ok((jar, Redirect::to(&next)).into_response())
}

async fn logout(State(st): State<AppState>, jar: CookieJar) -> AppResult<Response> {
    auth::end_session(&st, &jar).await?;
    let jar = jar.remove(Cookie::build(auth::SESSION_COOKIE).path("/").build());
    Ok((jar, Redirect::to("/login")).into_response())
}

async fn switch_lang(cx: Cx, form: FormPairs) -> AppResult<Response> {
    let lang = Lang::parse(form.get("lang")).unwrap_or_default();
    let (st, u) = (&cx.st, &cx.u);
    st.store
        .set_user_lang(&u.who(), u.user.id, lang.code(), st.now())
        .await?;
    let back = safe_next(form.get("back")).to_string();
    Ok((cx.jar.add(lang_cookie(&cx.st, lang)), Redirect::to(&back)).into_response())
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/lang", post(switch_lang))
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn redirects_stay_on_site() {
        assert_eq!(safe_next("/services/1"), "/services/1");
        assert_eq!(safe_next("//evil.example"), "/");
        assert_eq!(safe_next("https://evil.example"), "/");
        assert_eq!(safe_next("/\\evil"), "/");
        assert_eq!(safe_next("/\t/evil.example"), "/");
        assert_eq!(safe_next("/\n"), "/");
        assert_eq!(safe_next("/ /evil.example"), "/");
    }
}
