//! Contractors (S5.3): their own submissions under `/api/v1/contractor/`, and the city's side —
//! registration, people, the submissions to verify and their verification.

use super::Refusals;
use super::extract::{
    AnswersBody, Caller, Change, Created, OnRecord, Sent, VersionBody, one, routes_of, versioned,
};
use super::model::{Contractor, Paged, Submission, User};
use super::{ContractorId, SubmissionId};
use crate::contractors::{self as ops, ContractorInput, PersonInput, SubmissionInput, VerifyInput};
use crate::error::AppResult;
use crate::state::AppState;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    routes_of!(
        mine, create; get_mine; save_answers; submit; list, register; add_person; to_verify;
        get_to_verify; verify
    )
}

#[utoipa::path(get, path = "/api/v1/contractor/submissions", tag = "contractors",
    params(crate::lists::PageOnly), responses((status = 200, body = Paged<Submission>)))]
async fn mine(
    c: Caller,
    super::extract::ApiQuery(q): super::extract::ApiQuery<crate::lists::PageOnly>,
) -> AppResult<Json<Paged<Submission>>> {
    Ok(Json(super::convert::paged(
        &ops::submissions(&c.st, &c.u, &q.ask()?).await?,
    )?))
}

#[utoipa::path(post, path = "/api/v1/contractor/submissions", tag = "contractors",
    request_body = SubmissionInput, responses((status = 201, body = Submission), Refusals))]
async fn create(c: Sent<SubmissionInput>) -> AppResult<Created<Submission>> {
    one(&ops::create(&c.st, &c.u, &c.body).await?).map(Created::from)
}

#[utoipa::path(get, path = "/api/v1/contractor/submissions/{id}", tag = "contractors",
    params(SubmissionId), responses((status = 200, body = Submission)))]
async fn get_mine(c: OnRecord) -> AppResult<Json<Submission>> {
    one(&ops::get(&c.st, &c.u, c.id).await?.0)
}

#[utoipa::path(put, path = "/api/v1/contractor/submissions/{id}/answers", tag = "contractors",
    params(SubmissionId), request_body = AnswersBody,
    responses((status = 200, body = Submission), Refusals))]
async fn save_answers(c: Change<AnswersBody>) -> AppResult<Json<Submission>> {
    one(&ops::save_answers(&c.st, &c.u, c.id, c.body.version, &c.body.answers).await?)
}

#[utoipa::path(post, path = "/api/v1/contractor/submissions/{id}/submit", tag = "contractors",
    params(SubmissionId), request_body = VersionBody,
    responses((status = 200, body = Submission), Refusals))]
async fn submit(c: Change<VersionBody>) -> AppResult<Json<Submission>> {
    one(&ops::submit(&c.st, &c.u, c.id, c.body.version).await?)
}

#[utoipa::path(get, path = "/api/v1/contractors", tag = "contractors",
    params(crate::lists::PageOnly), responses((status = 200, body = Paged<Contractor>)))]
async fn list(
    c: Caller,
    super::extract::ApiQuery(q): super::extract::ApiQuery<crate::lists::PageOnly>,
) -> AppResult<Json<Paged<Contractor>>> {
    Ok(Json(super::convert::paged(
        &ops::list(&c.st, &c.u, &q.ask()?).await?,
    )?))
}

#[utoipa::path(post, path = "/api/v1/contractors", tag = "contractors",
    request_body = ContractorInput, responses((status = 201, body = Contractor), Refusals))]
async fn register(c: Sent<ContractorInput>) -> AppResult<Created<Contractor>> {
    one(&ops::register(&c.st, &c.u, &c.body).await?).map(Created::from)
}

#[derive(Serialize, ToSchema)]
pub struct Person {
    pub user: User,
    /// Shown once.
    pub password: String,
}

#[utoipa::path(post, path = "/api/v1/contractors/{id}/people", tag = "contractors",
    params(ContractorId), request_body = PersonInput,
    responses((status = 201, body = Person), Refusals))]
async fn add_person(c: Change<PersonInput>) -> AppResult<Created<Person>> {
    let (user, password) = ops::add_person(&c.st, &c.u, c.id, &c.body).await?;
    let user = User::try_from(&user)?;
    Ok(Created(Person { user, password }))
}

#[utoipa::path(get, path = "/api/v1/submissions", tag = "contractors",
    description = "The contractors' submissions the signed-in user oversees.",
    params(crate::lists::PageOnly), responses((status = 200, body = Paged<Submission>)))]
async fn to_verify(
    c: Caller,
    q: super::extract::ApiQuery<crate::lists::PageOnly>,
) -> AppResult<Json<Paged<Submission>>> {
    mine(c, q).await
}

#[utoipa::path(get, path = "/api/v1/submissions/{id}", tag = "contractors", params(SubmissionId),
    responses((status = 200, body = Submission)))]
async fn get_to_verify(c: OnRecord) -> AppResult<Json<Submission>> {
    get_mine(c).await
}

versioned! {
    /// The verification of a submitted sheet (S5.3).
    VerifyBody {
        /// true: compliant (verified); false: returned with the note.
        #[serde(default)]
        compliant: bool,
        #[serde(default)]
        note: String,
    }
}

#[utoipa::path(post, path = "/api/v1/submissions/{id}/verification", tag = "contractors",
    params(SubmissionId), request_body = VerifyBody,
    responses((status = 200, body = Submission), Refusals))]
async fn verify(Change { head: c, body }: Change<VerifyBody>) -> AppResult<Json<Submission>> {
    let VerifyBody {
        version,
        compliant,
        note,
    } = body;
    let input = VerifyInput {
        version,
        compliant,
        note,
    };
    one(&ops::verify(&c.st, &c.u, c.id, &input).await?)
}
