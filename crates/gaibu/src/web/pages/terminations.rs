//! The end of use of a service (S7.1, S7.2, S3.7): its termination page with each step, what is
//! missing and who acts next, and the ISM's list of requests waiting for them.

use super::{Again, Cx, FieldErrors, FormPairs, PageCtx, answer, show, user_name};
use crate::dates::Stamp;
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::lists::lifecycle::TerminationListQuery;
use crate::state::AppState;
use crate::terminations::{self as ops, View};
use crate::web::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Query};
use axum::response::Response;
use axum::routing::{get, post};
use gaibu_domain::FieldError;
use gaibu_domain::service_life::MeasureStatus;
use gaibu_domain::termination::{
    DateInput, DecisionInput, MeasureInput, MeasuresInput, RequestInput, TerminationState,
};
use std::collections::HashMap;

/// One end-of-use measure as the page shows it.
struct MeasureRow {
    id: String,
    clause: String,
    text: String,
    /// The service's own rule for it (S3.7-1), when its managers defined one.
    rule: String,
    status: String,
    note: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "termination.html")]
struct TerminationPage {
    t: Tr,
    page: PageCtx,
    v: View,
    class2: bool,
    state: String,
    next: String,
    requested_by: String,
    requested_at: Stamp,
    completed_at: Stamp,
    measures: Vec<MeasureRow>,
    /// The form sent last, its values and what was wrong with them (kept on error).
    form: String,
    values: HashMap<String, String>,
    errors: FieldErrors,
    today: String,
    statuses: Vec<(&'static str, String)>,
}

impl TerminationPage {
    /// The value of a field of `form`: what was sent, when that form comes back; else `default`.
    fn val(&self, form: &str, field: &str, default: &str) -> String {
        match self.values.get(field) {
            Some(v) if self.form == form => v.clone(),
            _ => default.to_string(),
        }
    }
    fn err(&self, form: &str, field: &str) -> String {
        if self.form == form {
            self.errors.get(field).to_string()
        } else {
            String::new()
        }
    }
    fn version(&self) -> i64 {
        self.v.t.as_ref().map_or(0, |t| t.version)
    }
}

async fn page_of(
    cx: &Cx,
    id: i64,
    form: &str,
    values: HashMap<String, String>,
    errs: &[FieldError],
) -> AppResult<TerminationPage> {
    let v = ops::view(&cx.st, &cx.u, id).await?;
    let page = cx.page(&format!("/services/{id}/termination"));
    let t = page.t;
    let state = match &v.t {
        Some(r) => t.of("termination", &format!("state.{}", r.state.as_str())),
        None => t.termination_state_none().to_string(),
    };
    let recorded =
        v.t.as_ref()
            .map(|r| r.end_of_use.clone())
            .unwrap_or_default();
    let measures = v
        .measures
        .iter()
        .map(|m| {
            let r = recorded.get(&m.id);
            MeasureRow {
                id: m.id.clone(),
                clause: m.clause.clone(),
                text: match t.lang() {
                    "en" => m.text_en.clone(),
                    _ => m.text_ja.clone(),
                },
                rule: v.rules.get(&m.id).cloned().unwrap_or_default(),
                status: r.map(|r| r.status.as_str().to_string()).unwrap_or_default(),
                note: r.map(|r| r.note.clone()).unwrap_or_default(),
            }
        })
        .collect();
    let (requested_by, requested_at, completed_at) = match &v.t {
        Some(r) => (
            user_name(&cx.st, r.requested_by).await,
            t.when(r.requested_at),
            t.when(r.completed_at),
        ),
        None => Default::default(),
    };
    let statuses = MeasureStatus::ALL
        .iter()
        .map(|s| {
            (
                s.as_str(),
                t.of("termination", &format!("status.{}", s.as_str())),
            )
        })
        .collect();
    Ok(TerminationPage {
        class2: v.s.track == gaibu_domain::classification::Track::Class2Plus,
        state,
        next: t.of("termination", v.next()),
        requested_by,
        requested_at,
        completed_at,
        measures,
        form: form.to_string(),
        values,
        errors: FieldErrors::from(t, errs),
        today: cx.st.today().to_string(),
        statuses,
        t,
        page,
        v,
    })
}

async fn detail(cx: Cx, Path(id): Path<i64>) -> AppResult<Response> {
    show(page_of(&cx, id, "", HashMap::new(), &[]).await?)
}

/// A step's POST: back to the page on success; the page with the form kept on refused input.
async fn on_page<T>(
    cx: &Cx,
    id: i64,
    form: &str,
    pairs: Vec<(String, String)>,
    result: AppResult<T>,
) -> AppResult<Response> {
    let values: HashMap<String, String> = pairs.into_iter().collect();
    answer(
        result,
        |_| format!("/services/{id}/termination"),
        async |why: Again| {
            let errs = why.invalid()?;
            page_of(cx, id, form, values, &errs).await
        },
    )
    .await
}

async fn request(cx: Cx, Path(id): Path<i64>, form: FormPairs) -> AppResult<Response> {
    let input: RequestInput = form.to_input(&[])?;
    let result = ops::request(&cx.st, &cx.u, id, &input).await;
    on_page(&cx, id, "request", form.0, result).await
}

async fn decide(cx: Cx, Path(id): Path<i64>, form: FormPairs) -> AppResult<Response> {
    let input: DecisionInput = form.to_input(&[])?;
    let result = ops::decide(&cx.st, &cx.u, id, form.version()?, &input).await;
    on_page(&cx, id, "decide", form.0, result).await
}

async fn ledger(cx: Cx, Path(id): Path<i64>, form: FormPairs) -> AppResult<Response> {
    let input: DateInput = form.to_input(&[])?;
    let result = ops::retire_ledger(&cx.st, &cx.u, id, form.version()?, &input).await;
    on_page(&cx, id, "ledger", form.0, result).await
}

async fn register(cx: Cx, Path(id): Path<i64>, form: FormPairs) -> AppResult<Response> {
    let input: DateInput = form.to_input(&[])?;
    let result = ops::end_register(&cx.st, &cx.u, id, form.version()?, &input).await;
    on_page(&cx, id, "register", form.0, result).await
}

async fn disposal(cx: Cx, Path(id): Path<i64>, mp: Multipart) -> AppResult<Response> {
    let (pairs, file) = ops::read_form_with_file(&cx.st, mp).await?;
    let version = ops::version_of(&pairs)?;
    let input = ops::disposal_of(&pairs);
    let result = ops::record_disposal(&cx.st, &cx.u, id, version, &input, file).await;
    on_page(&cx, id, "disposal", pairs, result).await
}

/// The measures form: `status.<id>` and `note.<id>` for each measure.
async fn measures(cx: Cx, Path(id): Path<i64>, form: FormPairs) -> AppResult<Response> {
    let mut input = MeasuresInput::default();
    for (k, v) in &form.0 {
        if let Some(m) = k.strip_prefix("status.") {
            input
                .measures
                .entry(m.to_string())
                .or_insert_with(MeasureInput::default)
                .status = v.clone();
        } else if let Some(m) = k.strip_prefix("note.") {
            input
                .measures
                .entry(m.to_string())
                .or_insert_with(MeasureInput::default)
                .note = v.clone();
        }
    }
    let result = ops::record_measures(&cx.st, &cx.u, id, form.version()?, &input).await;
    on_page(&cx, id, "measures", form.0, result).await
}

async fn complete(cx: Cx, Path(id): Path<i64>, form: FormPairs) -> AppResult<Response> {
    let note = form.get("note").to_string();
    let result = ops::complete(&cx.st, &cx.u, id, form.version()?, &note).await;
    on_page(&cx, id, "complete", form.0, result).await
}

async fn proof(cx: Cx, Path(id): Path<i64>) -> AppResult<Response> {
    let (t, content) = ops::proof(&cx.st, &cx.u, id).await?;
    Ok(crate::web::evidence::file_response(
        t.id,
        t.proof_filename.as_deref().unwrap_or("proof"),
        t.proof_content_type
            .as_deref()
            .unwrap_or("application/octet-stream"),
        content,
    ))
}

/// One termination as the list shows it.
struct ListRow {
    service_id: i64,
    name: String,
    state: String,
    reason: String,
    planned: Stamp,
    by: String,
    at: Stamp,
}

#[derive(Template, WebTemplate)]
#[template(path = "terminations.html")]
struct ListPage {
    t: Tr,
    page: PageCtx,
    rows: Vec<ListRow>,
    f: TerminationListQuery,
    lists: super::lists::ListCtx,
    states: Vec<(&'static str, String)>,
}

/// The terminations of the ISM's units (by default those waiting for a decision), filtered
/// and paged in the database.
async fn list(cx: Cx, Query(f): Query<TerminationListQuery>) -> AppResult<Response> {
    let page = cx.page("/terminations");
    let t = page.t;
    let lists = super::lists::ListCtx::new(&cx).await?;
    let (found, lists) = match ops::list(&cx.st, &cx.u, &f).await? {
        Ok(p) => {
            let next = p.next_cursor().map(|c| f.url_from("/terminations", &c));
            (
                p.items,
                lists.paged(next, !f.cursor.is_empty(), f.url("/terminations")),
            )
        }
        Err(e) => (Vec::new(), lists.refused(t, e)?),
    };
    let mut rows = Vec::with_capacity(found.len());
    for r in found {
        rows.push(ListRow {
            by: user_name(&cx.st, r.requested_by).await,
            at: t.when(r.requested_at),
            state: t.of("termination", &format!("state.{}", r.state.as_str())),
            service_id: r.service_id,
            name: r.service_name,
            reason: r.reason,
            planned: t.date(r.planned_end_on),
        });
    }
    let states = TerminationState::ALL
        .iter()
        .map(|s| {
            (
                s.as_str(),
                t.of("termination", &format!("state.{}", s.as_str())),
            )
        })
        .collect();
    show(ListPage {
        t,
        page,
        rows,
        f,
        lists,
        states,
    })
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/terminations", get(list))
        .route("/services/{id}/termination", get(detail).post(request))
        .route("/services/{id}/termination/decision", post(decide))
        .route("/services/{id}/termination/ledger", post(ledger))
        .route("/services/{id}/termination/register", post(register))
        .route("/services/{id}/termination/measures", post(measures))
        .route("/services/{id}/termination/complete", post(complete))
        .route("/services/{id}/termination/proof", get(proof))
}

/// The disposal form carries a file: its own body limit.
pub fn upload_routes(max_upload: usize) -> Router<AppState> {
    Router::new()
        .route("/services/{id}/termination/disposal", post(disposal))
        .layer(DefaultBodyLimit::max(max_upload + 256 * 1024))
}
