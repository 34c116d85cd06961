//! Contractor pages (S5.3): the contractor's own submissions and sheet, and the city's side —
//! registration, people and verification.

use super::{FieldErrors, FormPairs, PageCtx, fmt_ms, org_name, user_name};
use crate::auth::CurrentUser;
use crate::contractors::{self as ops, ContractorInput, PersonInput, SubmissionInput, VerifyInput};
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::policies;
use crate::state::AppState;
use crate::web::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use gaibu_domain::classification::Level;
use gaibu_domain::sheet::AnswerType;
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

async fn home_page(
    st: &AppState,
    u: &CurrentUser,
    jar: &CookieJar,
    errors: FieldErrors,
) -> AppResult<HomePage> {
    let Some(cid) = u.user.contractor_id else {
        return Err(AppError::NotFound);
    };
    let page = PageCtx::new(u, jar, "/contractor");
    let contractor = st
        .store
        .contractor(cid)
        .await?
        .map(|c| c.name)
        .unwrap_or_default();
    Ok(HomePage {
        t: page.t,
        page,
        contractor,
        rows: ops::submissions(st, u).await?,
        levels: policies::scheme_in_force(st).await?.doc.confidentiality,
        errors,
    })
}

async fn home(State(st): State<AppState>, u: CurrentUser, jar: CookieJar) -> AppResult<Response> {
    Ok(home_page(&st, &u, &jar, FieldErrors::default())
        .await?
        .into_response())
}

async fn create(
    State(st): State<AppState>,
    u: CurrentUser,
    jar: CookieJar,
    form: FormPairs,
) -> AppResult<Response> {
    let input: SubmissionInput = form.to_input(&[])?;
    match ops::create(&st, &u, &input).await {
        Ok(s) => Ok(Redirect::to(&format!("/contractor/submissions/{}", s.id)).into_response()),
        Err(AppError::Invalid(errs)) => {
            let errors = FieldErrors::from(PageCtx::new(&u, &jar, "").t, &errs);
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                home_page(&st, &u, &jar, errors).await?,
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}

struct ItemView {
    id: String,
    text: String,
    clause: String,
    kind: &'static str,
    blocking: bool,
    options: Vec<(String, String)>,
    value: String,
    comment: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "contractor_sheet.html")]
struct SheetPage {
    t: Tr,
    page: PageCtx,
    s: SubmissionRow,
    sheet_title: String,
    items: Vec<ItemView>,
    editable: bool,
    problems: Vec<String>,
    evidence: Vec<gaibu_store::SubmissionEvidenceRow>,
}

async fn sheet_data(
    st: &AppState,
    u: &CurrentUser,
    jar: &CookieJar,
    id: i64,
    problems: Vec<String>,
) -> AppResult<SheetPage> {
    let (s, _) = ops::get(st, u, id).await?;
    let page = PageCtx::new(u, jar, &format!("/contractor/submissions/{id}"));
    let t = page.t;
    let sheet = policies::sheet(st, s.sheet_policy_id).await?;
    let answers = s.answers.clone();
    let items = sheet
        .doc
        .items
        .iter()
        .map(|i| {
            let a = answers.get(&i.id).cloned().unwrap_or_default();
            ItemView {
                id: i.id.clone(),
                text: t.pick(&i.text_ja, &i.text_en).to_string(),
                clause: i.clause.clone(),
                kind: match i.answer {
                    AnswerType::YesNoNa => "yes_no_na",
                    AnswerType::Text => "text",
                    AnswerType::Date => "date",
                    AnswerType::Choice => "choice",
                },
                blocking: i.blocking,
                options: i
                    .options
                    .iter()
                    .map(|o| (o.code.clone(), t.pick(&o.label_ja, &o.label_en).to_string()))
                    .collect(),
                value: a.value,
                comment: a.comment,
            }
        })
        .collect();
    let evidence = st.store.submission_evidence_of(s.id).await?;
    Ok(SheetPage {
        evidence,
        sheet_title: t.pick(&sheet.row.title_ja, &sheet.row.title_en).to_string(),
        editable: u.user.contractor_id == Some(s.contractor_id)
            && matches!(s.state.as_str(), "draft" | "returned"),
        t,
        page,
        s,
        items,
        problems,
    })
}

async fn sheet_page(
    State(st): State<AppState>,
    u: CurrentUser,
    jar: CookieJar,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    Ok(sheet_data(&st, &u, &jar, id, vec![]).await?.into_response())
}

async fn save(
    State(st): State<AppState>,
    u: CurrentUser,
    jar: CookieJar,
    Path(id): Path<i64>,
    form: FormPairs,
) -> AppResult<Response> {
    let answers = super::applications::answers_from(&form);
    match ops::save_answers(&st, &u, id, form.version(), &answers).await {
        Ok(_) => Ok(Redirect::to(&format!("/contractor/submissions/{id}")).into_response()),
        Err(AppError::Invalid(errs)) => {
            let t = PageCtx::new(&u, &jar, "").t;
            let problems = errs
                .iter()
                .map(|e| format!("{}: {}", t.field(&e.field), t.error(e.code)))
                .collect();
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                sheet_data(&st, &u, &jar, id, problems).await?,
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}

async fn submit(
    State(st): State<AppState>,
    u: CurrentUser,
    jar: CookieJar,
    Path(id): Path<i64>,
    form: FormPairs,
) -> AppResult<Response> {
    match ops::submit(&st, &u, id, form.version()).await {
        Ok(_) => Ok(Redirect::to(&format!("/contractor/submissions/{id}")).into_response()),
        Err(AppError::Incomplete(p)) => {
            let t = PageCtx::new(&u, &jar, "").t;
            let problems = p
                .iter()
                .map(|p| format!("{}: {}", p.item, t.error(p.code)))
                .collect();
            Ok((
                StatusCode::CONFLICT,
                sheet_data(&st, &u, &jar, id, problems).await?,
            )
                .into_response())
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

async fn city_page(
    st: &AppState,
    u: &CurrentUser,
    jar: &CookieJar,
    errors: FieldErrors,
    notice: String,
) -> AppResult<CityPage> {
    let page = PageCtx::new(u, jar, "/contractors");
    let t = page.t;
    let units = st.store.org_units().await?;
    let contractors: Vec<ContractorRow> = ops::list(st, u).await?;
    let submissions = ops::submissions(st, u)
        .await?
        .into_iter()
        .map(|s| {
            let name = contractors
                .iter()
                .find(|c| c.id == s.contractor_id)
                .map(|c| c.name.clone())
                .unwrap_or_default();
            (s, name)
        })
        .collect();
    Ok(CityPage {
        t,
        page,
        contractors: contractors
            .into_iter()
            .map(|c| ContractorView {
                org: org_name(t, &units, c.org_unit_id),
                c,
            })
            .collect(),
        submissions,
        errors,
        notice,
    })
}

async fn city(State(st): State<AppState>, u: CurrentUser, jar: CookieJar) -> AppResult<Response> {
    Ok(
        city_page(&st, &u, &jar, FieldErrors::default(), String::new())
            .await?
            .into_response(),
    )
}

async fn register(
    State(st): State<AppState>,
    u: CurrentUser,
    jar: CookieJar,
    form: FormPairs,
) -> AppResult<Response> {
    let input: ContractorInput = form.to_input(&[])?;
    match ops::register(&st, &u, &input).await {
        Ok(_) => Ok(Redirect::to("/contractors").into_response()),
        Err(AppError::Invalid(errs)) => {
            let errors = FieldErrors::from(PageCtx::new(&u, &jar, "").t, &errs);
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                city_page(&st, &u, &jar, errors, String::new()).await?,
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}

async fn add_person(
    State(st): State<AppState>,
    u: CurrentUser,
    jar: CookieJar,
    Path(id): Path<i64>,
    form: FormPairs,
) -> AppResult<Response> {
    let input: PersonInput = form.to_input(&[])?;
    let t = PageCtx::new(&u, &jar, "").t;
    let (user, password) = ops::add_person(&st, &u, id, &input).await?;
    let notice = format!(
        "{} {}: {}",
        user.login,
        t.admin_generated_password(),
        password
    );
    Ok(city_page(&st, &u, &jar, FieldErrors::default(), notice)
        .await?
        .into_response())
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
    error: String,
    evidence: Vec<gaibu_store::SubmissionEvidenceRow>,
}

async fn review_data(
    st: &AppState,
    u: &CurrentUser,
    jar: &CookieJar,
    id: i64,
    error: String,
) -> AppResult<ReviewPage> {
    let (s, c) = ops::get(st, u, id).await?;
    let page = PageCtx::new(u, jar, &format!("/contractors/submissions/{id}"));
    let t = page.t;
    let sheet = policies::sheet(st, s.sheet_policy_id).await?;
    let answers = s.answers.clone();
    let items = sheet
        .doc
        .items
        .iter()
        .map(|i| {
            let a = answers.get(&i.id).cloned().unwrap_or_default();
            let value = match i.options.iter().find(|o| o.code == a.value) {
                Some(o) => t.pick(&o.label_ja, &o.label_en).to_string(),
                None if matches!(a.value.as_str(), "yes" | "no" | "na") => t.of("answer", &a.value),
                None => a.value,
            };
            (t.pick(&i.text_ja, &i.text_en).to_string(), value, a.comment)
        })
        .collect();
    let verified = match (s.verified_by, s.verified_at) {
        (Some(v), Some(at)) => format!("{} {}", user_name(st, v).await, fmt_ms(at)),
        _ => String::new(),
    };
    let evidence = st.store.submission_evidence_of(s.id).await?;
    Ok(ReviewPage {
        evidence,
        sheet_title: t.pick(&sheet.row.title_ja, &sheet.row.title_en).to_string(),
        t,
        page,
        s,
        c,
        items,
        verified,
        error,
    })
}

async fn review(
    State(st): State<AppState>,
    u: CurrentUser,
    jar: CookieJar,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    Ok(review_data(&st, &u, &jar, id, String::new())
        .await?
        .into_response())
}

async fn verify(
    State(st): State<AppState>,
    u: CurrentUser,
    jar: CookieJar,
    Path(id): Path<i64>,
    form: FormPairs,
) -> AppResult<Response> {
    let input = VerifyInput {
        version: form.version(),
        compliant: form.get("compliant") == "yes",
        note: form.get("note").to_string(),
    };
    match ops::verify(&st, &u, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/contractors/submissions/{id}")).into_response()),
        Err(AppError::Invalid(errs)) => {
            let t = PageCtx::new(&u, &jar, "").t;
            let msg = errs
                .iter()
                .map(|e| format!("{}: {}", t.field(&e.field), t.error(e.code)))
                .collect::<Vec<_>>()
                .join(" ");
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                review_data(&st, &u, &jar, id, msg).await?,
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}
