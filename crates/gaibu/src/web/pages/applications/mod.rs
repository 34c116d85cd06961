//! Application pages: list, new/edit form, detail, self-check and approval.

mod detail;
mod form;
mod self_check;
mod views;

pub(super) use views::{
    ItemView, RoundView, answer_text, answers_from, evaluation_rows, item_label, round_views,
};

use super::{Cx, FormPairs, PageCtx, fmt_ms, org_name};
use crate::applications as ops;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::state::AppState;
use crate::web::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gaibu_store::ApplicationRow;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/applications", get(list).post(form::create))
        .route("/applications/new", get(form::new_form))
        .route("/applications/reuse", post(reuse))
        .route("/applications/{id}", get(detail::detail).post(form::update))
        .route("/applications/{id}/edit", get(form::edit_form))
        .route(
            "/applications/{id}/self-check",
            get(self_check::form).post(self_check::save),
        )
        .route("/applications/{id}/approve", post(approve))
}

#[derive(Template, WebTemplate)]
#[template(path = "applications.html")]
struct ListPage {
    t: Tr,
    page: PageCtx,
    rows: Vec<(ApplicationRow, String)>,
}

impl ListPage {
    fn when(&self, t: &jiff::Timestamp) -> String {
        fmt_ms(*t)
    }
}

async fn list(cx: Cx) -> AppResult<Response> {
    let page = cx.page("/applications");
    let units = cx.st.store.org_units().await?;
    let rows = ops::list(&cx.st, &cx.u)
        .await?
        .into_iter()
        .map(|a| {
            let org = org_name(page.t, &units, a.org_unit_id);
            (a, org)
        })
        .collect();
    super::show(ListPage {
        t: page.t,
        page,
        rows,
    })
}

async fn reuse(cx: Cx, form: FormPairs) -> AppResult<Response> {
    let sid = form
        .get("service_id")
        .trim()
        .parse()
        .map_err(|_| AppError::NotFound)?;
    let row = ops::reuse(&cx.st, &cx.u, sid).await?;
    Ok(Redirect::to(&format!("/applications/{}", row.id)).into_response())
}

async fn approve(cx: Cx, Path(id): Path<i64>, form: FormPairs) -> AppResult<Response> {
    let (_, service) = ops::approve(&cx.st, &cx.u, id, form.version()?).await?;
    Ok(Redirect::to(&format!("/services/{}", service.id)).into_response())
}
