//! The terminations (S7.1) as a list: of the units the reader is Information Security Manager
//! over, filtered by state, unit and classification, paged by keyset in the database.

use crate::codec::decode_rows;
use crate::page::{Key, Page, PageAsk, Query, SortBy};
use crate::{Result, Store};
use gaibu_domain::termination::TerminationState;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

/// What a terminations list asks for. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct TerminationFilter {
    /// The units (with those below them) the reader is ISM over: the only ones listed.
    pub ism_units: Vec<i64>,
    /// `None`: every state.
    pub state: Option<TerminationState>,
    pub org_unit: Option<i64>,
    /// The service's confidentiality level code.
    pub classification: Option<String>,
}

/// One termination with its service's name.
#[derive(Debug, Clone, Serialize)]
pub struct TerminationSummary {
    pub id: i64,
    pub service_id: i64,
    pub org_unit_id: i64,
    pub state: TerminationState,
    pub reason: String,
    pub planned_end_on: Date,
    pub requested_by: i64,
    pub requested_at: Timestamp,
    pub version: i64,
    pub service_name: String,
    pub provider: String,
    pub confidentiality: String,
}

decode_rows! {
    TerminationSummary {
        id: get, service_id: get, org_unit_id: get, state: named(TerminationState::parse),
        reason: get, planned_end_on: date, requested_by: get, requested_at: ts, version: get,
        service_name: get, provider: get, confidentiality: get,
    }
}

const SELECT: &str = "SELECT t.id, t.service_id, t.org_unit_id, t.state, t.reason, \
    t.planned_end_on, t.requested_by, t.requested_at, t.version, s.name AS service_name, \
    s.provider, s.confidentiality FROM terminations t JOIN services s ON s.id = t.service_id";

pub const TERMINATION_SORTS: &[SortBy<TerminationSummary>] = &[
    SortBy {
        name: "requested_at",
        expr: "t.requested_at",
        key: |r| Key::Int(r.requested_at.as_millisecond()),
    },
    SortBy {
        name: "planned_end_on",
        expr: "t.planned_end_on",
        key: |r| Key::Text(r.planned_end_on.to_string()),
    },
    SortBy {
        name: "id",
        expr: "t.id",
        key: |r| Key::Int(r.id),
    },
];

impl TerminationFilter {
    fn query(&self) -> Query {
        let mut q = Query::new(SELECT);
        if let Some(s) = self.state {
            let p = q.bind(s.as_str());
            q.and(format!("t.state = {p}"));
        }
        q.within_units("t.org_unit_id", &self.ism_units);
        if let Some(u) = self.org_unit {
            q.within_units("t.org_unit_id", &[u]);
        }
        if let Some(c) = &self.classification {
            let p = q.bind(c.as_str());
            q.and(format!("s.confidentiality = {p}"));
        }
        q
    }
}

impl Store {
    /// A page of terminations.
    pub async fn termination_page(
        &self,
        f: &TerminationFilter,
        ask: &PageAsk,
    ) -> Result<Page<TerminationSummary>> {
        self.page(f.query(), "t.id", TERMINATION_SORTS, ask).await
    }

    /// The database's plan for that page.
    pub async fn termination_page_plan(
        &self,
        f: &TerminationFilter,
        ask: &PageAsk,
    ) -> Result<String> {
        self.page_plan(f.query(), "t.id", TERMINATION_SORTS, ask)
            .await
    }
}
