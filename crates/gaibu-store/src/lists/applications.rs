//! Applications as a list: only those the reader may see, filtered and paged in the database.

use crate::codec::decode_rows;
use crate::page::{Key, Page, PageAsk, Query, SortBy};
use crate::{Result, Store};
use gaibu_domain::application::State;
use gaibu_domain::classification::Track;
use jiff::Timestamp;
use serde::Serialize;

/// What an applications list asks for. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct ApplicationFilter {
    /// The reader's own applications are always seen; besides them, those of these units and
    /// the units below them; `None`: all.
    pub reader_id: i64,
    pub seen_units: Option<Vec<i64>>,
    pub q: String,
    pub state: Option<State>,
    pub org_unit: Option<i64>,
    pub track: Option<Track>,
    pub classification: Option<String>,
    /// Only this applicant's (the reader's own: their returned applications to revise).
    pub applicant_id: Option<i64>,
}

/// One row of the applications list.
#[derive(Debug, Clone, Serialize)]
pub struct ApplicationSummary {
    pub id: i64,
    pub applicant_id: i64,
    pub applicant_name: String,
    pub org_unit_id: i64,
    pub org_name_ja: String,
    pub org_name_en: String,
    pub state: State,
    pub track: Track,
    pub service_name: String,
    pub provider: String,
    pub confidentiality: String,
    pub round: i64,
    pub submitted_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

decode_rows! {
    ApplicationSummary {
        id: get, applicant_id: get, applicant_name: get, org_unit_id: get, org_name_ja: get,
        org_name_en: get, state: named(State::parse), track: named(Track::parse),
        service_name: get, provider: get, confidentiality: get, round: get,
        submitted_at: opt_ts, created_at: ts, updated_at: ts,
    }
}

const SELECT: &str = "SELECT a.id, a.applicant_id, u.display_name AS applicant_name, \
    a.org_unit_id, o.name_ja AS org_name_ja, o.name_en AS org_name_en, a.state, a.track, \
    a.service_name, a.provider, a.confidentiality, a.round, a.submitted_at, a.created_at, \
    a.updated_at \
    FROM applications a JOIN users u ON u.id = a.applicant_id \
    JOIN org_units o ON o.id = a.org_unit_id";

pub const APPLICATION_SORTS: &[SortBy<ApplicationSummary>] = &[
    SortBy {
        name: "id",
        expr: "a.id",
        key: |r| Key::Int(r.id),
    },
    SortBy {
        name: "updated_at",
        expr: "a.updated_at",
        key: |r| Key::Int(r.updated_at.as_millisecond()),
    },
    SortBy {
        name: "submitted_at",
        expr: "COALESCE(a.submitted_at, 0)",
        key: |r| Key::Int(r.submitted_at.map(|t| t.as_millisecond()).unwrap_or(0)),
    },
    SortBy {
        name: "service_name",
        expr: "a.service_name",
        key: |r| Key::Text(r.service_name.clone()),
    },
];

impl ApplicationFilter {
    fn query(&self) -> Query {
        let mut q = Query::new(SELECT);
        if let Some(units) = &self.seen_units {
            let me = q.bind(self.reader_id);
            let ids = q.ids(units);
            q.and(format!(
                "(a.applicant_id = {me} OR a.org_unit_id IN ({}))",
                crate::page::subtree_sql(&ids)
            ));
        }
        q.search(crate::search::Doc::Application, "a.id", &self.q);
        if let Some(s) = self.state {
            let p = q.bind(s.as_str());
            q.and(format!("a.state = {p}"));
        }
        if let Some(u) = self.org_unit {
            q.within_units("a.org_unit_id", &[u]);
        }
        if let Some(t) = self.track {
            let p = q.bind(t.as_str());
            q.and(format!("a.track = {p}"));
        }
        if let Some(c) = &self.classification {
            let p = q.bind(c.as_str());
            q.and(format!("a.confidentiality = {p}"));
        }
        if let Some(who) = self.applicant_id {
            let p = q.bind(who);
            q.and(format!("a.applicant_id = {p}"));
        }
        q
    }
}

impl Store {
    /// A page of the applications a reader may see.
    pub async fn application_page(
        &self,
        f: &ApplicationFilter,
        ask: &PageAsk,
    ) -> Result<Page<ApplicationSummary>> {
        self.page(f.query(), "a.id", APPLICATION_SORTS, ask).await
    }

    /// The database's plan for that page (tests prove an index serves it).
    pub async fn application_page_plan(
        &self,
        f: &ApplicationFilter,
        ask: &PageAsk,
    ) -> Result<String> {
        self.page_plan(f.query(), "a.id", APPLICATION_SORTS, ask)
            .await
    }
}
