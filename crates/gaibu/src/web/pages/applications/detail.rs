//! An application's page: its fields, the sheet's progress, the review rounds, evidence and
//! history, with the buttons its reader may use. Every record it shows is read once.

use super::super::{Cx, HistoryRow, PageCtx, history_named, org_name};
use super::sheet_items::{cite, item_label};
use super::views::{
    EvidenceView, RoundView, evaluation_rows, evidence_views, label_of, round_views,
};
use crate::applications as ops;
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::policies::{self, Loaded};
use crate::web::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::response::Response;
use gaibu_domain::application::{self, ApplicationFields, State};
use gaibu_domain::capability::{self, ApplicationCapabilities};
use gaibu_domain::classification::{Scheme, Track};
use gaibu_domain::sheet::{ItemProblem, Sheet};
use gaibu_store::ApplicationRow;

#[derive(Template, WebTemplate)]
#[template(path = "application.html")]
struct DetailPage {
    t: Tr,
    page: PageCtx,
    app: ApplicationRow,
    f: application::ApplicationFields,
    applicant: String,
    org: String,
    conf: String,
    integ: String,
    avail: String,
    handling: Vec<String>,
    class2: bool,
    caps: ApplicationCapabilities,
    problems: Vec<ProblemView>,
    answered: usize,
    total: usize,
    service_id: Option<i64>,
    approver: String,
    approved_at: crate::dates::Stamp,
    scheme_version: String,
    sheet_version: String,
    history: Vec<HistoryRow>,
    evaluation: Vec<(String, String, String)>,
    procurement: gaibu_domain::procurement::Procurement,
    rounds: Vec<RoundView>,
    evidence: Vec<EvidenceView>,
    evidence_targets: Vec<(String, String)>,
    reused_from: Option<i64>,
}

/// The sheet the application was answered on, and whether a newer one is now in force for a
/// draft. The one in force is read once and serves as both when they are the same version.
async fn sheets(cx: &Cx, row: &ApplicationRow) -> AppResult<(Option<Loaded<Sheet>>, bool)> {
    let Some(sid) = row.sheet_policy_id else {
        return Ok((None, false));
    };
    let in_force = if row.state.is_editable() {
        policies::sheet_in_force(&cx.st, row.track).await.ok()
    } else {
        None
    };
    match in_force {
        Some(s) if s.row.id == sid => Ok((Some(s), false)),
        Some(_) => Ok((Some(policies::sheet(&cx.st, sid).await?), true)),
        None => Ok((Some(policies::sheet(&cx.st, sid).await?), false)),
    }
}

/// One item that still stands between the application and its approval, with where to fix it.
struct ProblemView {
    /// The item's key: a sheet item, `evaluation.x`, `procurement.x`; empty for the whole sheet.
    key: String,
    href: String,
    label: String,
    cite: String,
    messages: Vec<String>,
}

/// Where the problem with `key` is fixed: the sheet item on the sheet page (its anchor), the
/// evaluation or procurement field on its form while they may be edited.
fn problem_href(id: i64, key: &str, edit: bool) -> String {
    match key.split_once('.') {
        Some(("evaluation", f)) if edit => format!("/applications/{id}/evaluation#ev-{f}"),
        Some(("evaluation", f)) => format!("/applications/{id}/self-check#ev-{f}"),
        Some(("procurement", f)) if edit => format!("/applications/{id}/procurement#{f}"),
        Some(("procurement", _)) => format!("/applications/{id}#procurement-heading"),
        _ if key.is_empty() => format!("/applications/{id}/self-check"),
        _ => format!("/applications/{id}/self-check#item-{key}"),
    }
}

/// The clause a problem's item carries out: the sheet item's or the evaluation item's.
fn problem_clause<'a>(sheet: &'a Sheet, key: &str) -> &'a str {
    match key.strip_prefix("evaluation.") {
        Some(f) => gaibu_domain::evaluation::FIELDS
            .iter()
            .find(|(name, _)| *name == f)
            .map(|(_, c)| *c)
            .unwrap_or(""),
        None => sheet.item(key).map(|i| i.clause.as_str()).unwrap_or(""),
    }
}

/// The problems one per item, in the order first named, each with all its messages.
fn problem_views(
    t: Tr,
    row: &ApplicationRow,
    sheet: &Sheet,
    edit: bool,
    raw: Vec<ItemProblem>,
) -> Vec<ProblemView> {
    let mut out: Vec<ProblemView> = Vec::new();
    for p in raw {
        let msg = t.error(p.code);
        match out.iter_mut().find(|v| v.key == p.item) {
            Some(v) => v.messages.push(msg),
            None => out.push(ProblemView {
                href: problem_href(row.id, &p.item, edit),
                label: if p.item.is_empty() {
                    t.sheet_whole().to_string()
                } else {
                    item_label(t, Some(sheet), &p.item)
                },
                cite: cite(t, problem_clause(sheet, &p.item)),
                key: p.item,
                messages: vec![msg],
            }),
        }
    }
    out
}

/// What still stands between the application and its approval, with the sheet's item counts.
fn progress(
    t: Tr,
    row: &ApplicationRow,
    sheet: Option<&Loaded<Sheet>>,
    superseded: bool,
    evidenced: Vec<String>,
    edit: bool,
) -> (Vec<ProblemView>, usize, usize) {
    let Some(sheet) = sheet else {
        return (vec![], 0, 0);
    };
    let mut app = ops::domain(row);
    app.evidenced = evidenced;
    let ctx = app.context();
    let mut raw = sheet.doc.check_complete(&row.answers, &ctx);
    raw.extend(app.evidence_problems(&sheet.doc));
    // The evaluation is class 2+ only; the procurement record is checked on both tracks
    // (S3.3, S4.3a–b).
    let evaluation = if row.track == Track::Class2Plus {
        row.evaluation.check_complete()
    } else {
        vec![]
    };
    raw.extend(
        evaluation
            .into_iter()
            .chain(row.procurement.check_complete())
            .map(|f| ItemProblem {
                item: f.field,
                code: f.code,
            }),
    );
    raw.extend(app.unconfirmed_problems());
    if superseded {
        raw.push(ItemProblem {
            item: String::new(),
            code: "sheet_superseded",
        });
    }
    let problems = problem_views(t, row, &sheet.doc, edit, raw);
    let applicable: Vec<_> = sheet
        .doc
        .items
        .iter()
        .filter(|i| sheet.doc.applies(i, &row.answers, &ctx))
        .collect();
    let answered = applicable
        .iter()
        .filter(|i| {
            row.answers
                .get(&i.id)
                .is_some_and(|a| !a.value.trim().is_empty())
        })
        .count();
    (problems, answered, applicable.len())
}

/// What evidence may be attached to: the whole application, the sheet's items that expect it,
/// and for class 2+ the evaluation items.
fn evidence_targets(t: Tr, sheet: Option<&Sheet>, track: Track) -> Vec<(String, String)> {
    let mut v = vec![(String::new(), t.evidence_whole().to_string())];
    if let Some(s) = sheet {
        v.extend(
            s.items
                .iter()
                .filter(|i| i.evidence)
                .map(|i| (i.id.clone(), t.pick(&i.text_ja, &i.text_en).to_string())),
        );
    }
    if track == Track::Class2Plus {
        v.extend(
            gaibu_domain::evaluation::FIELDS
                .iter()
                .filter(|(f, _)| *f != "tos_changeable")
                .map(|(f, _)| (format!("evaluation.{f}"), t.of("evaluation_item", f))),
        );
    }
    v
}

/// The classification as labels of the scheme the application was judged under.
fn classification_labels(t: Tr, scheme: &Scheme, f: &ApplicationFields) -> [String; 3] {
    let c = &f.classification;
    [
        label_of(t, &scheme.confidentiality, &c.confidentiality),
        label_of(t, &scheme.integrity, &c.integrity),
        label_of(t, &scheme.availability, &c.availability),
    ]
}

fn handling_labels(t: Tr, scheme: &Scheme, f: &ApplicationFields) -> Vec<String> {
    crate::catalogue::handling_labels(scheme, &f.classification.handling, |r| {
        t.pick(&r.label_ja, &r.label_en).to_string()
    })
}

pub(super) async fn detail(mut cx: Cx, Path(id): Path<i64>) -> AppResult<Response> {
    let units = crate::auth::org_units(&cx.st).await?;
    let tree = crate::auth::org_tree(&cx.st).await?;
    let row = ops::get_in(&cx.st, &cx.u, id, &tree).await?;
    cx.read_about(gaibu_store::About::Application(id)).await?;
    let st = &cx.st;
    let page = cx.page(&format!("/applications/{id}"));
    let t = page.t;
    // Labels come from the scheme this application was judged under, not the newest (S1.3).
    let scheme = policies::scheme(st, row.classification_policy_id).await?;
    // The buttons are shown exactly when their moves would be allowed.
    let caps = capability::application(&ops::domain(&row), &cx.u.actor, &tree);
    let (sheet, superseded) = sheets(&cx, &row).await?;
    let doc = sheet.as_ref().map(|s| &s.doc);
    let files = st.store.evidence_of(row.id).await?;
    let evidenced = ops::evidenced_items(&files);
    let (problems, answered, total) =
        progress(t, &row, sheet.as_ref(), superseded, evidenced, caps.edit);
    let [conf, integ, avail] = classification_labels(t, &scheme.doc, &row.fields);
    let page_data = DetailPage {
        t,
        applicant: super::super::user_name(st, row.applicant_id).await,
        org: org_name(t, &units, row.org_unit_id),
        conf,
        integ,
        avail,
        handling: handling_labels(t, &scheme.doc, &row.fields),
        class2: row.track == Track::Class2Plus,
        caps,
        problems,
        answered,
        total,
        service_id: st.store.service_of_application(row.id).await?.map(|s| s.id),
        approver: match row.approved_by {
            Some(a) => super::super::user_name(st, a).await,
            None => String::new(),
        },
        approved_at: t.when(row.approved_at),
        scheme_version: scheme.row.version.clone(),
        sheet_version: sheet
            .as_ref()
            .map(|s| s.row.version.clone())
            .unwrap_or_default(),
        history: history_named(
            st,
            t,
            &st.store.entity_history("application", row.id).await?,
        )
        .await?,
        evaluation: evaluation_rows(t, &row.evaluation)
            .map(|(_, label, shown, clause)| (label, shown, cite(t, clause)))
            .collect(),
        procurement: row.procurement.clone(),
        rounds: round_views(st, t, doc, st.store.rounds(row.id).await?).await?,
        reused_from: row.reuse.source_application_id,
        evidence: evidence_views(st, t, doc, files).await,
        evidence_targets: evidence_targets(t, doc, row.track),
        f: row.fields.clone(),
        app: row,
        page,
    };
    super::super::show(page_data)
}
