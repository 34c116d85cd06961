//! Class-2+ pages: the evaluation and procurement forms, submission, the ISM's review with
//! comments per item, and the comparison of rounds.

mod decision;
mod rounds;

use super::{Again, Cx, FieldErrors, FormPairs, PageCtx, answer, show};
use crate::applications as apps;
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::review as ops;
use crate::state::AppState;
use crate::web::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gaibu_domain::evaluation::{Evaluation, FIELDS};
use gaibu_domain::procurement::Procurement;
use gaibu_store::ApplicationRow;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/applications/{id}/evaluation",
            get(evaluation_form).post(save_evaluation),
        )
        .route(
            "/applications/{id}/procurement",
            get(procurement_form).post(save_procurement),
        )
        .route("/applications/{id}/submit", post(submit))
        .route("/applications/{id}/review", get(decision::review_page))
        .route("/applications/{id}/decision", post(decision::decide))
        .route("/applications/{id}/rounds", get(rounds::compare_rounds))
}

struct EvalField {
    name: &'static str,
    label: String,
    clause: &'static str,
    value: String,
    error: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "evaluation.html")]
struct EvaluationPage {
    t: Tr,
    page: PageCtx,
    app: ApplicationRow,
    version: i64,
    fields: Vec<EvalField>,
    tos_changeable: String,
    errors: FieldErrors,
    stale: bool,
}

/// The evaluation form for `app` showing `e` based on `version`, and what went wrong.
fn evaluation_page(
    cx: &Cx,
    app: ApplicationRow,
    e: &Evaluation,
    version: i64,
    why: Option<&Again>,
) -> EvaluationPage {
    let page = cx.page(&format!("/applications/{}/evaluation", app.id));
    let t = page.t;
    let errors = why.map(|w| w.field_errors(t)).unwrap_or_default();
    EvaluationPage {
        fields: FIELDS
            .iter()
            .filter(|(f, _)| *f != "tos_changeable")
            .map(|(f, clause)| EvalField {
                name: f,
                label: t.of("evaluation_item", f),
                clause,
                value: e.get(f).to_string(),
                error: errors.get(&format!("evaluation.{f}")).to_string(),
            })
            .collect(),
        tos_changeable: e.tos_changeable.clone(),
        errors,
        t,
        page,
        app,
        version,
        stale: why.is_some_and(Again::is_stale),
    }
}

async fn evaluation_form(cx: Cx, Path(id): Path<i64>) -> AppResult<Response> {
    let row = apps::get(&cx.st, &cx.u, id).await?;
    let e = row.evaluation.clone();
    let v = row.version;
    show(evaluation_page(&cx, row, &e, v, None))
}

/// A class-2+ form's answer: back to the application, or the form again (`page`) over the
/// application read anew, showing the newer version when someone saved first.
async fn saved<T, P: IntoResponse>(
    cx: &Cx,
    id: i64,
    form: &FormPairs,
    result: AppResult<T>,
    page: impl FnOnce(ApplicationRow, i64, &Again) -> P,
) -> AppResult<Response> {
    answer(
        result,
        |_| format!("/applications/{id}"),
        async |why| {
            let row = apps::get(&cx.st, &cx.u, id).await?;
            let v = match why {
                Again::Stale => row.version,
                Again::Invalid(_) => form.version()?,
            };
            Ok(page(row, v, &why))
        },
    )
    .await
}

async fn save_evaluation(cx: Cx, Path(id): Path<i64>, form: FormPairs) -> AppResult<Response> {
    let e: Evaluation = form.to_input(&[])?;
    let result = ops::save_evaluation(&cx.st, &cx.u, id, form.version()?, &e).await;
    saved(&cx, id, &form, result, |row, v, why| {
        evaluation_page(&cx, row, &e, v, Some(why))
    })
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "procurement.html")]
struct ProcurementPage {
    t: Tr,
    page: PageCtx,
    app: ApplicationRow,
    version: i64,
    p: Procurement,
    errors: FieldErrors,
    stale: bool,
}

fn procurement_page(
    cx: &Cx,
    app: ApplicationRow,
    p: Procurement,
    version: i64,
    why: Option<&Again>,
) -> ProcurementPage {
    let page = cx.page(&format!("/applications/{}/procurement", app.id));
    ProcurementPage {
        errors: why.map(|w| w.field_errors(page.t)).unwrap_or_default(),
        stale: why.is_some_and(Again::is_stale),
        t: page.t,
        page,
        p,
        version,
        app,
    }
}

async fn procurement_form(cx: Cx, Path(id): Path<i64>) -> AppResult<Response> {
    let row = apps::get(&cx.st, &cx.u, id).await?;
    let (p, v) = (row.procurement.clone(), row.version);
    show(procurement_page(&cx, row, p, v, None))
}

async fn save_procurement(cx: Cx, Path(id): Path<i64>, form: FormPairs) -> AppResult<Response> {
    let p: Procurement = form.to_input(&[])?;
    let result = ops::save_procurement(&cx.st, &cx.u, id, form.version()?, &p).await;
    saved(&cx, id, &form, result, |row, v, why| {
        procurement_page(&cx, row, p, v, Some(why))
    })
    .await
}

async fn submit(cx: Cx, Path(id): Path<i64>, form: FormPairs) -> AppResult<Response> {
    ops::submit(&cx.st, &cx.u, id, form.version()?).await?;
    Ok(Redirect::to(&format!("/applications/{id}")).into_response())
}
