//! The requirement sheet of an application: its answers item by item (S5.2.2-1, S3.1).

use super::super::{Again, Cx, FieldErrors, FormPairs, PageCtx, answer, show};
use super::views::{ItemView, answers_from};
use crate::applications as ops;
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::policies;
use crate::web::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::response::Response;
use gaibu_domain::classification::Track;
use gaibu_domain::sheet::{AnswerType, Answers};
use gaibu_store::ApplicationRow;

struct SectionView {
    title: String,
    items: Vec<ItemView>,
}

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
    let app = ops::domain(&row);
    let ctx = app.context();
    let sheet = policies::sheet_in_force(&cx.st, app.track).await?;
    let sections = sheet
        .doc
        .sections
        .iter()
        .map(|s| SectionView {
            title: t.pick(&s.title_ja, &s.title_en).to_string(),
            items: sheet
                .doc
                .items
                .iter()
                .filter(|i| i.section == s.id)
                .map(|i| ItemView {
                    error: errors.get(&format!("answers.{}", i.id)).to_string(),
                    applies: sheet.doc.applies(i, answers, &ctx),
                    conditional: i.show_if.is_some(),
                    evidence: i.evidence,
                    unconfirmed: app.unconfirmed.contains(&i.id),
                    ..ItemView::new(t, i, answers)
                })
                .collect(),
        })
        .collect();
    Ok(SelfCheckPage {
        t,
        page,
        version,
        sheet_title: t.pick(&sheet.row.title_ja, &sheet.row.title_en).to_string(),
        sheet_version: sheet.row.version.clone(),
        sections,
        has_errors: !FieldErrors::is_empty(&errors),
        stale: why.is_some_and(Again::is_stale),
        app: row,
    })
}

pub(super) async fn form(cx: Cx, Path(id): Path<i64>) -> AppResult<Response> {
    let row = ops::get(&cx.st, &cx.u, id).await?;
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
