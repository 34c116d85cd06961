//! The catalogue of approved services (S3.4c): what every member of staff asks first — "may I
//! use this service for this work?" — answered in one search: one paged query over the approved
//! services (full-text search in the database, `gaibu_store::search`), judged page by page.

use crate::error::{AppError, AppResult, ErrorCode};
use crate::policies;
use crate::state::AppState;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gaibu_domain::classification::{Restriction, Scheme};
use gaibu_store::CatalogueSearch;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Entry {
    pub service_id: i64,
    pub application_id: i64,
    pub name: String,
    pub provider: String,
    /// The confidentiality level it is approved for (code and labels).
    pub approved_level: String,
    pub approved_level_ja: String,
    pub approved_level_en: String,
    pub approved_rank: u32,
    pub track: String,
    /// Conditions of use: scope of users, handling restrictions, period.
    pub user_scope: String,
    pub handling: Vec<String>,
    pub period: String,
    /// The period as days, for pages to write in the reader's way (not in the JSON).
    #[serde(skip)]
    pub period_from: jiff::civil::Date,
    #[serde(skip)]
    pub period_to: Option<jiff::civil::Date>,
    pub administrator: String,
    pub administrator_email: String,
    pub ledger_status: Option<String>,
    /// S1.2: within the scope of the city's security policy.
    pub in_scope: bool,
    /// For the level asked about: may the asker use it? `None` when no level was asked.
    pub usable: Option<bool>,
    /// Why not, when `usable` is false: `level_too_high` or `other_unit`.
    pub reason: Option<String>,
}

/// A page of the catalogue: its entries and the cursor of the next page, if there is one.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CatalogueResults {
    pub items: Vec<Entry>,
    /// Pass as `cursor` for the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

/// What the catalogue is asked.
#[derive(Debug, Clone, Default)]
pub struct Ask<'a> {
    /// Words, each of which must be in the service's text (any length, Japanese or not).
    pub q: &'a str,
    /// A confidentiality level code of the scheme in force; empty for no judgement.
    pub level: &'a str,
    pub scope: Option<bool>,
    /// The opaque cursor of a page before; empty for the first page.
    pub cursor: &'a str,
    /// Entries a page: `DEFAULT_LIMIT` when absent, clamped to 1..=`MAX_LIMIT`.
    pub limit: Option<i64>,
}

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

const CURSOR_TAG: &str = "catalogue:";

/// The cursor after the service `id` (opaque to clients).
fn cursor_after(id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{CURSOR_TAG}{id}"))
}

/// The service id a cursor continues after; a cursor not made here is refused (400).
fn parse_cursor(c: &str) -> AppResult<Option<i64>> {
    if c.is_empty() {
        return Ok(None);
    }
    URL_SAFE_NO_PAD
        .decode(c)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix(CURSOR_TAG)?.parse::<i64>().ok())
        .filter(|id| *id > 0)
        .map(Some)
        .ok_or(AppError::Refused(ErrorCode::BadCursor))
}

/// The parsed classification schemes by policy version id, shared by the whole process: a
/// stored policy version never changes, so an entry is never stale.
#[derive(Debug, Default, Clone)]
pub struct SchemeCache(Arc<Mutex<HashMap<i64, Arc<Scheme>>>>);

impl SchemeCache {
    async fn get(&self, st: &AppState, id: i64) -> AppResult<Arc<Scheme>> {
        if let Some(s) = self.lock().get(&id) {
            return Ok(s.clone());
        }
        let scheme = Arc::new(policies::scheme(st, id).await?.doc);
        self.lock().insert(id, scheme.clone());
        Ok(scheme)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Arc<Scheme>>> {
        // A poisoned map still holds only whole entries.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Approved services not retired, matching `q`, a page at a time (newest first), each judged
/// for the asker: the confidentiality level asked about (`level`, a code of the scheme in force)
/// must be within what was approved, and the asker's unit within the unit it was approved for —
/// another department reuses instead. One query finds the page; only its rows are judged.
pub async fn search(st: &AppState, asker_unit: i64, ask: &Ask<'_>) -> AppResult<CatalogueResults> {
    let after = parse_cursor(ask.cursor)?;
    let limit = ask.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let mut rows = st
        .store
        .catalogue_page(&CatalogueSearch {
            q: ask.q,
            in_scope: ask.scope,
            after,
            limit: limit + 1,
        })
        .await?;
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|r| cursor_after(r.id))
    } else {
        None
    };
    // The level asked about and the org tree matter only when a level is asked.
    let (asked_rank, tree) = if ask.level.is_empty() {
        (None, None)
    } else {
        let scheme_now = policies::scheme_in_force(st).await?.doc;
        let rank = scheme_now.confidentiality_level(ask.level).map(|l| l.rank);
        (rank, Some(crate::auth::org_tree(st).await?))
    };
    let within = |unit: i64| tree.as_ref().is_some_and(|t| t.is_within(asker_unit, unit));
    let mut items = Vec::with_capacity(rows.len());
    for s in rows {
        let f = s.fields;
        // The level as the application's own scheme defines it (S1.3).
        let scheme = st.schemes.get(st, s.classification_policy_id).await?;
        let level_def = scheme.confidentiality_level(&f.classification.confidentiality);
        let rank = level_def.map(|l| l.rank).unwrap_or(0);
        let handling = handling_labels(&scheme, &f.classification.handling, |r| r.label_ja.clone());
        items.push(Entry {
            service_id: s.id,
            application_id: s.application_id,
            name: s.name,
            provider: s.provider,
            approved_level: f.classification.confidentiality.clone(),
            approved_level_ja: level_def.map(|l| l.label_ja.clone()).unwrap_or_default(),
            approved_level_en: level_def.map(|l| l.label_en.clone()).unwrap_or_default(),
            approved_rank: rank,
            track: s.track.as_str().to_string(),
            user_scope: f.user_scope.clone(),
            handling,
            period: match f.period_to {
                Some(to) => format!("{} 〜 {}", f.period_from, to),
                None => format!("{} 〜", f.period_from),
            },
            period_from: f.period_from,
            period_to: f.period_to,
            administrator: s.administrator,
            administrator_email: s.administrator_email,
            ledger_status: s.ledger_status.map(|l| l.as_str().to_string()),
            in_scope: s.in_scope,
            usable: asked_rank.map(|r| r <= rank && within(s.org_unit_id)),
            reason: match asked_rank {
                Some(r) if r > rank => Some("level_too_high".into()),
                Some(_) if !within(s.org_unit_id) => Some("other_unit".into()),
                _ => None,
            },
        });
    }
    Ok(CatalogueResults { items, next_cursor })
}

/// The handling restrictions' labels by code, as `label` names them; an unknown code as itself.
pub fn handling_labels(
    scheme: &Scheme,
    codes: &[String],
    label: impl Fn(&Restriction) -> String,
) -> Vec<String> {
    codes
        .iter()
        .map(|h| {
            let r = scheme.handling_restrictions.iter().find(|r| &r.code == h);
            r.map(&label).unwrap_or(h.clone())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_foreign_ones_are_refused() {
        assert_eq!(parse_cursor(&cursor_after(42)).ok(), Some(Some(42)));
        assert_eq!(parse_cursor("").ok(), Some(None));
        for bad in [
            "42",
            "x!",
            &URL_SAFE_NO_PAD.encode("catalogue:-1"),
            &URL_SAFE_NO_PAD.encode("other:4"),
        ] {
            assert!(parse_cursor(bad).is_err(), "{bad}");
        }
    }
}
