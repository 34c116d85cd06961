//! Application pages: list, new/edit form, detail, self-check and approval.

mod detail;
mod form;
mod self_check;
mod sheet_items;
mod sheet_read;
mod views;

pub(super) use sheet_items::{
    AnswerChange, ItemView, SectionView, answer_changes, answer_text, answers_from, grouped,
    item_label, overall, round_answers,
};
pub(super) use views::{RoundView, evaluation_rows, round_views};

use super::{Cx, FormPairs, PageCtx};
use crate::applications as ops;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::lists::ApplicationListQuery;
use crate::state::AppState;
use crate::web::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gaibu_store::lists::applications::ApplicationSummary;

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
    /// Each application with its unit's name in the reader's language.
    rows: Vec<(ApplicationSummary, String)>,
    f: ApplicationListQuery,
    lists: super::lists::ListCtx,
    states: [gaibu_domain::application::State; 5],
}

impl ListPage {
    fn when(&self, t: &jiff::Timestamp) -> crate::dates::Stamp {
        self.t.when(t)
    }
}

async fn list(
    cx: Cx,
    axum::extract::Query(f): axum::extract::Query<ApplicationListQuery>,
) -> AppResult<Response> {
    let page = cx.page("/applications");
    let t = page.t;
    let lists = super::lists::ListCtx::new(&cx).await?;
    let (rows, lists) = match f.parse(&cx.st, &cx.u).await? {
        Ok((filter, ask)) => {
            let p = cx.st.store.application_page(&filter, &ask).await?;
            let next = p.next_cursor().map(|c| f.url_from("/applications", &c));
            let rows = p
                .items
                .into_iter()
                .map(|a| {
                    let org = t.pick(&a.org_name_ja, &a.org_name_en).to_string();
                    (a, org)
                })
                .collect();
            (
                rows,
                lists.paged(next, !f.cursor.is_empty(), f.url("/applications")),
            )
        }
        Err(e) => (Vec::new(), lists.refused(t, e)?),
    };
    super::show(ListPage {
        t,
        page,
        rows,
        f,
        lists,
        states: gaibu_domain::application::State::ALL,
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
