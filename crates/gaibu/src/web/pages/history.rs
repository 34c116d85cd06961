//! A record's history from the audit trail, as pages show it: when, who (by name), what, and
//! which fields changed.

use crate::dates::Stamp;
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::state::AppState;

/// One line of a record's history, for display.
#[derive(Debug, Clone)]
pub struct HistoryRow {
    pub seq: i64,
    pub at: Stamp,
    /// Who did it: their name once `named` has been given the names (else their login, as
    /// the trail keeps it; a command-line or system actor keeps it).
    pub actor: String,
    pub actor_id: Option<i64>,
    pub action: String,
    pub changes: Vec<String>,
}

/// Which top-level fields an event changed, so a reader sees "what" without reading JSON.
fn changed_fields(before: Option<&str>, after: Option<&str>) -> Vec<String> {
    let parse = |s: Option<&str>| {
        s.and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())
            .and_then(|v| v.as_object().cloned())
    };
    let (Some(b), Some(a)) = (parse(before), parse(after)) else {
        return vec![];
    };
    a.iter()
        .filter(|(k, v)| {
            !matches!(k.as_str(), "version" | "updated_at") && b.get(k.as_str()) != Some(v)
        })
        .map(|(k, _)| k.clone())
        .collect()
}

pub fn history_rows(t: Tr, events: &[gaibu_domain::audit::AuditEvent]) -> Vec<HistoryRow> {
    events
        .iter()
        .map(|e| HistoryRow {
            seq: e.seq,
            at: t.when(e.at_ms),
            actor: e.actor_login.clone(),
            actor_id: e.actor_id,
            action: t.of("audit", &e.action),
            changes: changed_fields(e.before.as_deref(), e.after.as_deref())
                .iter()
                .map(|f| t.of("label", f))
                .collect(),
        })
        .collect()
}

/// The people who acted in `rows`, for the names query of the page.
pub fn actors(rows: &[HistoryRow]) -> Vec<i64> {
    let mut ids: Vec<i64> = rows.iter().filter_map(|r| r.actor_id).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Shows the names of the people who acted instead of their logins (issue 10, item 10).
pub fn named(rows: &mut [HistoryRow], names: &[(i64, String)]) {
    for r in rows {
        if let Some((_, n)) = r
            .actor_id
            .and_then(|id| names.iter().find(|(i, _)| *i == id))
        {
            r.actor = n.clone();
        }
    }
}

/// A history with the names of who acted, read in one query.
pub async fn history_named(
    st: &AppState,
    t: Tr,
    events: &[gaibu_domain::audit::AuditEvent],
) -> AppResult<Vec<HistoryRow>> {
    let mut rows = history_rows(t, events);
    let names = st.store.user_names(&actors(&rows)).await?;
    named(&mut rows, &names);
    Ok(rows)
}
