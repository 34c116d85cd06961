//! Lists out as files (issue 11): the ledger, the usage register, the applications, the
//! periodic checks due, the re-checks and corrective actions, the terminations, the check
//! orders and a service's official accounts, as .xlsx or CSV (UTF-8 with a byte-order mark,
//! or Shift_JIS), with the list's filters, order and reader's scope applied, headed in the
//! reader's language, dates as the reader's pages write them (the Japanese era when the city or the user chose it), and
//! text never written as a formula. From each list page (`{list}/export`), the JSON API
//! (`/api/v1/{list}/export`) and `gaibu export`. An export reads a keyset page at a time and
//! writes each as it comes, so 50,000 rows take the memory of 200; each is audited.
//!
//! - `format`: the formats, the cells, formula defusing; `columns`: the lists and their columns,
//!   `lifecycle` those of the lifecycle lists and a service's accounts;
//! - `job`: the list's own query, paged; `csv`, `xlsx`: the writers; `file`: to a file;
//! - `http`: the download; `routes`: its routes; `audit`: the audit event.

mod audit;
mod columns;
mod csv;
mod file;
mod format;
mod http;
mod job;
mod lifecycle;
mod routes;
mod routes_lifecycle;
mod xlsx;

pub use audit::Taken;
pub use columns::{ListKind, RowCx};
pub use file::{Written, write};
pub use format::{Cell, Dates, Format, defused, looks_like_formula};
pub use job::Job;
pub use routes::{api_routes, routes};
pub use xlsx::{ERA_DAY, ERA_TIME};

use crate::i18n::Tr;

/// The download controls of a list page: the formats to offer, and the list's current query
/// as hidden fields (its filters and order; not its page), so that the file holds what the
/// page lists.
pub struct Controls {
    pub action: String,
    pub formats: Vec<(&'static str, &'static str)>,
    pub hidden: Vec<(String, String)>,
}

impl Controls {
    /// Those of a record's list (a service's accounts): its path with the record's id.
    pub fn of<Q: serde::Serialize>(t: &Tr, kind: ListKind, id: i64, q: &Q) -> Controls {
        let mut c = Controls::new(t, kind, q);
        c.action = c.action.replace("{id}", &id.to_string());
        c
    }

    pub fn new<Q: serde::Serialize>(t: &Tr, kind: ListKind, q: &Q) -> Controls {
        let hidden = match serde_json::to_value(q) {
            Ok(serde_json::Value::Object(m)) => m
                .into_iter()
                .filter(|(k, _)| !matches!(k.as_str(), "cursor" | "limit"))
                .filter_map(|(k, v)| Some((k, v.as_str()?.to_string())))
                .filter(|(_, v)| !v.trim().is_empty())
                .collect(),
            _ => Vec::new(),
        };
        Controls {
            action: format!("{}/export", kind.path()),
            formats: Format::ALL
                .into_iter()
                .map(|f| (f.as_str(), f.label(*t)))
                .collect(),
            hidden,
        }
    }
}
