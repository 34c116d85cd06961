//! A service's open flag of the ISMAP cross-check, as the service's page shows it.

use super::super::Cx;
use crate::dates::Stamp;
use crate::error::AppResult;
use crate::ismap as ops;
use gaibu_domain::ledger::LedgerStatus;
use gaibu_store::ServiceRow;

/// What the page shows of the flag: what was found, the number, the registration, the version
/// of the list and the re-check it opened.
pub(in crate::web::pages) struct Notice {
    pub finding: &'static str,
    pub number: String,
    /// The registration of that number as listed ("name / provider"), when there is one.
    pub registered: String,
    pub valid_until: Stamp,
    /// The kind of list and when that version was imported.
    pub list: String,
    pub recheck_id: Option<i64>,
}

/// The notice of a service's open flag, if it has one. Only a service in use is flagged (a
/// flag left on one retired since is cleared by the next cross-check): no other is looked up.
pub(in crate::web::pages) async fn notice(cx: &Cx, s: &ServiceRow) -> AppResult<Option<Notice>> {
    if !matches!(
        s.ledger_status,
        Some(LedgerStatus::InOperation | LedgerStatus::Suspended)
    ) {
        return Ok(None);
    }
    let Some((f, list)) = ops::flag_of(&cx.st, s.id).await? else {
        return Ok(None);
    };
    let t = cx.t();
    let registered = match (f.registered_name.as_str(), f.registered_provider.as_str()) {
        ("", "") => String::new(),
        (n, p) => format!("{n} / {p}"),
    };
    let list = match list {
        Some(l) => format!(
            "{} {}",
            ops::kind_label(t, l.kind),
            t.when_text(l.imported_at)
        ),
        None => String::new(),
    };
    Ok(Some(Notice {
        finding: ops::finding_label(t, f.finding),
        number: f.number,
        registered,
        valid_until: t.date(f.valid_until),
        list,
        recheck_id: f.recheck_id,
    }))
}
