//! An application's page: its fields, the sheet's progress, the review rounds, evidence and
//! history, with the buttons its reader may use. Every record it shows is read once.

use super::super::{Cx, HistoryRow, PageCtx, fmt_ms, history_named, org_name};
use super::views::{
    EvidenceView, RoundView, evaluation_rows, evidence_views, item_label, label_of, round_views,
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
    problems: Vec<(String, String)>,
    answered: usize,
    total: usize,
    service_id: Option<i64>,
    approver: String,
    approved_at: String,
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

/// What still stands between the application and its approval, with the sheet's item counts.
fn progress(
    t: Tr,
    row: &ApplicationRow,
    sheet: Option<&Loaded<Sheet>>,
    superseded: bool,
    evidenced: Vec<String>,
) -> (Vec<(String, String)>, usize, usize) {
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
    let problems = raw
        .into_iter()
        .map(|p| (item_label(t, Some(&sheet.doc), &p.item), t.error(p.code)))
        .collect();
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

pub(super) async fn detail(cx: Cx, Path(id): Path<i64>) -> AppResult<Response> {
    let st = &cx.st;
    let units = crate::auth::org_units(st).await?;
    let tree = crate::auth::org_tree(st).await?;
    let row = ops::get_in(st, &cx.u, id, &tree).await?;
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
    let (problems, answered, total) = progress(t, &row, sheet.as_ref(), superseded, evidenced);
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
        approved_at: row.approved_at.map(fmt_ms).unwrap_or_default(),
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
            .map(|(_, label, shown, clause)| (label, shown, clause.to_string()))
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
