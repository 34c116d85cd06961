//! The catalogue of approved services (S3.4c): what every member of staff asks first — "may I
//! use this service for this work?" — answered in one search.

use crate::error::AppResult;
use crate::policies;
use crate::state::AppState;
use gaibu_domain::classification::{Restriction, Scheme};
use gaibu_store::ServiceRow;
use serde::Serialize;
use std::collections::HashMap;
use std::collections::hash_map::Entry as Slot;

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

fn matches(q: &str, s: &ServiceRow) -> bool {
    if q.is_empty() {
        return true;
    }
    let hay = format!("{} {}", s.name, s.provider).to_lowercase();
    // Every word must appear; a two-character Japanese word matches like any other.
    q.to_lowercase().split_whitespace().all(|w| hay.contains(w))
}

/// Approved services not retired, matching `q`, judged for the asker: the confidentiality level
/// asked about (`level`, a code of the scheme in force) must be within what was approved, and
/// the asker's unit within the unit it was approved for — another department reuses instead.
pub async fn search(
    st: &AppState,
    asker_unit: i64,
    q: &str,
    level: &str,
    scope: Option<bool>,
) -> AppResult<Vec<Entry>> {
    let tree = crate::auth::org_tree(st).await?;
    let scheme_now = policies::scheme_in_force(st).await?.doc;
    let asked_rank = scheme_now.confidentiality_level(level).map(|l| l.rank);
    let users = st.store.users().await?;
    let mut out = Vec::new();
    // One read of the applications and one parse per scheme version, whatever the number of
    // services listed.
    let apps_by_id: HashMap<i64, gaibu_store::ApplicationRow> = st
        .store
        .applications()
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let mut schemes: HashMap<i64, Scheme> = HashMap::new();
    for s in crate::scope::services(st, scope).await? {
        if s.ledger_status == Some(gaibu_domain::ledger::LedgerStatus::Retired)
            || !matches(q.trim(), &s)
        {
            continue;
        }
        let Some(app) = apps_by_id.get(&s.application_id) else {
            continue;
        };
        let f = app.fields.clone();
        // The level as the application's own scheme defines it (S1.3).
        let scheme = match schemes.entry(app.classification_policy_id) {
            Slot::Occupied(e) => e.into_mut(),
            Slot::Vacant(v) => v.insert(
                policies::scheme(st, app.classification_policy_id)
                    .await?
                    .doc,
            ),
        };
        let level_def = scheme.confidentiality_level(&f.classification.confidentiality);
        let rank = level_def.map(|l| l.rank).unwrap_or(0);
        let handling = handling_labels(scheme, &f.classification.handling, |r| r.label_ja.clone());
        let admin = users.iter().find(|u| u.id == s.administrator_id);
        out.push(Entry {
            service_id: s.id,
            application_id: app.id,
            name: s.name.clone(),
            provider: s.provider.clone(),
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
            administrator: admin.map(|u| u.display_name.clone()).unwrap_or_default(),
            administrator_email: admin.map(|u| u.email.clone()).unwrap_or_default(),
            ledger_status: s.ledger_status.map(|l| l.as_str().to_string()),
            in_scope: s.in_scope,
            usable: asked_rank.map(|r| r <= rank && tree.is_within(asker_unit, s.org_unit_id)),
            reason: match asked_rank {
                Some(r) if r > rank => Some("level_too_high".into()),
                Some(_) if !tree.is_within(asker_unit, s.org_unit_id) => Some("other_unit".into()),
                _ => None,
            },
        });
    }
    Ok(out)
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
