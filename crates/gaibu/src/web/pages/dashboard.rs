//! The ISM's and the CISO's dashboard (`/dashboard`): horizontal bar charts drawn by the server
//! as inline SVG, each bar and each number a link to the filtered list behind it, and the same
//! numbers in a table beside each chart (screen readers, print). No script is needed.

use super::{Cx, PageCtx, show};
use crate::dashboard::{self as ops, Dashboard, Figure};
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::Query;
use axum::response::Response;
use axum::routing::get;

pub fn routes() -> Router<AppState> {
    Router::new().route("/dashboard", get(page))
}

/// Where the bars start and how long the longest is, in the SVG's own units.
const LABEL_END: i64 = 212;
const BAR_START: i64 = 220;
const BAR_MAX: i64 = 340;
const ROW: i64 = 28;
const BAR_HEIGHT: i64 = 20;
/// Labels longer than this are shortened in the chart (the table beside it has them whole).
const LABEL_CHARS: usize = 14;

/// One bar, laid out.
pub struct Bar {
    pub label: String,
    pub short: String,
    pub count: i64,
    pub href: String,
    /// `bad` (overdue), `warn` (due soon, expiring) or empty.
    pub tone: &'static str,
    pub y: i64,
    pub text_y: i64,
    pub width: i64,
    pub count_x: i64,
}

/// A horizontal bar chart with its numbers.
pub struct Chart {
    pub id: &'static str,
    pub title: String,
    /// The heading of the table's first column.
    pub what: String,
    pub bars: Vec<Bar>,
    pub height: i64,
}

impl Chart {
    fn new(id: &'static str, title: String, what: String, rows: Vec<Row>) -> Chart {
        let max = rows.iter().map(|r| r.count).max().unwrap_or(0).max(1);
        let bars = rows
            .into_iter()
            .enumerate()
            .map(|(i, r)| {
                let y = 4 + i as i64 * ROW;
                let width = match r.count {
                    0 => 0,
                    n => (n * BAR_MAX / max).max(2),
                };
                let short = match r.label.chars().count() > LABEL_CHARS {
                    true => {
                        let s: String = r.label.chars().take(LABEL_CHARS - 1).collect();
                        format!("{s}…")
                    }
                    false => r.label.clone(),
                };
                Bar {
                    short,
                    label: r.label,
                    count: r.count,
                    href: r.href,
                    tone: r.tone,
                    y,
                    text_y: y + 15,
                    width,
                    count_x: BAR_START + width + 6,
                }
            })
            .collect::<Vec<_>>();
        let height = 8 + bars.len() as i64 * ROW;
        Chart {
            id,
            title,
            what,
            bars,
            height,
        }
    }
}

/// A bar before layout.
struct Row {
    label: String,
    count: i64,
    href: String,
    tone: &'static str,
}

fn row(label: impl Into<String>, f: &Figure, tone: &'static str) -> Row {
    Row {
        label: label.into(),
        count: f.count,
        href: f.href.clone(),
        tone,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    t: Tr,
    page: PageCtx,
    d: Dashboard,
    /// What is counted: the whole city, or the unit named.
    scope: String,
    charts: Vec<Chart>,
    label_start: i64,
    bar_start: i64,
    bar_height: i64,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct DashboardQuery {
    org_unit: String,
}

fn figure<'a>(list: &'a [Figure], key: &str) -> Option<&'a Figure> {
    list.iter().find(|f| f.key == key)
}

async fn page(cx: Cx, Query(q): Query<DashboardQuery>) -> AppResult<Response> {
    let d = ops::view(&cx.st, &cx.u, Some(&q.org_unit)).await?;
    let page = cx.page("/dashboard");
    let t = page.t;
    let scope = match d.org_unit {
        Some(id) => {
            let units = cx.st.store.org_units().await?;
            super::org_name(t, &units, id)
        }
        None if cx.u.has_role(gaibu_domain::role::Role::Ciso) => {
            t.dashboard_scope_all().to_string()
        }
        None => t.dashboard_scope_units().to_string(),
    };
    let levels = d
        .by_classification
        .iter()
        .map(|l| row(t.pick(&l.label_ja, &l.label_en), &l.figure, ""))
        .collect();
    let statuses = d
        .by_status
        .iter()
        .map(|f| {
            let label = match f.key.as_str() {
                "unregistered" => t.ledger_unregistered(),
                s => t.ledger(s),
            };
            row(label, f, if f.key == "suspended" { "bad" } else { "" })
        })
        .collect();
    let units = d
        .by_org_unit
        .iter()
        .map(|u| Row {
            label: format!("{}{}", "　".repeat(u.depth), t.pick(&u.name_ja, &u.name_en)),
            count: u.count,
            href: u.href.clone(),
            tone: "",
        })
        .collect();
    let mut work = Vec::new();
    let mut add = |label: &str, f: Option<&Figure>, tone: &'static str| {
        if let Some(f) = f {
            work.push(row(label, f, tone));
        }
    };
    add(
        t.dashboard_checks_overdue(),
        figure(&d.checks, "overdue"),
        "bad",
    );
    add(
        t.dashboard_checks_due_soon(),
        figure(&d.checks, "due_soon"),
        "warn",
    );
    add(
        t.dashboard_rechecks_overdue(),
        figure(&d.rechecks, "overdue"),
        "bad",
    );
    add(t.dashboard_rechecks_open(), figure(&d.rechecks, "open"), "");
    add(
        t.dashboard_actions_overdue(),
        figure(&d.corrective_actions, "overdue"),
        "bad",
    );
    add(
        t.dashboard_actions_open(),
        figure(&d.corrective_actions, "open"),
        "",
    );
    add(
        t.dashboard_certificates_expiring(),
        Some(&d.certificates_expiring),
        "warn",
    );
    add(t.ismap_dashboard(), Some(&d.ismap_flagged), "bad");
    add(
        t.dashboard_applications_waiting(),
        Some(&d.applications_waiting.figure),
        "",
    );
    let charts = vec![
        Chart::new(
            "work",
            t.dashboard_work().into(),
            t.dashboard_item().into(),
            work,
        ),
        Chart::new(
            "by-classification",
            t.dashboard_by_classification().into(),
            t.label_confidentiality().into(),
            levels,
        ),
        Chart::new(
            "by-status",
            t.dashboard_by_status().into(),
            t.label_ledger_status().into(),
            statuses,
        ),
        Chart::new(
            "by-org-unit",
            t.dashboard_by_org_unit().into(),
            t.label_org_unit().into(),
            units,
        ),
    ];
    show(DashboardPage {
        t,
        page,
        d,
        scope,
        charts,
        label_start: LABEL_END,
        bar_start: BAR_START,
        bar_height: BAR_HEIGHT,
    })
}
