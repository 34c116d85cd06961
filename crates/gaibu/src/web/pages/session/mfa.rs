//! The second factor of a sign-in (issue 9): after the password, a user with TOTP gives a code
//! (or a recovery code); a user whose role requires it and who has none enrols first. Between
//! the two steps the browser holds a challenge cookie, never a session.

use super::{Attempt, audit, signed_in};
use crate::auth::{random_token, request_lang, token_hash};
use crate::error::AppResult;
use crate::i18n::{Lang, Tr};
use crate::mfa;
use crate::state::AppState;
use crate::web::pages::{FormPairs, PageCtx};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use gaibu_domain::audit::Action;
use gaibu_store::mfa::{Challenge, Purpose};
use gaibu_store::{UserRow, Who};

pub(in crate::web::pages) const PATH: &str = "/login/mfa";
const COOKIE: &str = "gaibu_mfa";

#[derive(Template, WebTemplate)]
#[template(path = "login_mfa.html")]
struct MfaPage {
    t: Tr,
    page: PageCtx,
    /// Enrolment (a secret to add to an app) rather than a code of one enrolled.
    enrol: bool,
    login: String,
    /// The secret in groups of four, to type in; its QR code (SVG drawn by the server).
    secret_groups: String,
    qr_svg: String,
    failed: bool,
    /// After enrolment: the recovery codes, shown once, and where to go on.
    recovery_codes: Vec<String>,
    next: String,
}

impl MfaPage {
    fn new(lang: Lang, user: &UserRow, c: &Challenge) -> Self {
        let secret = c.secret.clone().unwrap_or_default();
        let enrol = c.purpose == Purpose::Enrol;
        let groups: Vec<String> = secret
            .as_bytes()
            .chunks(4)
            .map(|g| String::from_utf8_lossy(g).into_owned())
            .collect();
        MfaPage {
            t: Tr::new(lang),
            page: PageCtx::anonymous(lang),
            enrol,
            login: user.login.clone(),
            qr_svg: if enrol {
                mfa::qr_svg(&mfa::otpauth_url(&user.login, &secret))
            } else {
                String::new()
            },
            secret_groups: groups.join(" "),
            failed: false,
            recovery_codes: Vec::new(),
            next: c.next_path.clone(),
        }
    }
}

fn cookie(st: &AppState, value: String) -> Cookie<'static> {
    Cookie::build((COOKIE, value))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(st.cfg.secure_cookies)
        .path("/login")
        .build()
}

fn gone() -> Cookie<'static> {
    Cookie::build(COOKIE).path("/login").build()
}

/// After a password accepted: the challenge cookie of a user who has a second factor or must
/// enrol one; `None` when the password is all the user needs.
pub(super) async fn challenge_after_password(
    st: &AppState,
    user: &UserRow,
    next: &str,
) -> AppResult<Option<Cookie<'static>>> {
    let purpose = match st.store.totp_of(user.id).await? {
        Some(_) => Purpose::Verify,
        None => {
            let roles = st.store.roles_of(user.id).await?;
            if !mfa::required_for(roles.iter().map(|r| r.role)) {
                return Ok(None);
            }
            Purpose::Enrol
        }
    };
    Ok(Some(start(st, user.id, purpose, next).await?))
}

/// Starts a challenge for `user_id` and answers its cookie.
pub(in crate::web::pages) async fn start(
    st: &AppState,
    user_id: i64,
    purpose: Purpose,
    next: &str,
) -> AppResult<Cookie<'static>> {
    let token = random_token();
    let now = st.now();
    let expires = now
        .checked_add(jiff::SignedDuration::from_mins(mfa::CHALLENGE_MINUTES))
        .map_err(|e| anyhow::anyhow!(e))?;
    let c = Challenge {
        user_id,
        purpose,
        secret: (purpose == Purpose::Enrol).then(mfa::new_secret),
        next_path: next.to_string(),
        attempts: 0,
    };
    st.store
        .create_challenge(&token_hash(&token), &c, expires, now)
        .await?;
    Ok(cookie(st, token))
}

/// The challenge the browser holds and its user, while both last (counting an attempt).
async fn current(
    st: &AppState,
    jar: &CookieJar,
    attempt: bool,
) -> AppResult<Option<(String, Challenge, UserRow)>> {
    let Some(c) = jar.get(COOKIE) else {
        return Ok(None);
    };
    let hash = token_hash(c.value());
    let Some(ch) = st.store.challenge(&hash, attempt, st.now()).await? else {
        return Ok(None);
    };
    match st.store.user(ch.user_id).await?.filter(|u| u.active) {
        Some(u) => Ok(Some((hash, ch, u))),
        None => Ok(None),
    }
}

pub(super) async fn page(
    State(st): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
) -> AppResult<Response> {
    let lang = request_lang(&jar, &headers);
    match current(&st, &jar, false).await? {
        Some((_, c, user)) => Ok(MfaPage::new(lang, &user, &c).into_response()),
        None => Ok((jar.remove(gone()), Redirect::to("/login")).into_response()),
    }
}

pub(super) async fn submit(
    State(st): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
    ext: axum::http::Extensions,
    form: FormPairs,
) -> AppResult<Response> {
    let lang = request_lang(&jar, &headers);
    let Some((hash, c, user)) = current(&st, &jar, true).await? else {
        return Ok((jar.remove(gone()), Redirect::to("/login")).into_response());
    };
    let mut attempt = Attempt::new(&headers, &ext);
    if c.attempts > mfa::MAX_ATTEMPTS {
        // Enough guesses: the password must be given again (and is throttled there).
        st.store.delete_challenge(&hash).await?;
        code_refused(&st, &user, &mut attempt, "too_many_codes").await?;
        return Ok((jar.remove(gone()), Redirect::to("/login")).into_response());
    }
    let code = form.get("code").trim().to_string();
    let now = st.now();
    let who = Who {
        user_id: Some(user.id),
        login: user.login.clone(),
    };
    let proved = match c.purpose {
        Purpose::Verify if mfa::looks_like_recovery(&code) => {
            let used = st
                .store
                .use_recovery_code(user.id, &mfa::recovery_hash(&code), now)
                .await?;
            if used {
                let left = st.store.recovery_codes_left(user.id).await?;
                let detail = serde_json::json!({ "left": left }).to_string();
                st.store
                    .audit_alone(
                        &who,
                        now,
                        Action::MfaRecoveryCodeUsed,
                        gaibu_domain::audit::Entity::User,
                        Some(user.id),
                        Some(detail),
                    )
                    .await?;
            }
            used.then_some("recovery_code")
        }
        Purpose::Verify => {
            let step = st
                .store
                .totp_of(user.id)
                .await?
                .and_then(|t| mfa::matching_step(&t.secret, &code, now));
            match step {
                // A code is accepted once, on every instance.
                Some(step) if st.store.use_totp_step(user.id, step).await? => Some("totp"),
                _ => None,
            }
        }
        Purpose::Enrol => {
            let secret = c.secret.clone().unwrap_or_default();
            match mfa::matching_step(&secret, &code, now) {
                Some(step) => {
                    let codes = mfa::new_recovery_codes();
                    let hashes: Vec<String> = codes.iter().map(|c| mfa::recovery_hash(c)).collect();
                    st.store
                        .enrol_totp(&who, user.id, &secret, step, &hashes, now)
                        .await?;
                    st.store.delete_challenge(&hash).await?;
                    attempt.second_factor = Some("enrolled");
                    let jar = signed_in(&st, jar.remove(gone()), &user, attempt).await?;
                    let mut page = MfaPage::new(lang, &user, &c);
                    page.recovery_codes = codes;
                    return Ok((jar, page).into_response());
                }
                None => None,
            }
        }
    };
    let Some(how) = proved else {
        code_refused(&st, &user, &mut attempt, "wrong_code").await?;
        let mut page = MfaPage::new(lang, &user, &c);
        page.failed = true;
        return Ok((StatusCode::UNAUTHORIZED, page).into_response());
    };
    st.store.delete_challenge(&hash).await?;
    attempt.second_factor = Some(how);
    let jar = signed_in(&st, jar.remove(gone()), &user, attempt).await?;
    Ok((jar, Redirect::to(&c.next_path)).into_response())
}

/// Audits a second factor refused, with where the attempt came from and why.
async fn code_refused(
    st: &AppState,
    user: &UserRow,
    attempt: &mut Attempt,
    outcome: &'static str,
) -> AppResult<()> {
    attempt.outcome = outcome;
    let (id, login) = (Some(user.id), user.login.as_str());
    audit(st, id, login, Action::SessionMfaFailed, Some(attempt)).await
}
