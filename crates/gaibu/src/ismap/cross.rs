//! The cross-check (issue 11): every service in operation whose sheet claims an ISMAP
//! registration is matched by number against the newest version of each list. A problem found
//! for the first time raises a flag and opens a re-check of the service for its administrator
//! (S6.1); the same problem found again changes nothing, so that running the check twice (or
//! importing the same file twice) opens nothing new; a problem gone clears its flag.

use crate::error::AppResult;
use crate::i18n::{Lang, Tr};
use crate::policies;
use crate::state::AppState;
use gaibu_domain::classification::Track;
use gaibu_domain::effects::{Notice, NoticeKind};
use gaibu_domain::ismap::{Claim, Finding, claimed_number, cross_check as judge};
use gaibu_domain::recheck::{self, Trigger};
use gaibu_domain::sheet::{CLAIM_ISMAP_REGISTRATION, Sheet};
use gaibu_store::ismap::NewFlag;
use gaibu_store::{NewRecheck, StoreError, Who};
use jiff::civil::Date;
use serde::Serialize;
use std::collections::HashSet;

/// Services read a page at a time.
const PAGE: i64 = 200;

/// What a cross-check did.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
#[schema(as = IsmapCrossCheck)]
pub struct Summary {
    /// Services in operation whose sheet claims a registration.
    pub checked: usize,
    /// Of them, with no problem.
    pub ok: usize,
    /// Flags raised now, each with the re-check it opened.
    pub raised: Vec<RaisedFlag>,
    /// Flags found again (already open: nothing new opened).
    pub kept: usize,
    /// Flags cleared: the problem is gone, or the service is no longer checked.
    pub cleared: usize,
    /// No list has been imported: nothing was checked.
    pub no_list: bool,
}

/// A flag raised by a cross-check.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = IsmapRaisedFlag)]
pub struct RaisedFlag {
    pub service_id: i64,
    pub finding: Finding,
    pub number: String,
    pub recheck_id: i64,
}

/// The ids of the items of `sheet` that claim a registration.
fn claiming(sheet: &Sheet) -> impl Iterator<Item = &str> {
    sheet
        .items
        .iter()
        .filter(|i| i.claims.as_deref() == Some(CLAIM_ISMAP_REGISTRATION))
        .map(|i| i.id.as_str())
}

/// Runs the cross-check on `today`, as `who` (the person importing, or the system).
pub async fn cross_check(st: &AppState, who: &Who, today: Date) -> AppResult<Summary> {
    let mut out = Summary::default();
    let lists = st.store.latest_ismap_lists().await?;
    if lists.is_empty() {
        out.no_list = true;
        return Ok(out);
    }
    let list_ids: Vec<i64> = lists.iter().map(|l| l.id).collect();
    // A sheet approved before items could say what they claim is read with the claiming
    // items of its track's sheet in force.
    let mut in_force: Vec<(Track, Sheet)> = Vec::new();
    for track in [Track::Class1, Track::Class2Plus] {
        if let Ok(s) = policies::sheet_in_force(st, track).await {
            in_force.push((track, s.doc));
        }
    }
    let mut items: Vec<String> = in_force
        .iter()
        .flat_map(|(_, s)| claiming(s).map(str::to_string))
        .collect();
    items.sort();
    items.dedup();
    let run_at = st.now();
    let due_days = policies::service_life_in_force(st)
        .await
        .map(|p| p.doc.recheck_due_days)
        .unwrap_or(30);
    // The open flags this run found again or raised; every other is cleared at the end.
    let mut seen: HashSet<i64> = HashSet::new();
    let mut after = 0;
    loop {
        let page = st.store.ismap_candidates(&items, after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for c in &page {
            let (Some(s), Some(app)) = (
                st.store.service(c.id).await?,
                st.store.application(c.application_id).await?,
            ) else {
                continue;
            };
            // The answers in force: the last passed re-check's, else the approved application's.
            let (answers, sheet_id) = match st.store.last_passed_recheck(s.id).await? {
                Some(r) => (r.answers, r.sheet_policy_id.or(app.sheet_policy_id)),
                None => (app.answers.clone(), app.sheet_policy_id),
            };
            let own = match sheet_id {
                Some(id) => Some(policies::sheet(st, id).await?.doc),
                None => None,
            };
            let sheet = match own.filter(|s| claiming(s).next().is_some()) {
                Some(s) => s,
                None => match in_force.iter().find(|(t, _)| *t == s.track) {
                    Some((_, s)) => s.clone(),
                    None => continue,
                },
            };
            let ctx = crate::applications::domain(&app).context();
            let Some(number) = claimed_number(&sheet, &answers, &ctx) else {
                continue;
            };
            out.checked += 1;
            let found = st.store.ismap_registration(&list_ids, &number).await?;
            let claim = Claim {
                number: number.clone(),
                service_name: s.name.clone(),
                provider: s.provider.clone(),
            };
            let finding = judge(
                &claim,
                found.as_ref().map(|r| r.registration()).as_ref(),
                today,
            );
            let open = st.store.open_ismap_flag(s.id).await?;
            if finding == Finding::Ok {
                out.ok += 1;
                if let Some(open) = open {
                    st.store.clear_ismap_flag(who, &open, st.now()).await?;
                    out.cleared += 1;
                }
                continue;
            }
            let flag = NewFlag {
                number: &number,
                finding,
                list_id: found
                    .as_ref()
                    .map(|r| r.list_id)
                    .or(list_ids.iter().copied().max()),
                registered_name: found.as_ref().map_or("", |r| r.service_name.as_str()),
                registered_provider: found.as_ref().map_or("", |r| r.provider.as_str()),
                valid_until: found.as_ref().map(|r| r.valid_until),
            };
            if let Some(open) = open.as_ref().filter(|o| flag.same_as(o)) {
                st.store.confirm_ismap_flag(open.id, run_at).await?;
                seen.insert(open.id);
                out.kept += 1;
                continue;
            }
            let description = describe(&number, finding, flag.valid_until);
            let notify = [Notice {
                user_id: s.administrator_id,
                kind: NoticeKind::RecheckOpened,
            }];
            let r = NewRecheck {
                cause: Trigger::IsmapFlagged,
                description: &description,
                occurred_on: today,
                tos_version: "",
                tos_url: "",
                evidence: None,
                due_on: recheck::due_on(today, due_days),
                notify: &notify,
            };
            let raised = st
                .store
                .raise_ismap_flag(who, &s, &flag, open.as_ref(), &r, st.now())
                .await;
            match raised {
                Ok((f, r)) => {
                    seen.insert(f.id);
                    out.raised.push(RaisedFlag {
                        service_id: f.service_id,
                        finding,
                        number: number.clone(),
                        recheck_id: r.id,
                    });
                }
                // Another cross-check raised it at the same moment: once per flag.
                Err(StoreError::Duplicate(_)) => {
                    if let Some(o) = st.store.open_ismap_flag(s.id).await? {
                        seen.insert(o.id);
                    }
                    out.kept += 1;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    // Open flags this run did not find again: their services are no longer checked (not in
    // operation, or no registration claimed).
    let mut after = 0;
    loop {
        let open = st.store.open_ismap_flags(after, PAGE).await?;
        let Some(last) = open.last() else { break };
        after = last.id;
        for f in open.iter().filter(|f| !seen.contains(&f.id)) {
            st.store.clear_ismap_flag(who, f, st.now()).await?;
            out.cleared += 1;
        }
    }
    Ok(out)
}

/// The re-check's description: the number and the finding in both languages (it is read by
/// the administrator in theirs), with the registration's end of validity when there is one.
fn describe(number: &str, finding: Finding, valid_until: Option<Date>) -> String {
    let (ja, en) = (Tr::new(Lang::Ja), Tr::new(Lang::En));
    let until = match (finding, valid_until) {
        (Finding::Expired, Some(d)) => format!(" ({d})"),
        _ => String::new(),
    };
    format!(
        "ISMAP {number}: {} / {}{until}",
        super::finding_label(ja, finding),
        super::finding_label(en, finding)
    )
}
