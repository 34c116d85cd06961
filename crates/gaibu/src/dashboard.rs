//! The ISM's and the CISO's dashboard: services by classification, by ledger status and by org
//! unit; periodic checks and re-checks due and overdue; certificates expiring; corrective
//! actions open; applications waiting for review with their age. Every number comes from an
//! aggregate query and carries the link to the filtered list behind it.
//!
//! Who sees it: the CISO the whole city, an ISM the units they are ISM over (with their
//! subtrees); everyone else is refused (403, audited).

use crate::audit_denial::refuse;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use gaibu_domain::FieldError;
use gaibu_domain::Refusal;
use gaibu_domain::audit::Entity;
use gaibu_domain::role::{OrgTree, Role};
use gaibu_store::{DashboardCounts, DashboardQuery, OrgUnitRow};
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;
use utoipa::ToSchema;

/// Org units shown in the chart by unit: the top of the reader's view (the city, or the ISM's
/// units) and this many levels below it (局・部・課); each bar counts its whole subtree.
pub const UNIT_DEPTH: usize = 3;

/// The ledger statuses in the order of a service's life; `unregistered` is approved and not
/// yet in the ledger.
pub const STATUSES: [&str; 5] = [
    "building",
    "in_operation",
    "suspended",
    "retired",
    "unregistered",
];

/// One number and the filtered list behind it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Figure {
    /// What is counted: a status, a classification code, `overdue`, …
    pub key: String,
    pub count: i64,
    /// The list this number counts, as a link of the contract's form.
    pub href: String,
}

/// Services of a classification level, with its label from the scheme in force.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LevelFigure {
    #[serde(flatten)]
    pub figure: Figure,
    pub label_ja: String,
    pub label_en: String,
}

/// Services of an org unit and its subtree.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitFigure {
    pub org_unit_id: i64,
    pub code: String,
    pub name_ja: String,
    pub name_en: String,
    /// Levels below the top of the reader's view (0 for the top).
    pub depth: usize,
    pub count: i64,
    pub href: String,
}

/// Applications waiting for the ISM's decision and how long they have waited.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WaitingFigure {
    #[serde(flatten)]
    pub figure: Figure,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub oldest_submitted_at: Option<Timestamp>,
    /// Whole days the oldest has waited.
    pub oldest_age_days: Option<i64>,
    /// Of them, waiting more than 7 days, and more than 30.
    pub older_than_week: i64,
    pub older_than_month: i64,
}

/// The dashboard.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Dashboard {
    /// The org unit whose subtree is counted (the links carry it), or none: the CISO's whole
    /// city, or an ISM's several units.
    pub org_unit: Option<i64>,
    /// "Due soon" and "expiring": within this many days (the policy's first reminder lead).
    pub soon_days: i64,
    pub services_total: Figure,
    pub by_classification: Vec<LevelFigure>,
    pub by_status: Vec<Figure>,
    pub by_org_unit: Vec<UnitFigure>,
    /// Periodic checks: `overdue`, `due_soon`.
    pub checks: Vec<Figure>,
    /// Re-checks: `open`, `overdue`.
    pub rechecks: Vec<Figure>,
    /// Corrective actions: `open`, `overdue`.
    pub corrective_actions: Vec<Figure>,
    /// Services with a certificate expiring within `soon_days` or expired.
    pub certificates_expiring: Figure,
    pub applications_waiting: WaitingFigure,
    /// Services flagged by the ISMAP cross-check (issue 11).
    pub ismap_flagged: Figure,
}

/// A link to `path` with the query `pairs`, encoded.
fn link(path: &str, pairs: &[(&str, String)]) -> String {
    if pairs.is_empty() {
        return path.to_string();
    }
    let q = serde_urlencoded::to_string(pairs).unwrap_or_default();
    format!("{path}?{q}")
}

/// The units whose role `role` the user holds over (subtrees expanded).
fn units_under(u: &CurrentUser, role: Role, units: &[OrgUnitRow], tree: &OrgTree) -> Vec<i64> {
    units
        .iter()
        .map(|o| o.id)
        .filter(|id| u.actor.has_role_over(role, *id, tree))
        .collect()
}

/// What the reader may count: `None` for every unit (the CISO), else the units; refused
/// (audited) to anyone who is neither.
async fn readable_units(
    st: &AppState,
    u: &CurrentUser,
    units: &[OrgUnitRow],
    tree: &OrgTree,
) -> AppResult<Option<Vec<i64>>> {
    if u.has_role(Role::Ciso) {
        return Ok(None);
    }
    if u.has_role(Role::InformationSecurityManager) {
        return Ok(Some(units_under(
            u,
            Role::InformationSecurityManager,
            units,
            tree,
        )));
    }
    let r = Refusal::Forbidden("ism_or_ciso_required");
    Err(refuse(st, u, r, "dashboard.view", Entity::Request, None).await)
}

/// Whether the user may see the dashboard (for the menu).
pub fn may_view(u: &CurrentUser) -> bool {
    u.has_role(Role::Ciso) || u.has_role(Role::InformationSecurityManager)
}

/// The counts of `q`, from this instance's cache while no record has changed (`crate::cache`).
async fn counts(st: &AppState, q: &DashboardQuery) -> AppResult<Arc<DashboardCounts>> {
    let seq = st.store.audit_seq().await?;
    let key = format!(
        "{:?}|{}|{}|{}|{}",
        q.units,
        q.today,
        q.soon_until,
        q.week_ago.as_millisecond(),
        q.month_ago.as_millisecond()
    );
    if let Some(c) = st.caches.dashboard(&key, seq) {
        return Ok(c);
    }
    let c = Arc::new(st.store.dashboard_counts(q).await?);
    st.caches.keep_dashboard(key, seq, c.clone());
    Ok(c)
}

/// The dashboard as `u` may see it, narrowed to the subtree of `org_unit` (an id) when given.
pub async fn view(st: &AppState, u: &CurrentUser, org_unit: Option<&str>) -> AppResult<Dashboard> {
    let units = crate::auth::org_units(st).await?;
    let tree = crate::auth::org_tree(st).await?;
    let readable = readable_units(st, u, &units, &tree).await?;
    let chosen = match org_unit.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => {
            let unknown =
                || AppError::Invalid(vec![FieldError::new("org_unit", "unknown_org_unit")]);
            let id: i64 = s.parse().map_err(|_| unknown())?;
            if !tree.contains(id) {
                return Err(unknown());
            }
            if readable.as_ref().is_some_and(|r| !r.contains(&id)) {
                let r = Refusal::Forbidden("ism_or_ciso_required");
                let e = Entity::OrgUnit;
                return Err(refuse(st, u, r, "dashboard.view", e, Some(id)).await);
            }
            Some(id)
        }
    };
    // The units counted: the chosen subtree, else all the reader may see.
    let counted: Option<Vec<i64>> = match chosen {
        Some(id) => Some(
            units
                .iter()
                .map(|o| o.id)
                .filter(|x| tree.is_within(*x, id))
                .collect(),
        ),
        None => readable,
    };
    // The top of the view: units counted whose parent is not.
    let in_view = |id: i64| counted.as_ref().is_none_or(|c| c.contains(&id));
    let roots: Vec<i64> = units
        .iter()
        .filter(|o| in_view(o.id) && !o.parent_id.is_some_and(in_view))
        .map(|o| o.id)
        .collect();
    // The links carry the unit when one subtree is counted.
    let link_unit = match (&chosen, &counted, roots.as_slice()) {
        (Some(id), _, _) => Some(*id),
        (None, Some(_), [one]) => Some(*one),
        _ => None,
    };

    let soon_days = crate::measures::soon_days(st).await?;
    // To the minute: the ages of waiting applications are counted as of the minute, so that
    // the counts can be kept for it.
    let now = st.now();
    let minute =
        Timestamp::from_second(now.as_second() - now.as_second().rem_euclid(60)).unwrap_or(now);
    let today = st.today();
    let ago = |days: i64| {
        minute
            .checked_sub(SignedDuration::from_hours(24 * days))
            .unwrap_or(minute)
    };
    let q = DashboardQuery {
        units: counted.clone(),
        today,
        soon_until: today
            .checked_add(jiff::Span::new().days(soon_days))
            .unwrap_or(today),
        week_ago: ago(7),
        month_ago: ago(30),
    };
    let c = counts(st, &q).await?;

    let with_unit = |mut pairs: Vec<(&'static str, String)>| {
        if let Some(id) = link_unit {
            pairs.push(("org_unit", id.to_string()));
        }
        pairs
    };
    let fig = |key: &str, count: i64, path: &str, pairs: Vec<(&'static str, String)>| Figure {
        key: key.to_string(),
        count,
        href: link(path, &pairs),
    };

    // Classification: the scheme's levels in rank order, then codes it no longer has.
    let mut by_level: HashMap<&str, i64> = HashMap::new();
    let mut by_status: HashMap<&str, i64> = HashMap::new();
    let mut by_unit: HashMap<i64, i64> = HashMap::new();
    let mut total = 0;
    for s in &c.services {
        total += s.n;
        *by_level.entry(s.confidentiality.as_str()).or_default() += s.n;
        let status = s.ledger_status.as_deref().unwrap_or("unregistered");
        *by_status.entry(status).or_default() += s.n;
        *by_unit.entry(s.org_unit_id).or_default() += s.n;
    }
    let mut levels = crate::policies::scheme_in_force(st)
        .await?
        .doc
        .confidentiality;
    levels.sort_by_key(|l| l.rank);
    let mut by_classification: Vec<LevelFigure> = levels
        .iter()
        .map(|l| LevelFigure {
            figure: fig(
                &l.code,
                by_level.get(l.code.as_str()).copied().unwrap_or(0),
                "/services",
                with_unit(vec![("classification", l.code.clone())]),
            ),
            label_ja: l.label_ja.clone(),
            label_en: l.label_en.clone(),
        })
        .collect();
    let mut others: Vec<(&str, i64)> = by_level
        .iter()
        .filter(|(code, _)| !levels.iter().any(|l| l.code == **code))
        .map(|(code, n)| (*code, *n))
        .collect();
    others.sort();
    by_classification.extend(others.into_iter().map(|(code, n)| LevelFigure {
        figure: fig(
            code,
            n,
            "/services",
            with_unit(vec![("classification", code.to_string())]),
        ),
        label_ja: code.to_string(),
        label_en: code.to_string(),
    }));

    let by_status = STATUSES
        .iter()
        .map(|s| {
            let n = by_status.get(s).copied().unwrap_or(0);
            fig(
                s,
                n,
                "/services",
                with_unit(vec![("status", s.to_string())]),
            )
        })
        .collect();

    Ok(Dashboard {
        org_unit: link_unit,
        soon_days,
        services_total: fig("total", total, "/services", with_unit(vec![])),
        by_classification,
        by_status,
        by_org_unit: unit_figures(&units, &roots, &by_unit),
        checks: vec![
            fig(
                "overdue",
                c.checks_overdue,
                "/services",
                with_unit(vec![("check", "overdue".into())]),
            ),
            fig(
                "due_soon",
                c.checks_due_soon,
                "/services",
                with_unit(vec![("check", "due_soon".into())]),
            ),
        ],
        rechecks: vec![
            fig(
                "open",
                c.rechecks_open,
                "/services",
                with_unit(vec![("recheck", "open".into())]),
            ),
            fig(
                "overdue",
                c.rechecks_overdue,
                "/services",
                with_unit(vec![("recheck", "overdue".into())]),
            ),
        ],
        corrective_actions: vec![
            fig(
                "open",
                c.actions_open,
                "/services",
                with_unit(vec![("action", "open".into())]),
            ),
            fig(
                "overdue",
                c.actions_overdue,
                "/services",
                with_unit(vec![("action", "overdue".into())]),
            ),
        ],
        certificates_expiring: fig(
            "expiring",
            c.certificate_services,
            "/services",
            with_unit(vec![("certificate", "expiring".into())]),
        ),
        ismap_flagged: fig(
            "flagged",
            c.ismap_flagged,
            "/services",
            with_unit(vec![("ismap", "flagged".into())]),
        ),
        applications_waiting: WaitingFigure {
            figure: fig(
                SUBMITTED,
                c.applications_waiting.n,
                "/applications",
                with_unit(vec![("state", SUBMITTED.into())]),
            ),
            oldest_age_days: c
                .applications_waiting
                .oldest_submitted_at
                .map(|t| age_days(now, t)),
            oldest_submitted_at: c.applications_waiting.oldest_submitted_at,
            older_than_week: c.applications_waiting.older_than_week,
            older_than_month: c.applications_waiting.older_than_month,
        },
    })
}

/// The application state that waits for the ISM.
const SUBMITTED: &str = gaibu_domain::application::State::Submitted.as_str();

/// Whole days from `since` to `now` (0 for a time in the future).
fn age_days(now: Timestamp, since: Timestamp) -> i64 {
    ((now.as_millisecond() - since.as_millisecond()) / 86_400_000).max(0)
}

/// Services by org unit: each unit at the top of the view and `UNIT_DEPTH` levels below, in
/// tree order, counting its whole subtree (as `/services?org_unit=` lists it); units with
/// none are left out.
fn unit_figures(units: &[OrgUnitRow], roots: &[i64], own: &HashMap<i64, i64>) -> Vec<UnitFigure> {
    let parent: HashMap<i64, Option<i64>> = units.iter().map(|o| (o.id, o.parent_id)).collect();
    // Each unit's own count added to it and every ancestor (bounded against a corrupt cycle).
    let mut subtree: HashMap<i64, i64> = HashMap::new();
    for (unit, n) in own {
        let mut cur = Some(*unit);
        for _ in 0..=units.len() {
            let Some(u) = cur else { break };
            *subtree.entry(u).or_default() += n;
            cur = parent.get(&u).copied().flatten();
        }
    }
    let mut children: HashMap<i64, Vec<&OrgUnitRow>> = HashMap::new();
    for o in units {
        if let Some(p) = o.parent_id {
            children.entry(p).or_default().push(o);
        }
    }
    fn walk(
        o: &OrgUnitRow,
        depth: usize,
        children: &HashMap<i64, Vec<&OrgUnitRow>>,
        subtree: &HashMap<i64, i64>,
        out: &mut Vec<UnitFigure>,
    ) {
        let count = subtree.get(&o.id).copied().unwrap_or(0);
        if count == 0 || depth > UNIT_DEPTH {
            return;
        }
        out.push(UnitFigure {
            org_unit_id: o.id,
            code: o.code.clone(),
            name_ja: o.name_ja.clone(),
            name_en: o.name_en.clone(),
            depth,
            count,
            href: link("/services", &[("org_unit", o.id.to_string())]),
        });
        for c in children.get(&o.id).into_iter().flatten() {
            walk(c, depth + 1, children, subtree, out);
        }
    }
    let mut out = Vec::new();
    for o in units.iter().filter(|o| roots.contains(&o.id)) {
        walk(o, 0, &children, &subtree, &mut out);
    }
    out
}
