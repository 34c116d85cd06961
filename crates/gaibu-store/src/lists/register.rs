//! The service usage register (S5.2.1-5) as a list: each entry with its service's scope and
//! suspension joined in, only the entries the reader may see, filtered and paged in the database.

use crate::codec::decode_rows;
use crate::page::{Key, Page, PageAsk, Query, SortBy};
use crate::{Result, Store};
use jiff::civil::Date;
use serde::Serialize;

/// Whether the use goes on, is stopped (S6.2) or has ended (S7.1-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UseFilter {
    Active,
    Suspended,
    Ended,
}

impl UseFilter {
    pub fn parse(s: &str) -> Option<UseFilter> {
        match s {
            "active" => Some(UseFilter::Active),
            "suspended" => Some(UseFilter::Suspended),
            "ended" => Some(UseFilter::Ended),
            _ => None,
        }
    }
}

/// What a register list asks for. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct RegisterFilter {
    /// The units whose entries the reader sees (with the units below them); `None`: all.
    pub seen_units: Option<Vec<i64>>,
    pub q: String,
    pub org_unit: Option<i64>,
    /// The service's confidentiality level code.
    pub classification: Option<String>,
    pub in_scope: Option<bool>,
    pub status: Option<UseFilter>,
}

/// One entry of the register list, the columns of S5.2.1-5a–h and what a row marks.
#[derive(Debug, Clone, Serialize)]
pub struct RegisterSummary {
    pub id: i64,
    pub service_id: i64,
    pub org_unit_id: i64,
    pub service_name: String,
    pub provider_name: String,
    pub purpose: String,
    pub classification: String,
    pub period_of_use: String,
    pub applicant: String,
    pub user_scope: String,
    pub administrator: String,
    pub citizen_facing: bool,
    pub ended_on: Option<Date>,
    /// S1.2: its service is within the scope of the security policy.
    pub in_scope: bool,
    /// S6.2: its service's use is stopped.
    pub suspended: bool,
}

decode_rows! {
    RegisterSummary {
        id: get, service_id: get, org_unit_id: get, service_name: get, provider_name: get,
        purpose: get, classification: get, period_of_use: get, applicant: get, user_scope: get,
        administrator: get, citizen_facing: flag, ended_on: opt_date, in_scope: flag,
        suspended: flag,
    }
}

const SELECT: &str = "SELECT r.id, r.service_id, r.org_unit_id, r.service_name, r.provider_name, \
    r.purpose, r.classification, r.period_of_use, r.applicant, r.user_scope, r.administrator, \
    r.citizen_facing, r.ended_on, s.in_scope, \
    CASE WHEN s.ledger_status = 'suspended' THEN 1 ELSE 0 END AS suspended \
    FROM usage_register r JOIN services s ON s.id = r.service_id";

pub const REGISTER_SORTS: &[SortBy<RegisterSummary>] = &[
    SortBy {
        name: "id",
        expr: "r.id",
        key: |r| Key::Int(r.id),
    },
    SortBy {
        name: "service_name",
        expr: "r.service_name",
        key: |r| Key::Text(r.service_name.clone()),
    },
    SortBy {
        name: "provider_name",
        expr: "r.provider_name",
        key: |r| Key::Text(r.provider_name.clone()),
    },
];

impl RegisterFilter {
    fn query(&self) -> Query {
        let mut q = Query::new(SELECT);
        if let Some(units) = &self.seen_units {
            q.within_units("r.org_unit_id", units);
        }
        q.search(crate::search::Doc::Service, "r.service_id", &self.q);
        if let Some(u) = self.org_unit {
            q.within_units("r.org_unit_id", &[u]);
        }
        if let Some(c) = &self.classification {
            let p = q.bind(c.as_str());
            q.and(format!("s.confidentiality = {p}"));
        }
        if let Some(s) = self.in_scope {
            let p = q.bind(s);
            q.and(format!("s.in_scope = {p}"));
        }
        match self.status {
            None => {}
            Some(UseFilter::Active) => q.and(
                "r.ended_on IS NULL AND (s.ledger_status IS NULL OR s.ledger_status <> 'suspended')",
            ),
            Some(UseFilter::Suspended) => {
                q.and("r.ended_on IS NULL AND s.ledger_status = 'suspended'")
            }
            Some(UseFilter::Ended) => q.and("r.ended_on IS NOT NULL"),
        }
        q
    }
}

impl Store {
    /// A page of the usage register.
    pub async fn register_page(
        &self,
        f: &RegisterFilter,
        ask: &PageAsk,
    ) -> Result<Page<RegisterSummary>> {
        self.page(f.query(), "r.id", REGISTER_SORTS, ask).await
    }

    /// The database's plan for that page (tests prove an index serves it).
    pub async fn register_page_plan(&self, f: &RegisterFilter, ask: &PageAsk) -> Result<String> {
        self.page_plan(f.query(), "r.id", REGISTER_SORTS, ask).await
    }
}
