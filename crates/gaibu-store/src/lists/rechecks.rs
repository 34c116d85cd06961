//! Re-checks (S6.1) and corrective actions (S6.2) as lists: a person's own open work, a
//! service's history, and the overseers' view of their units, filtered and paged by keyset in
//! the database.

use crate::page::{Key, Page, PageAsk, Query, SortBy};
use crate::rechecks::{CorrectiveActionRow, RecheckRow};
use crate::{Result, Store};
use gaibu_domain::recheck::Trigger;
use jiff::civil::Date;

/// Open, or judged / resulted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenState {
    Open,
    Closed,
}

impl OpenState {
    pub fn parse(s: &str) -> Option<OpenState> {
        match s {
            "open" => Some(OpenState::Open),
            "closed" => Some(OpenState::Closed),
            _ => None,
        }
    }
}

/// What a list of re-checks or corrective actions asks for. Empty fields do not filter; the
/// restrictions (person, units, service) all hold together.
#[derive(Debug, Clone)]
pub struct WorkFilter {
    /// What is overdue: open and due before this day.
    pub today: Date,
    /// A person's own: the re-checks they administer; the actions they own or administer.
    pub person_id: Option<i64>,
    /// The units (with those below them) whose services are listed; `None`: all.
    pub seen_units: Option<Vec<i64>>,
    pub service_id: Option<i64>,
    pub state: Option<OpenState>,
    pub overdue: bool,
    /// What opened the re-check (re-checks only).
    pub cause: Option<Trigger>,
    pub org_unit: Option<i64>,
    pub classification: Option<String>,
    pub due_from: Option<Date>,
    pub due_to: Option<Date>,
}

impl WorkFilter {
    /// Everything of nobody in particular: narrow it with the fields.
    pub fn on(today: Date) -> WorkFilter {
        WorkFilter {
            today,
            person_id: None,
            seen_units: None,
            service_id: None,
            state: None,
            overdue: false,
            cause: None,
            org_unit: None,
            classification: None,
            due_from: None,
            due_to: None,
        }
    }

    /// `x` is the table's alias; `person` the condition on the person's id placeholder.
    fn query(&self, select: &str, x: &str, person: fn(&str) -> String) -> Query {
        let mut q = Query::new(select);
        if let Some(p) = self.person_id {
            let p = q.bind(p);
            q.and(person(&p));
        }
        if let Some(units) = &self.seen_units {
            q.within_units("s.org_unit_id", units);
        }
        if let Some(id) = self.service_id {
            let p = q.bind(id);
            q.and(format!("{x}.service_id = {p}"));
        }
        match self.state {
            None => {}
            Some(OpenState::Open) => q.and(format!("{x}.state = 'open'")),
            Some(OpenState::Closed) => q.and(format!("{x}.state <> 'open'")),
        }
        if self.overdue {
            let p = q.bind(self.today);
            q.and(format!("{x}.state = 'open' AND {x}.due_on < {p}"));
        }
        if let Some(c) = self.cause {
            let p = q.bind(c.as_str());
            q.and(format!("{x}.cause = {p}"));
        }
        if let Some(u) = self.org_unit {
            q.within_units("s.org_unit_id", &[u]);
        }
        if let Some(c) = &self.classification {
            let p = q.bind(c.as_str());
            q.and(format!("s.confidentiality = {p}"));
        }
        if let Some(d) = self.due_from {
            let p = q.bind(d);
            q.and(format!("{x}.due_on >= {p}"));
        }
        if let Some(d) = self.due_to {
            let p = q.bind(d);
            q.and(format!("{x}.due_on <= {p}"));
        }
        q
    }

    fn rechecks(&self) -> Query {
        self.query(
            "SELECT r.* FROM rechecks r JOIN services s ON s.id = r.service_id",
            "r",
            |p| format!("r.administrator_id = {p}"),
        )
    }

    fn actions(&self) -> Query {
        self.query(
            "SELECT a.* FROM corrective_actions a JOIN services s ON s.id = a.service_id",
            "a",
            |p| format!("(a.owner_id = {p} OR a.administrator_id = {p})"),
        )
    }
}

pub const RECHECK_SORTS: &[SortBy<RecheckRow>] = &[
    SortBy {
        name: "due_on",
        expr: "r.due_on",
        key: |r| Key::Text(r.due_on.to_string()),
    },
    SortBy {
        name: "id",
        expr: "r.id",
        key: |r| Key::Int(r.id),
    },
    SortBy {
        name: "occurred_on",
        expr: "r.occurred_on",
        key: |r| Key::Text(r.occurred_on.to_string()),
    },
];

pub const ACTION_SORTS: &[SortBy<CorrectiveActionRow>] = &[
    SortBy {
        name: "due_on",
        expr: "a.due_on",
        key: |r| Key::Text(r.due_on.to_string()),
    },
    SortBy {
        name: "id",
        expr: "a.id",
        key: |r| Key::Int(r.id),
    },
];

impl Store {
    /// A page of re-checks.
    pub async fn recheck_page(&self, f: &WorkFilter, ask: &PageAsk) -> Result<Page<RecheckRow>> {
        self.page(f.rechecks(), "r.id", RECHECK_SORTS, ask).await
    }

    /// The database's plan for that page.
    pub async fn recheck_page_plan(&self, f: &WorkFilter, ask: &PageAsk) -> Result<String> {
        self.page_plan(f.rechecks(), "r.id", RECHECK_SORTS, ask)
            .await
    }

    /// A page of corrective actions.
    pub async fn action_page(
        &self,
        f: &WorkFilter,
        ask: &PageAsk,
    ) -> Result<Page<CorrectiveActionRow>> {
        self.page(f.actions(), "a.id", ACTION_SORTS, ask).await
    }

    /// The database's plan for that page.
    pub async fn action_page_plan(&self, f: &WorkFilter, ask: &PageAsk) -> Result<String> {
        self.page_plan(f.actions(), "a.id", ACTION_SORTS, ask).await
    }
}
