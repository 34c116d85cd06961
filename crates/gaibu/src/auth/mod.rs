//! Who is asking: password sign-in, database sessions, API tokens, CSRF and Origin checks.
//!
//! Identity is resolved once per request by the `authenticate` middleware, which denies by
//! default: only the public paths answer without a signed-in user. Every state-changing request
//! from a browser session must carry the session's CSRF token (form field `_csrf` or header
//! `X-CSRF-Token`); API clients that send a Bearer token need none, having no ambient cookie.

use crate::cache::{Org, REQUEST_ORG, RequestOrg};
use crate::error::{AppError, AppResult, ErrorInfo};
use crate::i18n::Lang;
use crate::state::AppState;
use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderMap, Method, header, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use gaibu_domain::calendar::DateStyle;
use gaibu_domain::role::{Actor, OrgTree, Role, RoleAssignment};
use gaibu_store::credentials::{TOUCH_EVERY_MS, Touched};
use gaibu_store::{Credential, Identity, OrgUnitRow, RoleRow, UserRow, Who};
use paths::{contractor_path, is_api, is_public, system_administrator_path};
use std::sync::Arc;

mod passwords;
mod paths;

pub use passwords::{hash_password, random_token, token_hash, verify_password};

pub const SESSION_COOKIE: &str = "gaibu_session";
pub const LANG_COOKIE: &str = "gaibu_lang";
const MAX_FORM_BYTES: usize = 1024 * 1024;

/// The signed-in user, with roles and the organisation tree for scope checks.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: UserRow,
    pub roles: Vec<RoleRow>,
    pub actor: Actor,
    /// The session's CSRF token; `None` when signed in by API token.
    pub csrf: Option<String>,
    pub lang: Lang,
    /// How their pages write dates: their own choice, else the city's.
    pub date_style: DateStyle,
    /// How the city's pages write dates unless a user chose otherwise.
    pub city_date_style: DateStyle,
    /// Unread notifications, for the page header.
    pub unread: i64,
    /// The organisation tree's version when the request began.
    pub org_version: i64,
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

/// The organisation as this request sees it: read at most once per request, from this
/// instance's cache when it is as new as the version the identity query read. Outside a
/// request (CLI, demo data, background work) the version is read first.
pub async fn org(state: &AppState) -> AppResult<Arc<Org>> {
    let scoped = REQUEST_ORG.try_with(RequestOrg::get).ok();
    if let Some((_, Some(org))) = &scoped {
        return Ok(org.clone());
    }
    let version = match scoped.as_ref().and_then(|(v, _)| *v) {
        Some(v) => v,
        None => state.store.org_version().await?,
    };
    let org = match state.caches.org_at(version) {
        Some(org) => org,
        None => {
            let (units, read_at) = state.store.org_units_versioned().await?;
            // Read after `version` was: at least as new. Without units it is labelled with the
            // version asked for, which is never newer than what was read.
            let org = Arc::new(Org::new(read_at.unwrap_or(version).max(version), units));
            state.caches.keep_org(org.clone());
            org
        }
    };
    if scoped.is_some() {
        let _ = REQUEST_ORG.try_with(|r| r.set(org.clone()));
    }
    Ok(org)
}

/// The organisation tree for scope checks (see `org`); a clone shares the cached one.
pub async fn org_tree(state: &AppState) -> AppResult<OrgTree> {
    Ok(org(state).await?.tree.clone())
}

/// Every org unit, in code order (see `org`).
pub async fn org_units(state: &AppState) -> AppResult<Arc<Vec<OrgUnitRow>>> {
    Ok(org(state).await?.units.clone())
}

/// This request changed the org units: it reads them again when next asked.
pub fn org_changed() {
    let _ = REQUEST_ORG.try_with(RequestOrg::forget);
}

/// Loads a user as a signed-in actor, for work outside HTTP (demo data, CLI).
pub async fn acting_as(state: &AppState, user_id: i64) -> AppResult<CurrentUser> {
    let identity = state.store.identity(Credential::User(user_id)).await?;
    identity.map(current_user).ok_or(AppError::NotFound)
}

fn current_user(i: Identity) -> CurrentUser {
    let actor = Actor {
        user_id: i.user.id,
        org_unit: i.user.org_unit_id,
        assignments: i
            .roles
            .iter()
            .map(|r| RoleAssignment {
                role: r.role,
                org_unit: r.org_unit_id,
            })
            .collect(),
    };
    let lang = Lang::parse(&i.user.lang).unwrap_or_default();
    let city_date_style = i.city_date_style.unwrap_or_default();
    CurrentUser {
        date_style: i.user.date_style.unwrap_or(city_date_style),
        city_date_style,
        user: i.user,
        roles: i.roles,
        actor,
        csrf: i.csrf,
        lang,
        unread: i.unread,
        org_version: i.org_version,
    }
}

/// Resolves identity from a Bearer token or the session cookie, in one query.
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
        let hash = token_hash(token.trim());
        let credential = Credential::ApiToken {
            token_hash: &hash,
            now: state.now(),
        };
        return match state.store.identity(credential).await? {
            Some(i) => {
                touch(state, &i, Touched::ApiToken(&hash)).await?;
                Ok(Some(current_user(i)))
            }
            None => Err(AppError::Unauthenticated),
        };
    }
    if let Some(c) = jar.get(SESSION_COOKIE) {
        let hash = token_hash(c.value());
        let now = state.now();
        let idle = jiff::SignedDuration::from_mins(state.cfg.session_idle_minutes);
        let credential = Credential::Session {
            token_hash: &hash,
            now,
            idle_since: now.checked_sub(idle).map_err(|e| anyhow::anyhow!(e))?,
        };
        let Some(i) = state.store.identity(credential).await? else {
            return Ok(None);
        };
        touch(state, &i, Touched::Session(&hash)).await?;
        return Ok(Some(current_user(i)));
    }
    Ok(None)
}

/// Marks the session or token as in use, at most once a minute (`TOUCH_EVERY_MS`): a write per
/// request would make every page a write.
async fn touch(state: &AppState, i: &Identity, what: Touched<'_>) -> AppResult<()> {
    let now = state.now();
    if i.seen_at
        .is_none_or(|seen| now.as_millisecond() - seen >= TOUCH_EVERY_MS)
    {
        state.store.touch_credential(what, now).await?;
    }
    Ok(())
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
        Ok((req, Some(version))) => {
            let user = req.extensions().get::<CurrentUser>().cloned();
            // The org tree this request sees is the one at the version its identity query read
            // (or newer), read at most once.
            let mut res = REQUEST_ORG
                .scope(RequestOrg::at(version), next.run(req))
                .await;
            // A refusal's page keeps the user's menu (`render_error_pages`).
            if let Some(u) = user.filter(|_| res.extensions().get::<ErrorInfo>().is_some()) {
                res.extensions_mut().insert(u);
            }
            res
        }
        Ok((req, None)) => next.run(req).await,
        Err((e, path, user)) => {
            if matches!(e, AppError::Unauthenticated) && !is_api(&path) {
                let next = urlencode(&path);
                return Redirect::to(&format!("/login?next={next}")).into_response();
            }
            let mut res = e.into_response();
            // A refusal's page keeps the user's menu (`render_error_pages`).
            if let Some(u) = user {
                res.extensions_mut().insert(*u);
            }
            res
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
) -> Result<(Request, Option<i64>), (AppError, String, Option<Box<CurrentUser>>)> {
    let path = req.uri().path().to_string();
    let path_and_query = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| path.clone());
    let fail = |e: AppError| (e, path_and_query.clone(), None);
    let refuse =
        |e: AppError, u: &CurrentUser| (e, path_and_query.clone(), Some(Box::new(u.clone())));
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method && cross_site(req.headers()) {
        return Err(fail(AppError::Refused(crate::error::ErrorCode::BadOrigin)));
    }
    let user = identify(state, req.headers(), jar).await.map_err(fail)?;
    let Some(user) = user else {
        if is_public(&path) {
            return Ok((req, None));
        }
        return Err(fail(AppError::Unauthenticated));
    };
    // A contractor's person reaches their own pages and nothing else (S5.3).
    if user.user.contractor_id.is_some() && !contractor_path(&path) {
        return Err(refuse(AppError::NotFound, &user));
    }
    if user.has_role(gaibu_domain::role::Role::SystemAdministrator)
        && !system_administrator_path(&path)
    {
        let code = crate::error::ErrorCode::NotForSystemAdministrator;
        deny_request(state, &user, code, &path)
            .await
            .map_err(fail)?;
        return Err(refuse(AppError::Forbidden(code.as_str()), &user));
    }
    let (mut parts, body) = req.into_parts();
    // The sign-in forms carry no token (there is no session yet, or the second factor's step
    // of a signed-in user's enrolment); they make a new session. The second step's challenge
    // cookie is SameSite=Strict, and a cross-site request was refused above.
    let needs_token = unsafe_method && path != "/login" && path != "/login/mfa";
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
            let code = crate::error::ErrorCode::CsrfFailed;
            deny_request(state, &user, code, &path)
                .await
                .map_err(fail)?;
            return Err(fail(AppError::Refused(code)));
        }
        body
    } else {
        body
    };
    let version = user.org_version;
    parts.extensions.insert(user);
    Ok((Request::from_parts(parts, body), Some(version)))
}

/// Audits a request refused before any handler saw it, with the code and the path.
async fn deny_request(
    state: &AppState,
    user: &CurrentUser,
    code: crate::error::ErrorCode,
    path: &str,
) -> AppResult<()> {
    let detail = serde_json::json!({ "code": code.as_str(), "path": path }).to_string();
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
        .await?;
    Ok(())
}

pub use subtle_eq::ct_eq;

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
