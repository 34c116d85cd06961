//! The information-system ledger as a list: approved services with the names a row shows,
//! filtered and paged in the database.

use crate::codec::decode_rows;
use crate::page::{Key, Page, PageAsk, Query, SortBy};
use crate::{Result, Store};
use gaibu_domain::classification::Track;
use gaibu_domain::ledger::LedgerStatus;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

/// A ledger status, or not yet in the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    Unregistered,
    Is(LedgerStatus),
}

impl StatusFilter {
    pub fn parse(s: &str) -> Option<StatusFilter> {
        match s {
            "unregistered" => Some(StatusFilter::Unregistered),
            other => LedgerStatus::parse(other).map(StatusFilter::Is),
        }
    }
}

/// The periodic check (S3.6-3): due soon (from `today` to a day) or overdue on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckFilter {
    DueSoon { today: Date, by: Date },
    OverdueOn(Date),
}

/// Open re-checks or corrective actions (S6.1, S6.2): any open one, or one overdue on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenFilter {
    Open,
    OverdueOn(Date),
}

/// What a ledger list asks for. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct ServiceFilter {
    pub q: String,
    /// This unit and every unit below it.
    pub org_unit: Option<i64>,
    pub classification: Option<String>,
    pub status: Option<StatusFilter>,
    pub track: Option<Track>,
    pub provider: Option<String>,
    pub in_scope: Option<bool>,
    pub check: Option<CheckFilter>,
    /// An attached certificate that expires on or before this day (not removed).
    pub certificate_by: Option<Date>,
    /// Services this user administers.
    pub administrator: Option<i64>,
    /// With a re-check open (S6.1).
    pub recheck: Option<OpenFilter>,
    /// With a corrective action open (S6.2).
    pub action: Option<OpenFilter>,
    /// With an open flag of the ISMAP cross-check: any (`Some(None)`) or of one finding.
    pub ismap: Option<Option<gaibu_domain::ismap::Finding>>,
}

/// One row of the ledger list: the columns it shows, with the unit's and administrator's names.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceSummary {
    pub id: i64,
    pub name: String,
    pub provider: String,
    pub org_unit_id: i64,
    pub org_name_ja: String,
    pub org_name_en: String,
    pub track: Track,
    pub confidentiality: String,
    pub administrator_id: i64,
    pub administrator_name: String,
    pub approved_at: Timestamp,
    pub ledger_status: Option<LedgerStatus>,
    pub registered_on: Option<Date>,
    pub retired_on: Option<Date>,
    pub in_scope: bool,
    pub next_check_due: Option<Date>,
    pub suspended_on: Option<Date>,
    /// What the export adds for a ledger that can be imported again.
    pub administrator_login: String,
    pub system_name: Option<String>,
    pub ledger_note: Option<String>,
}

decode_rows! {
    ServiceSummary {
        id: get, name: get, provider: get, org_unit_id: get, org_name_ja: get, org_name_en: get,
        track: named(Track::parse), confidentiality: get, administrator_id: get,
        administrator_name: get, approved_at: ts, ledger_status: opt_named(LedgerStatus::parse),
        registered_on: opt_date, retired_on: opt_date, in_scope: flag, next_check_due: opt_date,
        suspended_on: opt_date, administrator_login: get, system_name: get, ledger_note: get,
    }
}

const SELECT: &str = "SELECT s.id, s.name, s.provider, s.org_unit_id, o.name_ja AS org_name_ja, \
    o.name_en AS org_name_en, s.track, s.confidentiality, s.administrator_id, \
    u.display_name AS administrator_name, s.approved_at, s.ledger_status, s.registered_on, \
    s.retired_on, s.in_scope, s.next_check_due, s.suspended_on, u.login AS administrator_login, \
    s.system_name, s.ledger_note \
    FROM services s JOIN org_units o ON o.id = s.org_unit_id JOIN users u ON u.id = s.administrator_id";

/// The orders a ledger list offers; the first is the default.
pub const SERVICE_SORTS: &[SortBy<ServiceSummary>] = &[
    SortBy {
        name: "id",
        expr: "s.id",
        key: |r| Key::Int(r.id),
    },
    SortBy {
        name: "name",
        expr: "s.name",
        key: |r| Key::Text(r.name.clone()),
    },
    SortBy {
        name: "provider",
        expr: "s.provider",
        key: |r| Key::Text(r.provider.clone()),
    },
    SortBy {
        name: "approved_at",
        expr: "s.approved_at",
        key: |r| Key::Int(r.approved_at.as_millisecond()),
    },
    SortBy {
        name: "next_check_due",
        expr: "COALESCE(s.next_check_due, '9999-12-31')",
        key: |r| {
            Key::Text(
                r.next_check_due
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "9999-12-31".into()),
            )
        },
    },
];

impl ServiceFilter {
    fn query(&self) -> Query {
        let mut q = Query::new(SELECT);
        q.search(crate::search::Doc::Service, "s.id", &self.q);
        if let Some(u) = self.org_unit {
            q.within_units("s.org_unit_id", &[u]);
        }
        if let Some(c) = &self.classification {
            let p = q.bind(c.as_str());
            q.and(format!("s.confidentiality = {p}"));
        }
        match self.status {
            None => {}
            Some(StatusFilter::Unregistered) => q.and("s.ledger_status IS NULL"),
            Some(StatusFilter::Is(st)) => {
                let p = q.bind(st.as_str());
                q.and(format!("s.ledger_status = {p}"));
            }
        }
        if let Some(t) = self.track {
            let p = q.bind(t.as_str());
            q.and(format!("s.track = {p}"));
        }
        if let Some(pr) = &self.provider {
            let p = q.bind(pr.as_str());
            q.and(format!("s.provider = {p}"));
        }
        if let Some(s) = self.in_scope {
            let p = q.bind(s);
            q.and(format!("s.in_scope = {p}"));
        }
        match self.check {
            None => {}
            Some(CheckFilter::DueSoon { today, by }) => {
                let from = q.bind(today);
                let p = q.bind(by);
                let st = q.bind(LedgerStatus::InOperation.as_str());
                q.and(format!(
                    "s.ledger_status = {st} AND s.next_check_due >= {from} \
                     AND s.next_check_due <= {p}"
                ));
            }
            Some(CheckFilter::OverdueOn(d)) => {
                let p = q.bind(d);
                let st = q.bind(LedgerStatus::InOperation.as_str());
                q.and(format!("s.ledger_status = {st} AND s.next_check_due < {p}"));
            }
        }
        if let Some(a) = self.administrator {
            let p = q.bind(a);
            q.and(format!("s.administrator_id = {p}"));
        }
        if let Some(d) = self.certificate_by {
            let p = q.bind(d);
            let retired = q.bind(LedgerStatus::Retired.as_str());
            q.and(format!(
                "(s.ledger_status IS NULL OR s.ledger_status <> {retired}) \
                 AND EXISTS (SELECT 1 FROM evidence e WHERE e.application_id = s.application_id \
                 AND e.removed_at IS NULL AND e.expires_on IS NOT NULL AND e.expires_on <= {p})"
            ));
        }
        for (table, f) in [
            ("rechecks", self.recheck),
            ("corrective_actions", self.action),
        ] {
            let Some(f) = f else { continue };
            let due = match f {
                OpenFilter::Open => String::new(),
                OpenFilter::OverdueOn(d) => format!(" AND t.due_on < {}", q.bind(d)),
            };
            q.and(format!(
                "EXISTS (SELECT 1 FROM {table} t WHERE t.service_id = s.id \
                 AND t.state = 'open'{due})"
            ));
        }
        if let Some(finding) = self.ismap {
            let of = match finding {
                Some(f) => format!(" AND f.finding = {}", q.bind(f.as_str())),
                None => String::new(),
            };
            q.and(format!(
                "EXISTS (SELECT 1 FROM ismap_flags f WHERE f.service_id = s.id \
                 AND f.cleared_at IS NULL{of})"
            ));
        }
        q
    }
}

impl Store {
    /// A page of the ledger.
    pub async fn service_page(
        &self,
        f: &ServiceFilter,
        ask: &PageAsk,
    ) -> Result<Page<ServiceSummary>> {
        self.page(f.query(), "s.id", SERVICE_SORTS, ask).await
    }

    /// The database's plan for that page (tests prove an index serves it).
    pub async fn service_page_plan(&self, f: &ServiceFilter, ask: &PageAsk) -> Result<String> {
        self.page_plan(f.query(), "s.id", SERVICE_SORTS, ask).await
    }
}
