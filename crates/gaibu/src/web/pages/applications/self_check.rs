//! The requirement sheet of an application: its answers item by item (S5.2.2-1, S3.1), as a
//! form for whoever may edit the application and read-only for everyone else who may see it.

use super::super::{Again, Cx, FieldErrors, FormPairs, PageCtx, answer, show};
use super::sheet_items::{ItemView, SectionView, answers_from, grouped, overall};
use super::sheet_read;
use crate::applications as ops;
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::policies;
use crate::web::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::response::Response;
use gaibu_domain::capability;
use gaibu_domain::classification::Track;
use gaibu_domain::sheet::{AnswerType, Answers};
use gaibu_store::ApplicationRow;

#[derive(Template, WebTemplate)]
#[template(path = "self_check.html")]
struct SelfCheckPage {
    t: Tr,
    page: PageCtx,
    app: ApplicationRow,
    version: i64,
    sheet_title: String,
    sheet_version: String,
    sections: Vec<SectionView>,
    answered: usize,
    total: usize,
    /// How many items changed since the previous submission, when there was one.
    changed: Option<usize>,
    has_errors: bool,
    stale: bool,
}

/// The sheet in force for the application's track with `answers` based on `version`, and what
/// went wrong.
async fn self_check_page(
    cx: &Cx,
    row: ApplicationRow,
    version: i64,
    answers: &Answers,
    why: Option<&Again>,
) -> AppResult<SelfCheckPage> {
    let page = cx.page(&format!("/applications/{}/self-check", row.id));
    let t = page.t;
    let errors = why.map(|w| w.field_errors(t)).unwrap_or_default();
    let mut app = ops::domain(&row);
    let files = cx.st.store.evidence_of(row.id).await?;
    app.evidenced = ops::evidenced_items(&files);
    let ctx = app.context();
    let sheet = policies::sheet_in_force(&cx.st, app.track).await?;
    // What still keeps each answer from meeting the sheet; "not answered" is what the empty
    // field already says, and a value of the wrong form is the field's error.
    let invalid = sheet.doc.check_values(answers);
    let mut issues = sheet.doc.check_complete(answers, &ctx);
    issues.extend(sheet.doc.evidence_problems(answers, &ctx, &app.evidenced));
    issues.retain(|p| p.code != "unanswered" && !invalid.contains(p));
    let mut items: Vec<ItemView> = sheet
        .doc
        .items
        .iter()
        .map(|i| ItemView {
            error: errors.get(&format!("answers.{}", i.id)).to_string(),
            issue: issues
                .iter()
                .filter(|p| p.item == i.id)
                .map(|p| t.error(p.code))
                .collect::<Vec<_>>()
                .join(" "),
            applies: sheet.doc.applies(i, answers, &ctx),
            unconfirmed: app.unconfirmed.contains(&i.id),
            files: sheet_read::files_of(t, &files, &i.id),
            ..ItemView::new(t, i, answers)
        })
        .collect();
    // A returned application shows what has changed since it was last submitted.
    let changed = sheet_read::baseline(&cx.st, &row)
        .await?
        .map(|before| sheet_read::mark_changes(t, &sheet.doc, &mut items, &before));
    let sections = grouped(t, &sheet.doc, items);
    let (answered, total) = overall(&sections);
    Ok(SelfCheckPage {
        t,
        page,
        version,
        sheet_title: t.pick(&sheet.row.title_ja, &sheet.row.title_en).to_string(),
        sheet_version: sheet.row.version.clone(),
        sections,
        answered,
        total,
        changed,
        has_errors: !FieldErrors::is_empty(&errors),
        stale: why.is_some_and(Again::is_stale),
        app: row,
    })
}

pub(super) async fn form(cx: Cx, Path(id): Path<i64>) -> AppResult<Response> {
    let tree = crate::auth::org_tree(&cx.st).await?;
    let row = ops::get_in(&cx.st, &cx.u, id, &tree).await?;
    // The form only for whoever may change the answers now; everyone else who may see the
    // application reads them.
    let caps = capability::application(&ops::domain(&row), &cx.u.actor, &tree);
    if !caps.edit {
        return show(sheet_read::page(&cx, row).await?);
    }
    let answers = row.answers.clone();
    let v = row.version;
    show(self_check_page(&cx, row, v, &answers, None).await?)
}

pub(super) async fn save(cx: Cx, Path(id): Path<i64>, form: FormPairs) -> AppResult<Response> {
    let answers = answers_from(&form);
    let result = ops::save_self_check(&cx.st, &cx.u, id, form.version()?, &answers).await;
    answer(
        result,
        |_| format!("/applications/{id}"),
        async |why| {
            let row = ops::get(&cx.st, &cx.u, id).await?;
            let version = if why.is_stale() {
                row.version
            } else {
                form.version()?
            };
            self_check_page(&cx, row, version, &answers, Some(&why)).await
        },
    )
    .await
}

/// For the template: the hint differs between the class-1 self-check and the class-2+ sheet.
impl SelfCheckPage {
    fn class1(&self) -> bool {
        self.app.track == Track::Class1
    }
}
