//! Contractors (S5.3): their own submissions under `/api/v1/contractor/`, and the city's side —
//! registration, people, the submissions to verify and their verification.

use super::convert;
use super::extract::{ApiJson, VersionBody, created};
use super::model::{Contractor, Submission, User};
use crate::auth::CurrentUser;
use crate::contractors::{self as ops, ContractorInput, PersonInput, SubmissionInput, VerifyInput};
use crate::error::{AppResult, ErrorBody};
use crate::state::AppState;
use crate::web::Path;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use gaibu_domain::sheet::Answer;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(mine, create))
        .routes(routes!(get_mine))
        .routes(routes!(save_answers))
        .routes(routes!(submit))
        .routes(routes!(list, register))
        .routes(routes!(add_person))
        .routes(routes!(to_verify))
        .routes(routes!(get_to_verify))
        .routes(routes!(verify))
}

#[utoipa::path(get, path = "/api/v1/contractor/submissions", tag = "contractors",
    responses((status = 200, body = Vec<Submission>)))]
async fn mine(State(st): State<AppState>, u: CurrentUser) -> AppResult<Json<Vec<Submission>>> {
    Ok(Json(convert::all(&ops::submissions(&st, &u).await?)?))
}

#[utoipa::path(post, path = "/api/v1/contractor/submissions", tag = "contractors", request_body = SubmissionInput,
    responses((status = 201, body = Submission), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create(
    State(st): State<AppState>,
    u: CurrentUser,
    ApiJson(b): ApiJson<SubmissionInput>,
) -> AppResult<Response> {
    let row = ops::create(&st, &u, &b).await?;
    Ok(created(Submission::try_from(&row)?))
}

#[utoipa::path(get, path = "/api/v1/contractor/submissions/{id}", tag = "contractors",
    params(("id" = i64, Path, description = "Submission id")),
    responses((status = 200, body = Submission)))]
async fn get_mine(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<Submission>> {
    Ok(Json(Submission::try_from(&ops::get(&st, &u, id).await?.0)?))
}

#[derive(Deserialize, ToSchema)]
pub struct AnswersBody {
    #[schema(minimum = 1)]
    pub version: i64,
    /// Answers by sheet item id.
    pub answers: BTreeMap<String, Answer>,
}

#[utoipa::path(put, path = "/api/v1/contractor/submissions/{id}/answers", tag = "contractors", request_body = AnswersBody,
    params(("id" = i64, Path, description = "Submission id")),
    responses((status = 200, body = Submission), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn save_answers(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<AnswersBody>,
) -> AppResult<Json<Submission>> {
    let row = ops::save_answers(&st, &u, id, b.version, &b.answers).await?;
    Ok(Json(Submission::try_from(&row)?))
}

#[utoipa::path(post, path = "/api/v1/contractor/submissions/{id}/submit", tag = "contractors", request_body = VersionBody,
    params(("id" = i64, Path, description = "Submission id")),
    responses((status = 200, body = Submission), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn submit(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<VersionBody>,
) -> AppResult<Json<Submission>> {
    Ok(Json(Submission::try_from(
        &ops::submit(&st, &u, id, b.version).await?,
    )?))
}

#[utoipa::path(get, path = "/api/v1/contractors", tag = "contractors",
    responses((status = 200, body = Vec<Contractor>)))]
async fn list(State(st): State<AppState>, u: CurrentUser) -> AppResult<Json<Vec<Contractor>>> {
    Ok(Json(convert::all(&ops::list(&st, &u).await?)?))
}

#[utoipa::path(post, path = "/api/v1/contractors", tag = "contractors", request_body = ContractorInput,
    responses((status = 201, body = Contractor), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn register(
    State(st): State<AppState>,
    u: CurrentUser,
    ApiJson(b): ApiJson<ContractorInput>,
) -> AppResult<Response> {
    let row = ops::register(&st, &u, &b).await?;
    Ok(created(Contractor::try_from(&row)?))
}

#[derive(Serialize, ToSchema)]
pub struct Person {
    pub user: User,
    /// Shown once.
    pub password: String,
}

#[utoipa::path(post, path = "/api/v1/contractors/{id}/people", tag = "contractors", request_body = PersonInput,
    params(("id" = i64, Path, description = "Contractor id")),
    responses((status = 201, body = Person), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_person(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<PersonInput>,
) -> AppResult<Response> {
    let (user, password) = ops::add_person(&st, &u, id, &b).await?;
    Ok(created(Person {
        user: User::try_from(&user)?,
        password,
    }))
}

#[utoipa::path(get, path = "/api/v1/submissions", tag = "contractors",
    description = "The contractors' submissions the signed-in user oversees.",
    responses((status = 200, body = Vec<Submission>)))]
async fn to_verify(State(st): State<AppState>, u: CurrentUser) -> AppResult<Json<Vec<Submission>>> {
    Ok(Json(convert::all(&ops::submissions(&st, &u).await?)?))
}

#[utoipa::path(get, path = "/api/v1/submissions/{id}", tag = "contractors",
    params(("id" = i64, Path, description = "Submission id")),
    responses((status = 200, body = Submission)))]
async fn get_to_verify(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<Submission>> {
    Ok(Json(Submission::try_from(&ops::get(&st, &u, id).await?.0)?))
}

/// The verification of a submitted sheet (S5.3).
#[derive(Deserialize, ToSchema)]
pub struct VerifyBody {
    #[schema(minimum = 1)]
    pub version: i64,
    /// true: compliant (verified); false: returned with the note.
    #[serde(default)]
    pub compliant: bool,
    #[serde(default)]
    pub note: String,
}

#[utoipa::path(post, path = "/api/v1/submissions/{id}/verification", tag = "contractors", request_body = VerifyBody,
    params(("id" = i64, Path, description = "Submission id")),
    responses((status = 200, body = Submission), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn verify(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<VerifyBody>,
) -> AppResult<Json<Submission>> {
    let input = VerifyInput {
        version: b.version,
        compliant: b.compliant,
        note: b.note,
    };
    Ok(Json(Submission::try_from(
        &ops::verify(&st, &u, id, &input).await?,
    )?))
}
