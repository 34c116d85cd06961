//! Who is asking: password sign-in, database sessions, API tokens, CSRF and Origin checks.
//!
//! Identity is resolved once per request by the `authenticate` middleware, which denies by
//! default: only the public paths answer without a signed-in user. Every state-changing request
//! from a browser session must carry the session's CSRF token (form field `_csrf` or header
//! `X-CSRF-Token`); API clients that send a Bearer token need none, having no ambient cookie.

use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::state::AppState;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderMap, Method, header, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use base64::Engine;
use gaibu_domain::role::{Actor, OrgTree, Role, RoleAssignment};
use gaibu_store::{RoleRow, UserRow, Who};
use rand::RngCore;
use sha2::{Digest, Sha256};

pub const SESSION_COOKIE: &str = "gaibu_session";
pub const LANG_COOKIE: &str = "gaibu_lang";
const MAX_FORM_BYTES: usize = 1024 * 1024;

pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub async fn hash_password(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
    })
    .await
    .map_err(|e| anyhow::anyhow!(e))?
    .map_err(AppError::Internal)
}

static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    Argon2::default()
        .hash_password(random_token().as_bytes(), &salt)
        .map(|h| h.to_string())
        .unwrap_or_default()
});

/// Verifies in constant work: an unknown user is checked against a dummy hash.
pub async fn verify_password(hash: Option<String>, password: String) -> bool {
    tokio::task::spawn_blocking(move || {
        let known = hash.is_some();
        let h = hash.unwrap_or_else(|| DUMMY_HASH.clone());
        let ok = PasswordHash::new(&h)
            .map(|p| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &p)
                    .is_ok()
            })
            .unwrap_or(false);
        known && ok
    })
    .await
    .unwrap_or(false)
}

/// The signed-in user, with roles and the organisation tree for scope checks.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: UserRow,
    pub roles: Vec<RoleRow>,
    pub actor: Actor,
    /// The session's CSRF token; `None` when signed in by API token.
    pub csrf: Option<String>,
    pub lang: Lang,
    /// Unread notifications, for the page header.
    pub unread: i64,
}

impl CurrentUser {
    pub fn who(&self) -> Who {
        Who {
            user_id: Some(self.user.id),
            login: self.user.login.clone(),
        }
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.actor.has_role(role)
    }

    pub fn csrf(&self) -> &str {
        self.csrf.as_deref().unwrap_or("")
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> AppResult<Self> {
        parts
            .extensions
            .get::<CurrentUser>()
            .cloned()
            .ok_or(AppError::Unauthenticated)
    }
}

pub async fn org_tree(state: &AppState) -> AppResult<OrgTree> {
    Ok(OrgTree::new(
        state
            .store
            .org_units()
            .await?
            .into_iter()
            .map(|u| (u.id, u.parent_id)),
    ))
}

/// Loads a user as a signed-in actor, for work outside HTTP (demo data, CLI).
pub async fn acting_as(state: &AppState, user_id: i64) -> AppResult<CurrentUser> {
    load_user(state, user_id, None)
        .await?
        .ok_or(AppError::NotFound)
}

async fn load_user(
    state: &AppState,
    user_id: i64,
    csrf: Option<String>,
) -> AppResult<Option<CurrentUser>> {
    let Some(user) = state.store.user(user_id).await? else {
        return Ok(None);
    };
    if !user.active {
        return Ok(None);
    }
    let roles = state.store.roles_of(user_id).await?;
    let actor = Actor {
        user_id,
        org_unit: user.org_unit_id,
        assignments: roles
            .iter()
            .map(|r| RoleAssignment {
                role: r.role,
                org_unit: r.org_unit_id,
            })
            .collect(),
    };
    let lang = Lang::parse(&user.lang).unwrap_or_default();
    let unread = state.store.unread_count(user_id).await?;
    Ok(Some(CurrentUser {
        user,
        roles,
        actor,
        csrf,
        lang,
        unread,
    }))
}

/// Resolves identity from a Bearer token or the session cookie.
async fn identify(
    state: &AppState,
    headers: &HeaderMap,
    jar: &CookieJar,
) -> AppResult<Option<CurrentUser>> {
    if let Some(auth) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let Some(token) = auth.strip_prefix("Bearer ") else {
            return Err(AppError::Unauthenticated);
        };
        let Some(user_id) = state
            .store
            .user_by_api_token(&token_hash(token.trim()))
            .await?
        else {
            return Err(AppError::Unauthenticated);
        };
        return load_user(state, user_id, None).await;
    }
    if let Some(c) = jar.get(SESSION_COOKIE)
        && let Some(s) = state
            .store
            .session(&token_hash(c.value()), state.now())
            .await?
    {
        return load_user(state, s.user_id, Some(s.csrf)).await;
    }
    Ok(None)
}

fn is_public(path: &str) -> bool {
    matches!(
        path,
        "/login" | "/healthz" | "/api/openapi.json" | "/favicon.ico"
    ) || path.starts_with("/assets/")
}

fn contractor_path(path: &str) -> bool {
    matches!(
        path,
        "/" | "/login"
            | "/logout"
            | "/lang"
            | "/contractor"
            | "/api/v1/me"
            | "/favicon.ico"
            | "/healthz"
    ) || path.starts_with("/contractor/")
        || path.starts_with("/api/v1/contractor/")
        || path.starts_with("/assets/")
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

/// A state-changing request from another site is refused whatever it carries.
fn cross_site(headers: &HeaderMap) -> bool {
    if headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "cross-site")
    {
        return true;
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        host,
    ) {
        (Some("null"), _) => true,
        (Some(origin), Some(host)) => {
            let o = origin
                .strip_prefix("http://")
                .or_else(|| origin.strip_prefix("https://"))
                .unwrap_or(origin);
            o != host
        }
        _ => false,
    }
}

fn form_csrf(body: &[u8]) -> Option<String> {
    form_urlencoded_pairs(body)
        .into_iter()
        .find(|(k, _)| k == "_csrf")
        .map(|(_, v)| v)
}

fn query_csrf(query: &str) -> Option<String> {
    form_urlencoded_pairs(query.as_bytes())
        .into_iter()
        .find(|(k, _)| k == "_csrf")
        .map(|(_, v)| v)
}

fn form_urlencoded_pairs(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).unwrap_or_default()
}

/// Identifies the user, denies by default, and checks Origin and CSRF on state changes.
pub async fn authenticate(
    State(state): State<AppState>,
    jar: CookieJar,
    req: Request,
    next: Next,
) -> Response {
    match authenticate_inner(&state, &jar, req).await {
        Ok(req) => next.run(req).await,
        Err((e, path)) => {
            if matches!(e, AppError::Unauthenticated) && !is_api(&path) {
                let next = urlencode(&path);
                return Redirect::to(&format!("/login?next={next}")).into_response();
            }
            e.into_response()
        }
    }
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|v| v.trim_start_matches('=').to_string())
        .unwrap_or_default()
}

async fn authenticate_inner(
    state: &AppState,
    jar: &CookieJar,
    req: Request,
) -> Result<Request, (AppError, String)> {
    let path = req.uri().path().to_string();
    let path_and_query = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| path.clone());
    let fail = |e: AppError| (e, path_and_query.clone());
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method && cross_site(req.headers()) {
        return Err(fail(AppError::Refused(crate::error::ErrorCode::BadOrigin)));
    }
    let user = identify(state, req.headers(), jar).await.map_err(fail)?;
    let Some(user) = user else {
        if is_public(&path) {
            return Ok(req);
        }
        return Err(fail(AppError::Unauthenticated));
    };
    // A contractor's person reaches their own pages and nothing else (S5.3).
    if user.user.contractor_id.is_some() && !contractor_path(&path) {
        return Err(fail(AppError::NotFound));
    }
    let (mut parts, body) = req.into_parts();
    // The sign-in form carries no token (there is no session yet); it makes a new session.
    let needs_token = unsafe_method && path != "/login";
    let body = if needs_token && let Some(expected) = user.csrf.clone() {
        // A browser session: the token must come with the request.
        let header_token = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let multipart = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        let (token, body) = match header_token {
            Some(t) => (Some(t), body),
            // File uploads carry the token in the form's action URL: their bodies are large.
            None if multipart => (query_csrf(parts.uri.query().unwrap_or("")), body),
            None => {
                let bytes = to_bytes(body, MAX_FORM_BYTES)
                    .await
                    .map_err(|_| fail(AppError::Refused(crate::error::ErrorCode::BodyTooLarge)))?;
                (form_csrf(&bytes), Body::from(bytes))
            }
        };
        let ok = token.is_some_and(|t| {
            use subtle_eq::ct_eq;
            ct_eq(t.as_bytes(), expected.as_bytes())
        });
        if !ok {
            let detail = serde_json::json!({ "code": "csrf_failed", "path": path }).to_string();
            state
                .store
                .audit_alone(
                    &user.who(),
                    state.now(),
                    gaibu_domain::audit::Action::AccessDenied,
                    gaibu_domain::audit::Entity::Request,
                    None,
                    Some(detail),
                )
                .await
                .map_err(|e| fail(e.into()))?;
            return Err(fail(AppError::Refused(crate::error::ErrorCode::CsrfFailed)));
        }
        body
    } else {
        body
    };
    parts.extensions.insert(user);
    Ok(Request::from_parts(parts, body))
}

mod subtle_eq {
    /// Compares without an early exit, so timing does not reveal the token.
    pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
        if a.len() != b.len() {
            return false;
        }
        a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

/// Starts a new session for `user_id` (a fresh id at every sign-in) and returns its cookie.
pub async fn start_session(state: &AppState, user_id: i64) -> AppResult<Cookie<'static>> {
    let token = random_token();
    let now = state.now();
    let expires = now
        .checked_add(jiff::SignedDuration::from_hours(state.cfg.session_hours))
        .map_err(|e| anyhow::anyhow!(e))?;
    state
        .store
        .create_session(&token_hash(&token), user_id, &random_token(), now, expires)
        .await?;
    Ok(session_cookie(state, token))
}

pub fn session_cookie(state: &AppState, value: String) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, value))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.cfg.secure_cookies)
        .path("/")
        .build()
}

pub async fn end_session(state: &AppState, jar: &CookieJar) -> AppResult<()> {
    if let Some(c) = jar.get(SESSION_COOKIE) {
        state.store.delete_session(&token_hash(c.value())).await?;
    }
    Ok(())
}

/// The language of a request: the user's choice (cookie), else the browser's.
pub fn request_lang(jar: &CookieJar, headers: &HeaderMap) -> Lang {
    jar.get(LANG_COOKIE)
        .and_then(|c| Lang::parse(c.value()))
        .unwrap_or_else(|| {
            Lang::from_accept_language(
                headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or(""),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cross_site_requests_are_recognised() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "127.0.0.1:8080".parse().expect("header"));
        assert!(!cross_site(&h));
        h.insert(
            header::ORIGIN,
            "http://127.0.0.1:8080".parse().expect("header"),
        );
        assert!(!cross_site(&h));
        h.insert(
            header::ORIGIN,
            "http://evil.example".parse().expect("header"),
        );
        assert!(cross_site(&h));
    }

    #[test]
    fn csrf_is_read_from_a_form_body() {
        assert_eq!(form_csrf(b"a=1&_csrf=tok%2B&b=2").as_deref(), Some("tok+"));
        assert_eq!(form_csrf(b"a=1"), None);
    }
}
