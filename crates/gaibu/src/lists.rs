//! The lists' URL queries: what a bookmarked or shared list link carries, read into the store's
//! filters. Every value arrives as text so that an unknown one can be shown back to the user
//! (the page lists nothing and keeps the filter); the JSON API names the parameter in a 422.

use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::policies;
use crate::state::AppState;
use gaibu_domain::FieldError;
use gaibu_domain::classification::Track;
use gaibu_store::lists::applications::ApplicationFilter;
use gaibu_store::lists::register::{RegisterFilter, UseFilter};
use gaibu_store::lists::services::{CheckFilter, OpenFilter, ServiceFilter, StatusFilter};
use gaibu_store::page::{Cursor, Dir, PageAsk, clamp_limit};
use serde::{Deserialize, Serialize};

/// Why a list query cannot be followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListError {
    /// A filter value the list does not know, by parameter name.
    Unknown(&'static str),
    /// A cursor this server did not give out.
    BadCursor,
}

impl From<ListError> for AppError {
    fn from(e: ListError) -> AppError {
        match e {
            ListError::Unknown(p) => AppError::Invalid(vec![FieldError::new(p, "invalid_choice")]),
            ListError::BadCursor => AppError::Refused(ErrorCode::BadCursor),
        }
    }
}

type Parsed<T> = Result<T, ListError>;

fn opt<T>(param: &'static str, v: &str, parse: impl Fn(&str) -> Option<T>) -> Parsed<Option<T>> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    parse(v).map(Some).ok_or(ListError::Unknown(param))
}

/// A yes/no filter; absent is no.
fn yes(param: &'static str, v: &str) -> Parsed<bool> {
    Ok(opt(param, v, |s| match s {
        "yes" | "true" => Some(true),
        "no" | "false" => Some(false),
        _ => None,
    })?
    .unwrap_or(false))
}

fn id(param: &'static str, v: &str) -> Parsed<Option<i64>> {
    opt(param, v, |s| s.parse::<i64>().ok().filter(|n| *n > 0))
}

fn open_filter(
    param: &'static str,
    v: &str,
    today: jiff::civil::Date,
) -> Parsed<Option<OpenFilter>> {
    opt(param, v, |s| match s {
        "open" => Some(OpenFilter::Open),
        "overdue" => Some(OpenFilter::OverdueOn(today)),
        _ => None,
    })
}

/// `flagged` (any finding) or one finding that flags.
fn ismap_filter(s: &str) -> Option<Option<gaibu_domain::ismap::Finding>> {
    use gaibu_domain::ismap::Finding;
    match s {
        "flagged" => Some(None),
        other => Finding::parse(other)
            .filter(|f| *f != Finding::Ok)
            .map(Some),
    }
}

fn scope(v: &str) -> Parsed<Option<bool>> {
    opt("in_scope", v, |s| match s {
        "all" => Some(None),
        "yes" | "true" => Some(Some(true)),
        "no" | "false" => Some(Some(false)),
        _ => None,
    })
    .map(Option::flatten)
}

/// The page asked for: sort, direction, size (clamped) and cursor. A cursor made for another
/// order is as foreign as a forged one.
fn ask(sort: &str, dir: &str, limit: &str, cursor: &str) -> Parsed<PageAsk> {
    let limit = opt("limit", limit, |s| s.parse::<i64>().ok())?;
    let after = match cursor.trim() {
        "" => None,
        c => Some(Cursor::decode(c).map_err(|_| ListError::BadCursor)?),
    };
    if let Some(c) = &after
        && !sort.trim().is_empty()
        && c.sort != sort.trim()
    {
        return Err(ListError::BadCursor);
    }
    Ok(PageAsk {
        sort: sort.trim().to_string(),
        dir: opt("dir", dir, Dir::parse)?.unwrap_or_default(),
        limit: clamp_limit(limit),
        after,
    })
}

/// The query as a URL for `path`, with `cursor` in place of the one it had (none: page 1).
fn url_of(path: &str, pairs: &[(&str, &str)], cursor: Option<&str>) -> String {
    let mut kept: Vec<(&str, &str)> = pairs
        .iter()
        .copied()
        .filter(|(k, v)| *k != "cursor" && !v.trim().is_empty())
        .collect();
    if let Some(c) = cursor {
        kept.push(("cursor", c));
    }
    if kept.is_empty() {
        return path.to_string();
    }
    let qs = serde_urlencoded::to_string(&kept).unwrap_or_default();
    format!("{path}?{qs}")
}

/// A classification code of the scheme in force; any other is unknown.
async fn classification(st: &AppState, v: &str) -> AppResult<Parsed<Option<String>>> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(Ok(None));
    }
    let scheme = policies::scheme_in_force(st).await?.doc;
    Ok(match scheme.confidentiality_level(v) {
        Some(l) => Ok(Some(l.code.clone())),
        None => Err(ListError::Unknown("classification")),
    })
}

macro_rules! list_query {
    ($(#[$m:meta])* $name:ident { $($(#[$fm:meta])* $field:ident),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
        #[serde(default)]
        #[into_params(parameter_in = Query)]
        pub struct $name {
            $($(#[$fm])* pub $field: String,)*
            /// The column to sort by (the list's default when empty).
            pub sort: String,
            /// `asc` or `desc` (default).
            pub dir: String,
            /// Rows a page (default 50; more than 200 is taken as 200).
            pub limit: String,
            /// Where the page starts: the `next_cursor` of the page before.
            pub cursor: String,
        }

        impl $name {
            fn pairs(&self) -> Vec<(&'static str, &str)> {
                vec![$((stringify!($field), self.$field.as_str()),)*
                    ("sort", &self.sort), ("dir", &self.dir), ("limit", &self.limit)]
            }

            /// This list at `path` from its first page.
            pub fn url(&self, path: &str) -> String {
                url_of(path, &self.pairs(), None)
            }

            /// This list at `path` from `cursor`.
            pub fn url_from(&self, path: &str, cursor: &str) -> String {
                url_of(path, &self.pairs(), Some(cursor))
            }

            fn page_ask(&self) -> Parsed<PageAsk> {
                ask(&self.sort, &self.dir, &self.limit, &self.cursor)
            }
        }
    };
}

list_query! {
    /// The ledger's filters (every one optional).
    ServiceListQuery {
        /// Words every listed service contains (name, provider, purpose); one character or more.
        q,
        /// An org unit id: its services and those of the units below it.
        org_unit,
        /// A confidentiality level code of the classification scheme.
        classification,
        /// `building`, `in_operation`, `suspended`, `retired` or `unregistered`.
        status,
        /// `class1` or `class2plus`.
        track,
        /// A provider's name, exactly.
        provider,
        /// `yes`: within the security policy's scope (S1.2); `no`: outside it.
        in_scope,
        /// `due_soon` or `overdue`: the periodic check (S3.6-3).
        check,
        /// `expiring`: an attached certificate expires within the reminder lead or has expired.
        certificate,
        /// A user id: the services they administer.
        administrator,
        /// `open` or `overdue`: with a re-check open (S6.1).
        recheck,
        /// `open` or `overdue`: with a corrective action open (S6.2).
        action,
        /// `flagged`: with an open flag of the ISMAP cross-check; or one finding of it:
        /// `not_listed`, `expired`, `withdrawn`, `scope_mismatch`.
        ismap,
    }
}

list_query! {
    /// The usage register's filters (every one optional).
    RegisterListQuery {
        /// Words every listed entry's service contains.
        q,
        /// An org unit id: its entries and those of the units below it.
        org_unit,
        /// A confidentiality level code of the classification scheme.
        classification,
        /// `yes` or `no` (S1.2).
        in_scope,
        /// `active`, `suspended` (S6.2) or `ended` (S7.1-3).
        status,
    }
}

list_query! {
    /// The applications list's filters (every one optional).
    ApplicationListQuery {
        /// Words every listed application contains (service, provider, purpose).
        q,
        /// An application state, e.g. `submitted`.
        state,
        /// An org unit id: its applications and those of the units below it.
        org_unit,
        /// `class1` or `class2plus`.
        track,
        /// A confidentiality level code of the classification scheme.
        classification,
        /// `yes`: only the reader's own applications.
        mine,
    }
}

list_query! {
    /// The users list's filters (every one optional).
    UserListQuery {
        /// Part of a login or a name.
        q,
        /// An org unit id: its users and those of the units below it.
        org_unit,
        /// `yes`: active users only; `no`: deactivated ones only.
        active,
    }
}

impl UserListQuery {
    pub fn parse(&self) -> AppResult<(gaibu_store::lists::people::UserFilter, PageAsk)> {
        let active = opt("active", &self.active, |s| match s {
            "yes" | "true" => Some(true),
            "no" | "false" => Some(false),
            _ => None,
        })?;
        Ok((
            gaibu_store::lists::people::UserFilter {
                q: self.q.trim().to_string(),
                org_unit: id("org_unit", &self.org_unit)?,
                active,
                staff_only: false,
            },
            self.page_ask()?,
        ))
    }
}

list_query! {
    /// A service's official accounts (S3.5.1a), filtered (every one optional).
    AccountListQuery {
        /// Part of the account id, the holder's position or the purpose.
        q,
        /// `active` or `closed`.
        status,
    }
}

impl AccountListQuery {
    /// The filter and page it asks for, of the service `service_id`.
    pub fn parse(
        &self,
        service_id: i64,
    ) -> Parsed<(gaibu_store::lists::people::AccountFilter, PageAsk)> {
        Ok((
            gaibu_store::lists::people::AccountFilter {
                service_id,
                status: opt("status", &self.status, |s| {
                    gaibu_domain::account::AccountStatus::parse(s)
                })?,
                q: self.q.trim().to_string(),
            },
            self.page_ask()?,
        ))
    }
}

list_query! {
    /// A plain list's page.
    PageOnly {}
}

list_query! {
    /// The services flagged by the ISMAP cross-check (issue 11).
    IsmapFlagQuery {
        /// `not_listed`, `expired`, `withdrawn` or `scope_mismatch` (empty: any).
        finding,
    }
}

impl IsmapFlagQuery {
    /// The filter and page it asks for, of the units `units` (`None`: all).
    pub fn parse(
        &self,
        units: Option<Vec<i64>>,
    ) -> Parsed<(gaibu_store::ismap::FlagFilter, PageAsk)> {
        let finding = opt("finding", &self.finding, |s| {
            gaibu_domain::ismap::Finding::parse(s)
                .filter(|f| *f != gaibu_domain::ismap::Finding::Ok)
        })?;
        Ok((
            gaibu_store::ismap::FlagFilter { units, finding },
            self.page_ask()?,
        ))
    }
}

impl PageOnly {
    pub fn ask(&self) -> AppResult<PageAsk> {
        Ok(self.page_ask()?)
    }
}

impl ServiceListQuery {
    /// The filter and page it asks for, on `today` (due and expiry windows come from the
    /// service-life policy in force).
    pub async fn parse(
        &self,
        st: &AppState,
        today: jiff::civil::Date,
    ) -> AppResult<Parsed<(ServiceFilter, PageAsk)>> {
        let class = match classification(st, &self.classification).await? {
            Ok(c) => c,
            Err(e) => return Ok(Err(e)),
        };
        let lead = || async {
            let days = policies::service_life_in_force(st)
                .await
                .map(|p| p.doc.first_reminder_lead())
                .unwrap_or(30);
            today.saturating_add(jiff::Span::new().days(i64::from(days)))
        };
        let check = match self.check.trim() {
            "" => None,
            "due_soon" => Some(CheckFilter::DueSoon {
                today,
                by: lead().await,
            }),
            "overdue" => Some(CheckFilter::OverdueOn(today)),
            _ => return Ok(Err(ListError::Unknown("check"))),
        };
        let certificate_by = match self.certificate.trim() {
            "" => None,
            "expiring" => Some(lead().await),
            _ => return Ok(Err(ListError::Unknown("certificate"))),
        };
        Ok((|| {
            Ok((
                ServiceFilter {
                    q: self.q.trim().to_string(),
                    org_unit: id("org_unit", &self.org_unit)?,
                    classification: class,
                    status: opt("status", &self.status, StatusFilter::parse)?,
                    track: opt("track", &self.track, Track::parse)?,
                    provider: opt("provider", &self.provider, |s| Some(s.to_string()))?,
                    in_scope: scope(&self.in_scope)?,
                    check,
                    certificate_by,
                    administrator: id("administrator", &self.administrator)?,
                    recheck: open_filter("recheck", &self.recheck, today)?,
                    action: open_filter("action", &self.action, today)?,
                    ismap: opt("ismap", &self.ismap, ismap_filter)?,
                },
                self.page_ask()?,
            ))
        })())
    }
}

impl RegisterListQuery {
    /// The filter and page it asks for, limited to what `u` may see.
    pub async fn parse(
        &self,
        st: &AppState,
        u: &CurrentUser,
    ) -> AppResult<Parsed<(RegisterFilter, PageAsk)>> {
        let class = match classification(st, &self.classification).await? {
            Ok(c) => c,
            Err(e) => return Ok(Err(e)),
        };
        Ok((|| {
            Ok((
                RegisterFilter {
                    seen_units: u.actor.units_overseen(),
                    q: self.q.trim().to_string(),
                    org_unit: id("org_unit", &self.org_unit)?,
                    classification: class,
                    in_scope: scope(&self.in_scope)?,
                    status: opt("status", &self.status, UseFilter::parse)?,
                },
                self.page_ask()?,
            ))
        })())
    }
}

impl ApplicationListQuery {
    /// The filter and page it asks for: the reader's own applications and those of the units
    /// they oversee.
    pub async fn parse(
        &self,
        st: &AppState,
        u: &CurrentUser,
    ) -> AppResult<Parsed<(ApplicationFilter, PageAsk)>> {
        let class = match classification(st, &self.classification).await? {
            Ok(c) => c,
            Err(e) => return Ok(Err(e)),
        };
        Ok((|| {
            Ok((
                ApplicationFilter {
                    reader_id: u.user.id,
                    seen_units: u.actor.units_overseen(),
                    q: self.q.trim().to_string(),
                    state: opt(
                        "state",
                        &self.state,
                        gaibu_domain::application::State::parse,
                    )?,
                    org_unit: id("org_unit", &self.org_unit)?,
                    track: opt("track", &self.track, Track::parse)?,
                    classification: class,
                    applicant_id: yes("mine", &self.mine)?.then_some(u.user.id),
                },
                self.page_ask()?,
            ))
        })())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_url_keeps_its_filters_and_moves_the_cursor() {
        let q = ServiceListQuery {
            q: "会議".into(),
            status: "in_operation".into(),
            cursor: "old".into(),
            ..Default::default()
        };
        assert_eq!(
            q.url("/services"),
            "/services?q=%E4%BC%9A%E8%AD%B0&status=in_operation"
        );
        assert!(q.url_from("/services", "abc").ends_with("&cursor=abc"));
    }

    #[test]
    fn unknown_values_and_forged_cursors_are_named() {
        assert_eq!(
            ask("", "sideways", "", "").map(|_| ()),
            Err(ListError::Unknown("dir"))
        );
        assert_eq!(
            ask("", "", "", "0011").map(|_| ()),
            Err(ListError::BadCursor)
        );
        assert_eq!(ask("", "", "100000", "").map(|a| a.limit), Ok(200));
        assert_eq!(scope("maybe"), Err(ListError::Unknown("in_scope")));
        assert_eq!(id("org_unit", "x"), Err(ListError::Unknown("org_unit")));
    }
}

pub mod lifecycle;
