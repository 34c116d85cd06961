//! The lifecycle lists' URL queries (issue 8): the periodic checks due, re-checks and
//! corrective actions, the ordered checks and the terminations. Like the others, every value
//! arrives as text; an unknown one is named, a forged cursor refused.

use super::{Parsed, ask, classification, id, opt, url_of, yes};
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::state::AppState;
use gaibu_domain::recheck::Trigger;
use gaibu_domain::role::Role;
use gaibu_domain::termination::TerminationState;
use gaibu_store::lists::checks::{DueCheckFilter, DueWindow};
use gaibu_store::lists::orders::{OrderFilter, TargetFilter, TargetState};
use gaibu_store::lists::rechecks::{OpenState, WorkFilter};
use gaibu_store::lists::terminations::TerminationFilter;
use gaibu_store::page::{Dir, PageAsk};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// The roots of the units `u` is Information Security Manager over.
pub fn ism_roots(u: &CurrentUser) -> Vec<i64> {
    let mut units: Vec<i64> = u
        .actor
        .assignments
        .iter()
        .filter(|a| a.role == Role::InformationSecurityManager)
        .map(|a| a.org_unit)
        .collect();
    units.sort_unstable();
    units.dedup();
    units
}

fn date(param: &'static str, v: &str) -> Parsed<Option<Date>> {
    opt(param, v, |s| s.parse::<Date>().ok())
}

/// The page asked for; these lists read soonest first unless asked otherwise.
fn ascending(mut ask: PageAsk, dir: &str) -> PageAsk {
    if dir.trim().is_empty() {
        ask.dir = Dir::Asc;
    }
    ask
}

list_query! {
    /// The periodic checks due (every filter optional).
    DueCheckListQuery {
        /// Words every listed service contains.
        q,
        /// An org unit id: its services and those of the units below it.
        org_unit,
        /// A confidentiality level code of the classification scheme.
        classification,
        /// `due` (default: overdue or due within the reminder lead), `due_soon` or `soon`
        /// (within the lead, not yet overdue), `overdue`, or `all` (every check scheduled).
        due,
        /// Due on or after this day (YYYY-MM-DD).
        due_from,
        /// Due on or before this day (YYYY-MM-DD).
        due_to,
    }
}

impl DueCheckListQuery {
    /// The filter and page it asks for: of the services `u` manages or administers or whose
    /// unit they are ISM over, on `today` with "soon" meaning within `soon` days.
    pub async fn parse(
        &self,
        st: &AppState,
        u: &CurrentUser,
        today: Date,
        soon: i64,
    ) -> AppResult<Parsed<(DueCheckFilter, PageAsk)>> {
        let class = match classification(st, &self.classification).await? {
            Ok(c) => c,
            Err(e) => return Ok(Err(e)),
        };
        let by = today.saturating_add(jiff::Span::new().days(soon));
        Ok((|| {
            let due = opt("due", &self.due, |s| match s {
                "due" => Some(DueWindow::Due { by }),
                "due_soon" | "soon" => Some(DueWindow::Soon { today, by }),
                "overdue" => Some(DueWindow::Overdue { today }),
                "all" => Some(DueWindow::Any),
                _ => None,
            })?
            .unwrap_or(DueWindow::Due { by });
            Ok((
                DueCheckFilter {
                    user_id: u.user.id,
                    ism_units: ism_roots(u),
                    q: self.q.trim().to_string(),
                    org_unit: id("org_unit", &self.org_unit)?,
                    classification: class,
                    due,
                    due_from: date("due_from", &self.due_from)?,
                    due_to: date("due_to", &self.due_to)?,
                },
                ascending(self.page_ask()?, &self.dir),
            ))
        })())
    }
}

list_query! {
    /// The terminations (every filter optional).
    TerminationListQuery {
        /// `requested` (default: waiting for the ISM), `returned`, `accepted`, `completed` or
        /// `all`.
        state,
        /// An org unit id: its terminations and those of the units below it.
        org_unit,
        /// A confidentiality level code of the classification scheme.
        classification,
    }
}

impl TerminationListQuery {
    /// The filter and page it asks for: of the units `u` is ISM over.
    pub async fn parse(
        &self,
        st: &AppState,
        u: &CurrentUser,
    ) -> AppResult<Parsed<(TerminationFilter, PageAsk)>> {
        let class = match classification(st, &self.classification).await? {
            Ok(c) => c,
            Err(e) => return Ok(Err(e)),
        };
        Ok((|| {
            let state = opt("state", &self.state, |s| match s {
                "all" => Some(None),
                s => TerminationState::parse(s).map(Some),
            })?
            .unwrap_or(Some(TerminationState::Requested));
            Ok((
                TerminationFilter {
                    ism_units: ism_roots(u),
                    state,
                    org_unit: id("org_unit", &self.org_unit)?,
                    classification: class,
                },
                ascending(self.page_ask()?, &self.dir),
            ))
        })())
    }
}

list_query! {
    /// The ordered checks, or one order's services (every filter optional).
    OrderListQuery {
        /// `pending` (a service has not reported) or `reported` (all have).
        state,
        /// `yes`: with a report overdue.
        overdue,
    }
}

impl OrderListQuery {
    fn state(&self) -> Parsed<Option<TargetState>> {
        opt("state", &self.state, TargetState::parse)
    }

    /// The orders' filter and page, newest first unless asked otherwise.
    pub fn orders(&self, today: Date) -> Parsed<(OrderFilter, PageAsk)> {
        Ok((
            OrderFilter {
                today,
                state: self.state()?,
                overdue: yes("overdue", &self.overdue)?,
            },
            self.page_ask()?,
        ))
    }

    /// The services `administrator_id` reports on, soonest due first unless asked otherwise.
    pub fn targets_of(
        &self,
        today: Date,
        administrator_id: i64,
    ) -> Parsed<(TargetFilter, PageAsk)> {
        Ok((
            TargetFilter {
                today,
                order_id: None,
                administrator_id: Some(administrator_id),
                state: self.state()?,
                overdue: yes("overdue", &self.overdue)?,
            },
            ascending(self.page_ask()?, &self.dir),
        ))
    }

    /// One order's services, soonest due first unless asked otherwise.
    pub fn targets(&self, today: Date, order_id: i64) -> Parsed<(TargetFilter, PageAsk)> {
        Ok((
            TargetFilter {
                today,
                order_id: Some(order_id),
                administrator_id: None,
                state: self.state()?,
                overdue: yes("overdue", &self.overdue)?,
            },
            ascending(self.page_ask()?, &self.dir),
        ))
    }
}

list_query! {
    /// Re-checks or corrective actions (every filter optional).
    WorkListQuery {
        /// `mine` (default: the reader's own open work) or `all` (every one of the units the
        /// reader oversees: the ISM their units, the CISO all).
        scope,
        /// `open` or `closed` (judged, or its result recorded). Default for `mine`: `open`.
        state,
        /// On the page: list the corrective actions instead, in this state (`open`, `closed`
        /// or `all`).
        actions,
        /// `overdue`: open and past its due date.
        due,
        /// What opened the re-check: `terms_changed`, `configuration_changed`, `incident`,
        /// `certificate_expiring` or `follow_up`.
        cause,
        /// An org unit id: of its services and those of the units below it.
        org_unit,
        /// A confidentiality level code of the classification scheme.
        classification,
        /// Due on or after this day (YYYY-MM-DD).
        due_from,
        /// Due on or before this day (YYYY-MM-DD).
        due_to,
    }
}

/// Whose work a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkScope {
    Mine,
    All,
}

impl WorkListQuery {
    pub fn scope(&self) -> Parsed<WorkScope> {
        Ok(opt("scope", &self.scope, |s| match s {
            "mine" => Some(WorkScope::Mine),
            "all" => Some(WorkScope::All),
            _ => None,
        })?
        .unwrap_or(WorkScope::Mine))
    }

    /// The filter and page it asks for on `today`: `u`'s own (open unless asked otherwise),
    /// or all those of the units `u` oversees.
    pub async fn parse(
        &self,
        st: &AppState,
        u: &CurrentUser,
        today: Date,
    ) -> AppResult<Parsed<(WorkFilter, PageAsk)>> {
        let class = match classification(st, &self.classification).await? {
            Ok(c) => c,
            Err(e) => return Ok(Err(e)),
        };
        Ok((|| {
            let scope = self.scope()?;
            let state = opt("state", &self.state, |s| match s {
                "all" => Some(None),
                s => OpenState::parse(s).map(Some),
            })?;
            let mut f = WorkFilter::on(today);
            match scope {
                WorkScope::Mine => {
                    f.person_id = Some(u.user.id);
                    f.state = state.unwrap_or(Some(OpenState::Open));
                }
                WorkScope::All => {
                    f.seen_units = u.actor.units_overseen();
                    f.state = state.flatten();
                }
            }
            f.overdue =
                opt("due", &self.due, |s| (s == "overdue").then_some(true))?.unwrap_or(false);
            f.cause = opt("cause", &self.cause, Trigger::parse)?;
            f.org_unit = id("org_unit", &self.org_unit)?;
            f.classification = class;
            f.due_from = date("due_from", &self.due_from)?;
            f.due_to = date("due_to", &self.due_to)?;
            Ok((f, ascending(self.page_ask()?, &self.dir)))
        })())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lists::ListError;

    #[test]
    fn lifecycle_values_are_named_when_unknown() {
        assert_eq!(
            date("due_from", "2027-02-30"),
            Err(ListError::Unknown("due_from"))
        );
        assert_eq!(date("due_to", "2027-02-28").map(|d| d.is_some()), Ok(true));
        assert_eq!(yes("overdue", "maybe"), Err(ListError::Unknown("overdue")));
        assert_eq!(yes("overdue", ""), Ok(false));
        let q = OrderListQuery {
            state: "lost".into(),
            ..Default::default()
        };
        assert!(matches!(
            q.orders(Date::constant(2027, 1, 1)),
            Err(ListError::Unknown("state"))
        ));
        let w = WorkListQuery {
            scope: "theirs".into(),
            ..Default::default()
        };
        assert_eq!(w.scope(), Err(ListError::Unknown("scope")));
        assert_eq!(
            url_of("/checks", &[("due", "overdue"), ("q", "")], None),
            "/checks?due=overdue"
        );
    }

    #[test]
    fn the_api_document_describes_each_lifecycle_list() {
        let doc = crate::web::api::openapi();
        for (path, params) in [
            (
                "/api/v1/checks",
                &["q", "due", "due_from", "due_to", "org_unit"][..],
            ),
            (
                "/api/v1/terminations",
                &["state", "org_unit", "classification"][..],
            ),
            ("/api/v1/rechecks", &["scope", "state", "due", "cause"][..]),
            (
                "/api/v1/corrective-actions",
                &["scope", "actions", "state"][..],
            ),
            ("/api/v1/check-orders", &["state", "overdue"][..]),
            ("/api/v1/check-orders/{id}", &["state", "overdue"][..]),
            ("/api/v1/check-targets", &["state", "overdue"][..]),
            ("/api/v1/services/{id}/rechecks", &["state", "due_from"][..]),
        ] {
            let op = doc
                .paths
                .paths
                .get(path)
                .and_then(|i| i.get.as_ref())
                .unwrap_or_else(|| panic!("no GET {path}"));
            let names: Vec<&str> = op
                .parameters
                .iter()
                .flatten()
                .map(|p| p.name.as_str())
                .collect();
            for p in params.iter().chain(&["sort", "dir", "limit", "cursor"]) {
                assert!(names.contains(p), "{path} lacks {p}: {names:?}");
            }
            for status in ["200", "400", "422"] {
                assert!(
                    op.responses.responses.contains_key(status),
                    "{path} does not document {status}"
                );
            }
        }
    }
}
