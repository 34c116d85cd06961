//! Server-rendered pages (askama, auto-escaped) in the user's language.

mod account;
mod admin;
mod administrator;
pub(crate) mod applications;
mod catalogue;
mod check_orders;
pub use check_orders::target_text as check_order_target;
mod contractors;
mod dashboard;
mod date_style;
mod directory;
mod error_page;
pub(crate) mod flash;
mod history;
mod home;
mod imports;
mod ismap;
mod lists;
mod measures;
mod policies;
mod rechecks;
mod register;
mod review;
mod rotation;
mod services;
mod session;
pub(crate) mod terminations;
mod work_queue;

use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, Tr};
use crate::state::AppState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use gaibu_domain::FieldError;
use gaibu_domain::role::Role;
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    let parts: &[fn() -> Router<AppState>] = &[
        session::routes,
        account::routes,
        home::routes,
        applications::routes,
        services::routes,
        measures::routes,
        policies::routes,
        admin::routes,
        review::routes,
        register::routes,
        catalogue::routes,
        contractors::routes,
        administrator::routes,
        terminations::routes,
        rechecks::routes,
        check_orders::routes,
        dashboard::routes,
        imports::routes,
        directory::routes,
        ismap::routes,
        rotation::routes,
    ];
    // A slice, not an array: adding a part needs no count.
    parts
        .iter()
        .fold(Router::new(), |router, part| router.merge(part()))
}

/// What every page handler works with: the state, the signed-in user and the cookies (for the
/// language).
pub struct Cx {
    pub st: AppState,
    pub u: CurrentUser,
    pub jar: CookieJar,
    /// The city's name (its top org unit) in both languages, for the head of a printed page.
    city: (String, String),
}

impl FromRequestParts<AppState> for Cx {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, AppError> {
        let u = CurrentUser::from_request_parts(parts, st).await?;
        let jar = CookieJar::from_headers(&parts.headers);
        let org = crate::auth::org(st).await?;
        let city = org
            .units
            .iter()
            .find(|o| o.parent_id.is_none())
            .map(|o| (o.name_ja.clone(), o.name_en.clone()))
            .unwrap_or_default();
        Ok(Cx {
            st: st.clone(),
            u,
            jar,
            city,
        })
    }
}

impl Cx {
    /// The user opens a record: what they were told about it is read, and the menu's count
    /// says so on this very page.
    pub async fn read_about(&mut self, about: gaibu_store::About) -> AppResult<()> {
        if self.u.unread > 0 {
            let n = self
                .st
                .store
                .mark_read_about(self.u.user.id, about, self.st.now())
                .await?;
            self.u.unread = (self.u.unread - n).max(0);
        }
        Ok(())
    }

    /// The layout's context for the page at `path`.
    pub fn page(&self, path: &str) -> PageCtx {
        let mut p = PageCtx::new(&self.u, &self.jar, path);
        p.city = p.t.pick(&self.city.0, &self.city.1).to_string();
        p.printed_at = p.t.when_text(self.st.now());
        p
    }
    /// The user's messages in the language they chose.
    pub fn t(&self) -> Tr {
        self.page("").t
    }
    /// Field errors translated for this user.
    pub fn errors(&self, errs: &[FieldError]) -> FieldErrors {
        FieldErrors::from(self.t(), errs)
    }
}

/// Why a form comes back to its author instead of going on.
pub enum Again {
    /// Input the operation refused, field by field (422).
    Invalid(Vec<FieldError>),
    /// Someone saved first (409): the form shows the input over the newer version.
    Stale,
}

impl Again {
    /// The field errors, or — for a form that is not shown again over a newer version — the
    /// stale-version error itself.
    pub fn invalid(self) -> AppResult<Vec<FieldError>> {
        match self {
            Again::Invalid(errs) => Ok(errs),
            Again::Stale => Err(AppError::Stale),
        }
    }
    pub fn is_stale(&self) -> bool {
        matches!(self, Again::Stale)
    }
    pub fn field_errors(&self, t: Tr) -> FieldErrors {
        match self {
            Again::Invalid(errs) => FieldErrors::from(t, errs),
            Again::Stale => FieldErrors::default(),
        }
    }
}

/// The answer to a form's POST: on success a redirect (303) to `to(outcome)`; on refused input
/// (422) or a stale version (409) the page that `again` renders, keeping the input; any other
/// error as it is.
pub async fn answer<T, P: IntoResponse>(
    result: AppResult<T>,
    to: impl FnOnce(T) -> String,
    again: impl AsyncFnOnce(Again) -> AppResult<P>,
) -> AppResult<Response> {
    let (status, why) = match result {
        Ok(v) => return Ok(Redirect::to(&to(v)).into_response()),
        Err(AppError::Invalid(errs)) => (StatusCode::UNPROCESSABLE_ENTITY, Again::Invalid(errs)),
        Err(AppError::Stale) => (StatusCode::CONFLICT, Again::Stale),
        Err(e) => return Err(e),
    };
    Ok((status, again(why).await?).into_response())
}

/// A page as the answer to a GET.
pub fn show<P: IntoResponse>(p: P) -> AppResult<Response> {
    Ok(p.into_response())
}

/// What the layout needs on every page.
#[derive(Debug, Clone)]
pub struct PageCtx {
    pub t: Tr,
    pub user_name: String,
    pub csrf: String,
    pub is_sysadmin: bool,
    /// The ISM's own lists (check orders, termination requests) are in the menu.
    pub is_ism: bool,
    pub is_ciso: bool,
    pub signed_in: bool,
    pub path: String,
    pub unread: i64,
    /// A contractor's person: their own pages only.
    pub is_contractor: bool,
    /// May bring files of records in (`/imports`): oversees units (issue 11).
    pub may_import: bool,
    /// What the request before this page did (`flash`), shown once.
    pub flash: String,
    /// For the head of a printed page: the city and when it was printed.
    pub city: String,
    pub printed_at: String,
}

impl PageCtx {
    pub fn new(u: &CurrentUser, jar: &CookieJar, path: &str) -> Self {
        let t = Tr::new(
            jar.get(crate::auth::LANG_COOKIE)
                .and_then(|c| Lang::parse(c.value()))
                .unwrap_or(u.lang),
        )
        .with_dates(u.date_style);
        PageCtx {
            flash: jar
                .get(flash::COOKIE)
                .map(|c| flash::message(t, c.value()))
                .unwrap_or_default(),
            t,
            user_name: u.user.display_name.clone(),
            csrf: u.csrf().to_string(),
            is_sysadmin: u.has_role(Role::SystemAdministrator),
            is_ism: u.has_role(Role::InformationSecurityManager),
            is_ciso: u.has_role(Role::Ciso),
            signed_in: true,
            path: path.to_string(),
            unread: u.unread,
            is_contractor: u.user.contractor_id.is_some(),
            may_import: gaibu_domain::import::may_import(&u.actor).is_ok(),
            city: String::new(),
            printed_at: String::new(),
        }
    }

    pub fn anonymous(lang: Lang) -> Self {
        PageCtx {
            t: Tr::new(lang),
            user_name: String::new(),
            csrf: String::new(),
            is_sysadmin: false,
            is_ism: false,
            is_ciso: false,
            signed_in: false,
            path: String::new(),
            unread: 0,
            is_contractor: false,
            may_import: false,
            flash: String::new(),
            city: String::new(),
            printed_at: String::new(),
        }
    }

    pub fn nav_class(&self, prefix: &str) -> &'static str {
        if (prefix == "/" && self.path == "/") || (prefix != "/" && self.path.starts_with(prefix)) {
            "active"
        } else {
            ""
        }
    }
}

/// Field errors by field name, translated, for showing next to each field.
#[derive(Debug, Clone, Default)]
pub struct FieldErrors(HashMap<String, String>, Vec<(String, String)>);

impl FieldErrors {
    pub fn from(t: Tr, errs: &[FieldError]) -> Self {
        let mut m = HashMap::new();
        let mut summary = Vec::new();
        for e in errs {
            if m.contains_key(&e.field) {
                continue;
            }
            let msg = t.error(e.code);
            summary.push((anchor(&e.field), t.field_and(&e.field, &msg)));
            m.insert(e.field.clone(), msg);
        }
        FieldErrors(m, summary)
    }

    /// The errors in the order found, each as (field name, "label: message") for the summary
    /// at the top of a form that links to the field.
    pub fn summary(&self) -> &[(String, String)] {
        &self.1
    }
    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }
    pub fn get(&self, field: &str) -> &str {
        self.0.get(field).map(String::as_str).unwrap_or("")
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The id of the field an error is about, for the summary's link: the evaluation's fields are
/// `ev-<name>` on their form (its yes/no question a fieldset of its own name), the procurement
/// record's fields their bare names.
fn anchor(field: &str) -> String {
    match field.split_once('.') {
        Some(("evaluation", "tos_changeable")) => "tos_changeable".into(),
        Some(("evaluation", f)) => format!("ev-{f}"),
        Some(("procurement", f)) => f.to_string(),
        _ => field.to_string(),
    }
}

/// A url-encoded form as name/value pairs, keeping repeated names (checkboxes).
pub struct FormPairs(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequest<S> for FormPairs {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| AppError::Refused(crate::error::ErrorCode::MalformedForm))?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| AppError::Refused(crate::error::ErrorCode::MalformedForm))?;
        for (_, v) in &pairs {
            crate::error::check_text(v)?;
        }
        Ok(FormPairs(pairs))
    }
}

impl FormPairs {
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// The record version the form was made from: a whole number from 1; anything else is a
    /// malformed request (400), not a stale one.
    pub fn version(&self) -> Result<i64, crate::error::AppError> {
        match self.get("version").trim().parse() {
            Ok(v) if v >= 1 => Ok(v),
            _ => Err(crate::error::AppError::Refused(
                crate::error::ErrorCode::InvalidVersion,
            )),
        }
    }

    /// Deserialises the form into an input type; names in `multi` collect every value.
    pub fn to_input<T: serde::de::DeserializeOwned>(&self, multi: &[&str]) -> Result<T, AppError> {
        let mut obj = serde_json::Map::new();
        for (k, v) in &self.0 {
            if k.starts_with('_') {
                continue;
            }
            if multi.contains(&k.as_str()) {
                let e = obj
                    .entry(k.clone())
                    .or_insert_with(|| serde_json::Value::Array(vec![]));
                if let serde_json::Value::Array(a) = e {
                    a.push(serde_json::Value::String(v.clone()));
                }
            } else {
                obj.insert(k.clone(), serde_json::Value::String(v.clone()));
            }
        }
        for m in multi {
            obj.entry(m.to_string())
                .or_insert_with(|| serde_json::Value::Array(vec![]));
        }
        serde_json::from_value(serde_json::Value::Object(obj))
            .map_err(|_| AppError::Refused(crate::error::ErrorCode::MalformedForm))
    }
}

pub use crate::i18n::org_name;
pub use error_page::render_error_pages;
pub use history::{HistoryRow, actors, history_named, history_rows, named};

/// The org tree of units already read, so that a page reads the units once.
pub fn org_tree_of(units: &[gaibu_store::OrgUnitRow]) -> gaibu_domain::role::OrgTree {
    gaibu_domain::role::OrgTree::new(units.iter().map(|u| (u.id, u.parent_id)))
}

/// Org units as options, indented by depth, in tree order.
pub fn org_options(t: Tr, units: &[gaibu_store::OrgUnitRow]) -> Vec<(i64, String)> {
    type Children<'u> = std::collections::HashMap<Option<i64>, Vec<&'u gaibu_store::OrgUnitRow>>;
    fn walk(
        t: Tr,
        children: &Children<'_>,
        parent: Option<i64>,
        depth: usize,
        out: &mut Vec<(i64, String)>,
    ) {
        if depth > 32 {
            return;
        }
        for u in children.get(&parent).into_iter().flatten() {
            out.push((
                u.id,
                format!("{}{}", "　".repeat(depth), t.pick(&u.name_ja, &u.name_en)),
            ));
            walk(t, children, Some(u.id), depth + 1, out);
        }
    }
    // Children in the units' order (code order), found by parent in one pass.
    let mut children: Children<'_> = std::collections::HashMap::new();
    for u in units {
        children.entry(u.parent_id).or_default().push(u);
    }
    let mut out = Vec::with_capacity(units.len());
    walk(t, &children, None, 0, &mut out);
    out
}

pub async fn user_name(st: &AppState, id: i64) -> String {
    match st.store.user(id).await {
        Ok(Some(u)) => u.display_name,
        _ => format!("#{id}"),
    }
}
