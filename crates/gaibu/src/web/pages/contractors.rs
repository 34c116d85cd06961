//! Contractor pages (S5.3): the contractor's own submissions and sheet, and the city's side —
//! registration, people and verification.

use super::applications::{ItemView, SectionView, answer_text, answers_from, grouped, overall};
use super::{Cx, FieldErrors, FormPairs, PageCtx, answer, org_name, show, user_name};
use crate::contractors::{self as ops, ContractorInput, PersonInput, SubmissionInput, VerifyInput};
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::policies;
use crate::state::AppState;
use crate::web::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gaibu_domain::classification::Level;
use gaibu_domain::contractor::{SubmissionState, may_edit};
use gaibu_domain::sheet::{AnswerType, Sheet};
use gaibu_store::{ContractorRow, SubmissionRow};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/contractor", get(home).post(create))
        .route("/contractor/submissions/{id}", get(sheet_page).post(save))
        .route("/contractor/submissions/{id}/submit", post(submit))
        .route("/contractors", get(city).post(register))
        .route("/contractors/{id}/people", post(add_person))
        .route("/contractors/submissions/{id}", get(review).post(verify))
}

#[derive(Template, WebTemplate)]
#[template(path = "contractor_home.html")]
struct HomePage {
    t: Tr,
    page: PageCtx,
    contractor: String,
    rows: Vec<SubmissionRow>,
    levels: Vec<Level>,
    errors: FieldErrors,
}

async fn home_page(cx: &Cx, errors: FieldErrors) -> AppResult<HomePage> {
    let Some(cid) = cx.u.user.contractor_id else {
        return Err(AppError::NotFound);
    };
    let page = cx.page("/contractor");
    let contractor = cx.st.store.contractor(cid).await?;
    Ok(HomePage {
        t: page.t,
        page,
        contractor: contractor.map(|c| c.name).unwrap_or_default(),
        rows: ops::submissions(&cx.st, &cx.u, &first_page()).await?.items,
        levels: policies::scheme_in_force(&cx.st).await?.doc.confidentiality,
        errors,
    })
}

async fn home(cx: Cx) -> AppResult<Response> {
    show(home_page(&cx, FieldErrors::default()).await?)
}

async fn create(cx: Cx, form: FormPairs) -> AppResult<Response> {
    let input: SubmissionInput = form.to_input(&[])?;
    let result = ops::create(&cx.st, &cx.u, &input).await;
    answer(
        result,
        |s| format!("/contractor/submissions/{}", s.id),
        async |why| home_page(&cx, cx.errors(&why.invalid()?)).await,
    )
    .await
}

/// A submission with the sheet it answers, read once for its page.
struct Loaded {
    page: PageCtx,
    s: SubmissionRow,
    c: ContractorRow,
    sheet: policies::Loaded<Sheet>,
}

async fn load(cx: &Cx, id: i64, path: &str) -> AppResult<Loaded> {
    let (s, c) = ops::get(&cx.st, &cx.u, id).await?;
    let sheet = policies::sheet(&cx.st, s.sheet_policy_id).await?;
    Ok(Loaded {
        page: cx.page(&format!("{path}{id}")),
        s,
        c,
        sheet,
    })
}

impl Loaded {
    /// Each item of the sheet as `view` shows it.
    fn items<T>(&self, view: impl FnMut(&gaibu_domain::sheet::Item) -> T) -> Vec<T> {
        self.sheet.doc.items.iter().map(view).collect()
    }
    fn title(&self) -> String {
        let r = &self.sheet.row;
        self.page.t.pick(&r.title_ja, &r.title_en).to_string()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "contractor_sheet.html")]
struct SheetPage {
    t: Tr,
    page: PageCtx,
    s: SubmissionRow,
    sheet_title: String,
    sections: Vec<SectionView>,
    answered: usize,
    total: usize,
    editable: bool,
    problems: Vec<String>,
    evidence: Vec<gaibu_store::SubmissionEvidenceRow>,
}

async fn sheet_data(cx: &Cx, id: i64, problems: Vec<String>) -> AppResult<SheetPage> {
    let l = load(cx, id, "/contractor/submissions/").await?;
    let t = l.page.t;
    let ctx = ops::context(&l.s);
    let items = l.items(|i| ItemView {
        applies: l.sheet.doc.applies(i, &l.s.answers, &ctx),
        ..ItemView::new(t, i, &l.s.answers)
    });
    let sections = grouped(t, &l.sheet.doc, items);
    let (answered, total) = overall(&sections);
    Ok(SheetPage {
        evidence: cx.st.store.submission_evidence_of(l.s.id).await?,
        sheet_title: l.title(),
        editable: may_edit(&ops::domain(&l.s, &l.c), cx.u.user.contractor_id).is_ok(),
        t,
        page: l.page,
        s: l.s,
        sections,
        answered,
        total,
        problems,
    })
}

async fn sheet_page(cx: Cx, Path(id): Path<i64>) -> AppResult<Response> {
    show(sheet_data(&cx, id, vec![]).await?)
}

/// Field errors as lines of text, for the notice above a sheet.
fn error_lines(t: Tr, errs: &[gaibu_domain::FieldError]) -> Vec<String> {
    errs.iter()
        .map(|e| format!("{}: {}", t.field(&e.field), t.error(e.code)))
        .collect()
}

async fn save(cx: Cx, Path(id): Path<i64>, form: FormPairs) -> AppResult<Response> {
    let answers = answers_from(&form);
    let result = ops::save_answers(&cx.st, &cx.u, id, form.version()?, &answers).await;
    answer(
        result,
        |_| format!("/contractor/submissions/{id}"),
        async |why| sheet_data(&cx, id, error_lines(cx.t(), &why.invalid()?)).await,
    )
    .await
}

async fn submit(cx: Cx, Path(id): Path<i64>, form: FormPairs) -> AppResult<Response> {
    match ops::submit(&cx.st, &cx.u, id, form.version()?).await {
        Ok(_) => Ok(Redirect::to(&format!("/contractor/submissions/{id}")).into_response()),
        Err(AppError::Incomplete(p)) => {
            let t = cx.t();
            let problems = p
                .iter()
                .map(|p| format!("{}: {}", p.item, t.error(p.code)))
                .collect();
            let page = sheet_data(&cx, id, problems).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(e),
    }
}

struct ContractorView {
    c: ContractorRow,
    org: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "contractors.html")]
struct CityPage {
    t: Tr,
    page: PageCtx,
    contractors: Vec<ContractorView>,
    submissions: Vec<(SubmissionRow, String)>,
    errors: FieldErrors,
    notice: String,
}

async fn city_page(cx: &Cx, errors: FieldErrors, notice: String) -> AppResult<CityPage> {
    let page = cx.page("/contractors");
    let t = page.t;
    let units = cx.st.store.org_units().await?;
    let contractors: Vec<ContractorRow> = ops::list(&cx.st, &cx.u, &first_page()).await?.items;
    let name_of = |id: i64| {
        contractors
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.name.clone())
            .unwrap_or_default()
    };
    let submissions = ops::submissions(&cx.st, &cx.u, &first_page())
        .await?
        .items
        .into_iter()
        .map(|s| {
            let name = name_of(s.contractor_id);
            (s, name)
        })
        .collect();
    let contractors = contractors
        .into_iter()
        .map(|c| ContractorView {
            org: org_name(t, &units, c.org_unit_id),
            c,
        })
        .collect();
    Ok(CityPage {
        t,
        page,
        contractors,
        submissions,
        errors,
        notice,
    })
}

async fn city(cx: Cx) -> AppResult<Response> {
    show(city_page(&cx, FieldErrors::default(), String::new()).await?)
}

async fn register(cx: Cx, form: FormPairs) -> AppResult<Response> {
    let input: ContractorInput = form.to_input(&[])?;
    let result = ops::register(&cx.st, &cx.u, &input).await;
    answer(
        result,
        |_| "/contractors".to_string(),
        async |why| city_page(&cx, cx.errors(&why.invalid()?), String::new()).await,
    )
    .await
}

async fn add_person(cx: Cx, Path(id): Path<i64>, form: FormPairs) -> AppResult<Response> {
    let input: PersonInput = form.to_input(&[])?;
    let (user, password) = ops::add_person(&cx.st, &cx.u, id, &input).await?;
    let notice = format!(
        "{} {}: {}",
        user.login,
        cx.t().admin_generated_password(),
        password
    );
    show(city_page(&cx, FieldErrors::default(), notice).await?)
}

#[derive(Template, WebTemplate)]
#[template(path = "contractor_submission.html")]
struct ReviewPage {
    t: Tr,
    page: PageCtx,
    s: SubmissionRow,
    c: ContractorRow,
    sheet_title: String,
    items: Vec<(String, String, String)>,
    verified: String,
    verified_at: crate::dates::Stamp,
    error: String,
    evidence: Vec<gaibu_store::SubmissionEvidenceRow>,
}

async fn review_data(cx: &Cx, id: i64, error: String) -> AppResult<ReviewPage> {
    let l = load(cx, id, "/contractors/submissions/").await?;
    let t = l.page.t;
    let items = l.items(|i| {
        let a = l.s.answers.get(&i.id).cloned().unwrap_or_default();
        let value = answer_text(t, i, &a.value);
        (t.pick(&i.text_ja, &i.text_en).to_string(), value, a.comment)
    });
    let (verified, verified_at) = match (l.s.verified_by, l.s.verified_at) {
        (Some(v), Some(at)) => (user_name(&cx.st, v).await, t.when(at)),
        _ => Default::default(),
    };
    Ok(ReviewPage {
        evidence: cx.st.store.submission_evidence_of(l.s.id).await?,
        sheet_title: l.title(),
        t,
        page: l.page,
        s: l.s,
        c: l.c,
        items,
        verified,
        verified_at,
        error,
    })
}

async fn review(cx: Cx, Path(id): Path<i64>) -> AppResult<Response> {
    show(review_data(&cx, id, String::new()).await?)
}

async fn verify(cx: Cx, Path(id): Path<i64>, form: FormPairs) -> AppResult<Response> {
    let input = VerifyInput {
        version: form.version()?,
        compliant: form.get("compliant") == "yes",
        note: form.get("note").to_string(),
    };
    let result = ops::verify(&cx.st, &cx.u, id, &input).await;
    answer(
        result,
        |_| format!("/contractors/submissions/{id}"),
        async |why| {
            let msg = error_lines(cx.t(), &why.invalid()?).join(" ");
            review_data(&cx, id, msg).await
        },
    )
    .await
}

/// The rows these pages show: the first page at the largest size. (The JSON API pages on.)
fn first_page() -> gaibu_store::page::PageAsk {
    gaibu_store::page::PageAsk {
        limit: gaibu_store::page::MAX_LIMIT,
        ..Default::default()
    }
}
