//! The catalogue's one query (S3.4c): a page of the approved services that are not retired,
//! matching a search, with only what the catalogue shows — from the application its fields and
//! the classification scheme it was judged under, from the users the administrator's name and
//! address. Whether the asker may use each is judged by the caller, for the page only.

use crate::codec::decode_rows;
use crate::search::{Doc, driving, matching};
use crate::write::Val;
use crate::{Result, Store};
use gaibu_domain::application::ApplicationFields;
use gaibu_domain::classification::Track;
use gaibu_domain::ledger::LedgerStatus;

/// One service as the catalogue lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CatalogueRow {
    /// The service's id.
    pub id: i64,
    pub application_id: i64,
    pub name: String,
    pub provider: String,
    pub org_unit_id: i64,
    pub track: Track,
    pub ledger_status: Option<LedgerStatus>,
    pub in_scope: bool,
    pub fields: ApplicationFields,
    pub classification_policy_id: i64,
    /// The External Service Administrator's name and e-mail (empty when unknown).
    pub administrator: String,
    pub administrator_email: String,
}

decode_rows! {
    CatalogueRow {
        id: get, application_id: get, name: get, provider: get, org_unit_id: get,
        track: named(Track::parse), ledger_status: opt_named(LedgerStatus::parse),
        in_scope: flag, fields: json, classification_policy_id: get, administrator: get,
        administrator_email: get,
    }
}

/// What the catalogue is asked: words, scope, and the page (newest first; `after` is the last
/// service id of the page before).
#[derive(Debug, Clone, Default)]
pub struct CatalogueSearch<'a> {
    pub q: &'a str,
    pub in_scope: Option<bool>,
    pub after: Option<i64>,
    pub limit: i64,
}

impl Store {
    /// One page of the catalogue, at most `limit` rows (newest first).
    pub async fn catalogue_page(&self, c: &CatalogueSearch<'_>) -> Result<Vec<CatalogueRow>> {
        let mut vals: Vec<Val> = vec![LedgerStatus::Retired.as_str().into()];
        // The search drives the query where the backend can walk its postings newest first.
        let drive = driving(self.backend, Doc::Service, "s.id", c.q, &mut vals);
        let (from, id_col) = match &drive {
            Some(d) => (format!("{} CROSS JOIN services s", d.from), d.order_col),
            None => ("services s".to_string(), "s.id"),
        };
        let mut sql = format!(
            "SELECT s.id, s.application_id, s.name, s.provider, s.org_unit_id, s.track, \
             s.ledger_status, s.in_scope, a.fields, a.classification_policy_id, \
             COALESCE(u.display_name, '') AS administrator, \
             COALESCE(u.email, '') AS administrator_email \
             FROM {from} JOIN applications a ON a.id = s.application_id \
             LEFT JOIN users u ON u.id = s.administrator_id \
             WHERE COALESCE(s.ledger_status, '') <> $1"
        );
        if let Some(d) = &drive {
            sql.push_str(" AND ");
            sql.push_str(&d.cond);
        }
        if let Some(scope) = c.in_scope {
            vals.push(scope.into());
            sql.push_str(&format!(" AND s.in_scope = ${}", vals.len()));
        }
        if let Some(after) = c.after {
            vals.push(after.into());
            sql.push_str(&format!(" AND {id_col} < ${}", vals.len()));
        }
        if drive.is_none()
            && let Some(cond) = matching(self.backend, Doc::Service, "s.id", c.q, &mut vals)
        {
            sql.push_str(" AND ");
            sql.push_str(&cond);
        }
        // A literal limit: a generic plan would otherwise guess a tenth of the rows.
        sql.push_str(&format!(" ORDER BY {id_col} DESC LIMIT {}", c.limit.max(0)));
        if c.q.trim().is_empty() {
            self.list(&sql, vals).await
        } else {
            self.list_searched(&sql, vals).await
        }
    }
}
