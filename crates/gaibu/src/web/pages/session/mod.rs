//! Sign-in, sign-out and the language switch; the second factor in `mfa`.

use super::{Cx, FormPairs, PageCtx};
use crate::auth::{self, LANG_COOKIE, request_lang};
use crate::error::AppResult;
use crate::i18n::{Lang, Tr};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use gaibu_domain::audit::{Action, Entity};
use gaibu_domain::signin::{Verdict, normalised_login};
use gaibu_store::Who;
use serde::Deserialize;
use std::net::SocketAddr;

mod mfa;
mod sso;

pub(super) use mfa::{PATH as MFA_PATH, start as start_challenge};

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    t: Tr,
    page: PageCtx,
    next: String,
    login: String,
    failed: bool,
    /// Too many attempts: refused without looking at the password.
    throttled: bool,
    /// The city's identity provider is configured: its button is shown.
    sso: bool,
    /// A sign-in through it did not go through.
    sso_failed: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LoginQuery {
    next: String,
    lang: String,
}

pub(super) fn lang_cookie(st: &AppState, lang: Lang) -> Cookie<'static> {
    Cookie::build((LANG_COOKIE, lang.code()))
        .path("/")
        .same_site(SameSite::Lax)
        .secure(st.cfg.secure_cookies)
        .permanent()
        .build()
}

/// Only same-site paths: never an open redirect.
pub(super) fn safe_next(next: &str) -> &str {
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
    let next = safe_next(&q.next).to_string();
    let page = LoginPage::new(lang, next, String::new(), false, st.cfg.sso.is_some());
    (jar, page).into_response()
}

impl LoginPage {
    /// The page in `lang`; with `sso`, the city's identity provider is offered.
    fn new(lang: Lang, next: String, login: String, failed: bool, sso: bool) -> Self {
        LoginPage {
            t: Tr::new(lang),
            page: PageCtx::anonymous(lang),
            next,
            login,
            failed,
            throttled: false,
            sso,
            sso_failed: false,
        }
    }
}

/// A sign-in event in the audit trail, alone (it changes no record), with where the attempt
/// came from.
async fn audit(
    st: &AppState,
    user: Option<i64>,
    login: &str,
    action: Action,
    detail: Option<&Attempt>,
) -> AppResult<()> {
    let who = Who {
        user_id: user,
        login: login.to_string(),
    };
    let detail = detail.map(|d| d.detail().to_string());
    st.store
        .audit_alone(&who, st.now(), action, Entity::User, user, detail)
        .await?;
    Ok(())
}

/// Where a sign-in attempt came from, and what became of it, as the audit trail keeps it.
struct Attempt {
    address: String,
    forwarded_for: Option<String>,
    user_agent: String,
    outcome: &'static str,
    /// How the second factor was given: `totp`, `recovery_code`, `enrolled`, or none.
    second_factor: Option<&'static str>,
    /// How the user proved who they are: `password` or `oidc`.
    method: &'static str,
    /// Why the identity provider's answer was refused (bounded), for the auditor.
    reason: Option<String>,
}

impl Attempt {
    fn new(headers: &HeaderMap, ext: &axum::http::Extensions) -> Attempt {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.chars().take(200).collect::<String>())
        };
        Attempt {
            address: ext
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string())
                .unwrap_or_else(|| "unknown".into()),
            // As the client or a proxy claims it: recorded, not trusted.
            forwarded_for: header("x-forwarded-for"),
            user_agent: header("user-agent").unwrap_or_default(),
            outcome: "",
            second_factor: None,
            method: "password",
            reason: None,
        }
    }

    /// Audits the attempt as failed, with what became of it.
    async fn failed(
        &mut self,
        st: &AppState,
        user: Option<i64>,
        login: &str,
        outcome: &'static str,
    ) -> AppResult<()> {
        self.outcome = outcome;
        audit(st, user, login, Action::SessionSignInFailed, Some(self)).await
    }

    fn detail(&self) -> serde_json::Value {
        serde_json::json!({
            "address": self.address,
            "forwarded_for": self.forwarded_for,
            "user_agent": self.user_agent,
            "outcome": self.outcome,
            "second_factor": self.second_factor,
            "method": self.method,
            "reason": self.reason,
        })
    }
}

/// The answer to a throttled or locked attempt: the same for both, and for logins that do not
/// exist, so that it tells nothing about the account.
fn throttled(page: LoginPage, until_ms: i64, now_ms: i64) -> Response {
    let mut page = page;
    page.throttled = true;
    let wait = ((until_ms - now_ms).max(0) + 999) / 1000;
    let mut res = (StatusCode::TOO_MANY_REQUESTS, page).into_response();
    if let Ok(v) = axum::http::HeaderValue::from_str(&wait.max(1).to_string()) {
        res.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
    }
    res
}

async fn login(
    State(st): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
    ext: axum::http::Extensions,
    form: FormPairs,
) -> AppResult<Response> {
    let typed = form.get("login");
    let login = typed.trim().to_string();
    // What the trail and the counters keep of what was typed: bounded and normalised.
    let kept = normalised_login(typed);
    let password = form.get("password").to_string();
    let next = safe_next(form.get("next")).to_string();
    let lang = request_lang(&jar, &headers);
    let policy = st.cfg.throttle;
    let now_ms = st.now().as_millisecond();
    let mut attempt = Attempt::new(&headers, &ext);
    let user = st.store.user_by_login(&login).await?.filter(|u| u.active);
    let user_id = user.as_ref().map(|u| u.id);
    let (login_key, addr_key) = (format!("login:{kept}"), format!("addr:{}", attempt.address));

    // An address with many recent failures waits, whichever login it tries. Otherwise the
    // attempt is counted before the password is checked: parallel guesses each get their own
    // count.
    let addr = st.store.address_failures(&addr_key).await?;
    let refused = match addr.map(|f| policy.judge_address(&f, now_ms)) {
        Some(Verdict::Wait { until_ms }) => Some(("address_throttled", until_ms)),
        _ => {
            let attempts = st.store.count_sign_in_attempt(&login_key, now_ms).await?;
            match policy.judge_login(&attempts, now_ms) {
                Verdict::Locked { until_ms, newly } => {
                    if newly {
                        st.store.lock_sign_in(&login_key, until_ms).await?;
                        attempt.outcome = "locked";
                        audit(&st, user_id, &kept, Action::SessionLocked, Some(&attempt)).await?;
                    }
                    Some(("refused_locked", until_ms))
                }
                Verdict::Wait { until_ms } => Some(("throttled", until_ms)),
                Verdict::TryAfterLock => {
                    st.store.restart_sign_in_count(&login_key).await?;
                    None
                }
                Verdict::Try => None,
            }
        }
    };
    if let Some((outcome, until_ms)) = refused {
        attempt.failed(&st, user_id, &kept, outcome).await?;
        let page = LoginPage::new(lang, next, login, false, st.cfg.sso.is_some());
        return Ok(throttled(page, until_ms, now_ms));
    }
    let ok = auth::verify_password(
        user.as_ref().and_then(|u| u.password_hash.clone()),
        password,
    )
    .await;
    // A user whose password sign-in is switched off (the city's provider only) is answered as
    // a wrong password is: the page tells nothing about the account.
    let allowed = match (&user, ok) {
        (Some(u), true) => st.store.password_login(u.id).await?,
        _ => true,
    };
    let Some(user) = user.filter(|_| ok && allowed) else {
        tracing::info!(login = %kept, "sign-in failed");
        let outcome = if allowed {
            "wrong_password"
        } else {
            "password_disabled"
        };
        let window_over = now_ms - policy.address_window_minutes * 60_000;
        st.store
            .count_address_failure(&addr_key, now_ms, window_over)
            .await?;
        attempt.failed(&st, user_id, &kept, outcome).await?;
        let page = LoginPage::new(lang, next, login, true, st.cfg.sso.is_some());
        return Ok((StatusCode::UNAUTHORIZED, page).into_response());
    };
    st.store.clear_sign_in(&login_key).await?;
    // A user with a second factor, or who must enrol one, has a step still to go.
    if let Some(cookie) = mfa::challenge_after_password(&st, &user, &next).await? {
        return Ok((jar.add(cookie), Redirect::to(mfa::PATH)).into_response());
    }
    let jar = signed_in(&st, jar, &user, attempt).await?;
    Ok((jar, Redirect::to(&next)).into_response())
}

/// Starts the session of a user who has proved who they are and audits it with how; answers
/// the cookies to send.
async fn signed_in(
    st: &AppState,
    jar: CookieJar,
    user: &gaibu_store::UserRow,
    mut attempt: Attempt,
) -> AppResult<CookieJar> {
    // A new session id at every sign-in: an id planted before sign-in is worth nothing.
    auth::end_session(st, &jar).await?;
    let cookie = auth::start_session(st, user.id).await?;
    attempt.outcome = "signed_in";
    audit(
        st,
        Some(user.id),
        &user.login,
        Action::SessionSignedIn,
        Some(&attempt),
    )
    .await?;
    let lang = Lang::parse(&user.lang).unwrap_or_default();
    Ok(jar.add(cookie).add(lang_cookie(st, lang)))
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
        .route(mfa::PATH, get(mfa::page).post(mfa::submit))
        .route(sso::PATH, get(sso::start))
        .route(sso::CALLBACK, get(sso::callback))
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
