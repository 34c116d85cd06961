//! The periodic checks due (S3.6-3) as a list: the services in operation whose next check
//! falls due, of those the reader manages or administers or whose unit they are ISM over,
//! filtered and paged by keyset in the database.

use crate::codec::decode_rows;
use crate::page::{Key, Page, PageAsk, Query, SortBy, subtree_sql};
use crate::{Result, Store};
use jiff::civil::Date;
use serde::Serialize;

/// Which checks by their due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueWindow {
    /// Overdue, or due on or before `by` (the default of the list).
    Due { by: Date },
    /// Due from `today` to `by`, not yet overdue.
    Soon { today: Date, by: Date },
    /// Due before `today`.
    Overdue { today: Date },
    /// Every check scheduled.
    Any,
}

/// What a list of due checks asks for.
#[derive(Debug, Clone)]
pub struct DueCheckFilter {
    /// The reader: the services they manage or administer are listed.
    pub user_id: i64,
    /// The units (with those below them) the reader is ISM over: their services are listed.
    pub ism_units: Vec<i64>,
    pub q: String,
    pub org_unit: Option<i64>,
    pub classification: Option<String>,
    pub due: DueWindow,
    pub due_from: Option<Date>,
    pub due_to: Option<Date>,
}

/// A service whose periodic check is due.
#[derive(Debug, Clone, Serialize)]
pub struct DueCheckSummary {
    pub id: i64,
    pub name: String,
    pub provider: String,
    pub org_unit_id: i64,
    pub confidentiality: String,
    pub next_check_due: Date,
}

decode_rows! {
    DueCheckSummary {
        id: get, name: get, provider: get, org_unit_id: get, confidentiality: get,
        next_check_due: date,
    }
}

const SELECT: &str = "SELECT s.id, s.name, s.provider, s.org_unit_id, s.confidentiality, \
    s.next_check_due FROM services s";

pub const DUE_CHECK_SORTS: &[SortBy<DueCheckSummary>] = &[
    SortBy {
        name: "due_on",
        expr: "s.next_check_due",
        key: |r| Key::Text(r.next_check_due.to_string()),
    },
    SortBy {
        name: "name",
        expr: "s.name",
        key: |r| Key::Text(r.name.clone()),
    },
    SortBy {
        name: "id",
        expr: "s.id",
        key: |r| Key::Int(r.id),
    },
];

impl DueCheckFilter {
    fn query(&self) -> Query {
        let mut q = Query::new(SELECT);
        q.and("s.ledger_status = 'in_operation' AND s.next_check_due IS NOT NULL");
        match self.due {
            DueWindow::Due { by } => {
                let p = q.bind(by);
                q.and(format!("s.next_check_due <= {p}"));
            }
            DueWindow::Soon { today, by } => {
                let t = q.bind(today);
                let b = q.bind(by);
                q.and(format!(
                    "s.next_check_due >= {t} AND s.next_check_due <= {b}"
                ));
            }
            DueWindow::Overdue { today } => {
                let p = q.bind(today);
                q.and(format!("s.next_check_due < {p}"));
            }
            DueWindow::Any => {}
        }
        if let Some(d) = self.due_from {
            let p = q.bind(d);
            q.and(format!("s.next_check_due >= {p}"));
        }
        if let Some(d) = self.due_to {
            let p = q.bind(d);
            q.and(format!("s.next_check_due <= {p}"));
        }
        let u = q.bind(self.user_id);
        if self.ism_units.is_empty() {
            // Only the services they manage: few, found by index, then sorted.
            q.and(format!(
                "s.id IN (SELECT id FROM services WHERE business_system_manager_id = {u} \
                 UNION SELECT id FROM services WHERE infrastructure_manager_id = {u} \
                 UNION SELECT id FROM services WHERE administrator_id = {u})"
            ));
        } else {
            // An ISM sees whole units: the checks are read in due order, kept by unit.
            let ids = q.ids(&self.ism_units);
            q.and(format!(
                "(s.business_system_manager_id = {u} OR s.infrastructure_manager_id = {u} \
                 OR s.administrator_id = {u} OR s.org_unit_id IN ({}))",
                subtree_sql(&ids)
            ));
        }
        q.search(crate::search::Doc::Service, "s.id", &self.q);
        if let Some(u) = self.org_unit {
            q.within_units("s.org_unit_id", &[u]);
        }
        if let Some(c) = &self.classification {
            let p = q.bind(c.as_str());
            q.and(format!("s.confidentiality = {p}"));
        }
        q
    }
}

impl Store {
    /// A page of the periodic checks due.
    pub async fn due_check_page(
        &self,
        f: &DueCheckFilter,
        ask: &PageAsk,
    ) -> Result<Page<DueCheckSummary>> {
        self.page(f.query(), "s.id", DUE_CHECK_SORTS, ask).await
    }

    /// The database's plan for that page.
    pub async fn due_check_page_plan(&self, f: &DueCheckFilter, ask: &PageAsk) -> Result<String> {
        self.page_plan(f.query(), "s.id", DUE_CHECK_SORTS, ask)
            .await
    }
}
