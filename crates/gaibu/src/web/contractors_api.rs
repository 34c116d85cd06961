//! The contractors' JSON API (S5.3): their own submissions under `/api/v1/contractor/`, and the
//! city's side — registration, people, verification — beside it.

use crate::auth::CurrentUser;
use crate::contractors::{self as ops, ContractorInput, PersonInput, SubmissionInput, VerifyInput};
use crate::error::{AppResult, ErrorBody};
use crate::state::AppState;
use crate::web::Path;
use crate::web::api::ApiJson;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use gaibu_domain::sheet::Answer;
use gaibu_store::{ContractorRow, SubmissionRow, UserRow};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/contractor/submissions", get(mine).post(create))
        .route("/contractor/submissions/{id}", get(get_one))
        .route("/contractor/submissions/{id}/answers", put(save_answers))
        .route("/contractor/submissions/{id}/submit", post(submit))
        .route("/contractors", get(list).post(register))
        .route("/contractors/{id}/people", post(add_person))
        .route("/submissions", get(mine))
        .route("/submissions/{id}", get(get_one))
        .route("/submissions/{id}/verification", post(verify))
}

#[utoipa::path(get, path = "/api/v1/contractor/submissions", responses((status = 200, body = Vec<SubmissionRow>)))]
pub async fn mine(
    State(st): State<AppState>,
    u: CurrentUser,
) -> AppResult<Json<Vec<SubmissionRow>>> {
    Ok(Json(ops::submissions(&st, &u).await?))
}

#[utoipa::path(post, path = "/api/v1/contractor/submissions", request_body = SubmissionInput,
    responses((status = 201, body = SubmissionRow), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(st): State<AppState>,
    u: CurrentUser,
    ApiJson(b): ApiJson<SubmissionInput>,
) -> AppResult<Response> {
    let row = ops::create(&st, &u, &b).await?;
    Ok((StatusCode::CREATED, Json(row)).into_response())
}

#[utoipa::path(get, path = "/api/v1/contractor/submissions/{id}", responses((status = 200, body = SubmissionRow), (status = 404, body = ErrorBody)))]
pub async fn get_one(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<SubmissionRow>> {
    Ok(Json(ops::get(&st, &u, id).await?.0))
}

#[derive(Deserialize, ToSchema)]
pub struct AnswersBody {
    pub version: i64,
    pub answers: BTreeMap<String, Answer>,
}

#[utoipa::path(put, path = "/api/v1/contractor/submissions/{id}/answers", request_body = AnswersBody,
    responses((status = 200, body = SubmissionRow), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn save_answers(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<AnswersBody>,
) -> AppResult<Json<SubmissionRow>> {
    Ok(Json(
        ops::save_answers(&st, &u, id, b.version, &b.answers).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct Version {
    pub version: i64,
}

#[utoipa::path(post, path = "/api/v1/contractor/submissions/{id}/submit", request_body = Version,
    responses((status = 200, body = SubmissionRow), (status = 409, body = ErrorBody)))]
pub async fn submit(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<Version>,
) -> AppResult<Json<SubmissionRow>> {
    Ok(Json(ops::submit(&st, &u, id, b.version).await?))
}

#[utoipa::path(get, path = "/api/v1/contractors", responses((status = 200, body = Vec<ContractorRow>)))]
pub async fn list(
    State(st): State<AppState>,
    u: CurrentUser,
) -> AppResult<Json<Vec<ContractorRow>>> {
    Ok(Json(ops::list(&st, &u).await?))
}

#[utoipa::path(post, path = "/api/v1/contractors", request_body = ContractorInput,
    responses((status = 201, body = ContractorRow), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn register(
    State(st): State<AppState>,
    u: CurrentUser,
    ApiJson(b): ApiJson<ContractorInput>,
) -> AppResult<Response> {
    let row = ops::register(&st, &u, &b).await?;
    Ok((StatusCode::CREATED, Json(row)).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct Person {
    pub user: UserRow,
    /// Shown once.
    pub password: String,
}

#[utoipa::path(post, path = "/api/v1/contractors/{id}/people", request_body = PersonInput,
    responses((status = 201, body = Person), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_person(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<PersonInput>,
) -> AppResult<Response> {
    let (user, password) = ops::add_person(&st, &u, id, &b).await?;
    Ok((StatusCode::CREATED, Json(Person { user, password })).into_response())
}

#[utoipa::path(post, path = "/api/v1/submissions/{id}/verification", request_body = VerifyInput,
    responses((status = 200, body = SubmissionRow), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn verify(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<VerifyInput>,
) -> AppResult<Json<SubmissionRow>> {
    Ok(Json(ops::verify(&st, &u, id, &b).await?))
}
