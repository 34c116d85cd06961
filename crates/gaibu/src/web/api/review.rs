//! The class-2+ track: the evaluation and procurement record, submission to the ISM, the
//! ISM's decision, and the rounds so far.

use super::applications::view;
use super::convert;
use super::extract::{ApiJson, VersionBody};
use super::model::{Application, Round, Service};
use crate::auth::CurrentUser;
use crate::error::{AppResult, ErrorBody};
use crate::review as ops;
use crate::state::AppState;
use crate::web::Path;
use axum::Json;
use axum::extract::State;
use gaibu_domain::evaluation::Evaluation;
use gaibu_domain::procurement::Procurement;
use gaibu_domain::review::DecisionInput;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(save_evaluation))
        .routes(routes!(save_procurement))
        .routes(routes!(submit_application))
        .routes(routes!(decide_application))
        .routes(routes!(list_rounds))
}

#[derive(Deserialize, ToSchema)]
pub struct VersionedEvaluation {
    #[schema(minimum = 1)]
    pub version: i64,
    #[serde(flatten)]
    pub evaluation: Evaluation,
}

#[utoipa::path(put, path = "/api/v1/applications/{id}/evaluation", tag = "review", request_body = VersionedEvaluation,
    params(("id" = i64, Path, description = "Application id")),
    responses((status = 200, body = Application), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn save_evaluation(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<VersionedEvaluation>,
) -> AppResult<Json<Application>> {
    let row = ops::save_evaluation(&st, &u, id, b.version, &b.evaluation).await?;
    Ok(Json(view(&st, &row).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct VersionedProcurement {
    #[schema(minimum = 1)]
    pub version: i64,
    #[serde(flatten)]
    pub procurement: Procurement,
}

#[utoipa::path(put, path = "/api/v1/applications/{id}/procurement", tag = "review", request_body = VersionedProcurement,
    params(("id" = i64, Path, description = "Application id")),
    responses((status = 200, body = Application), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn save_procurement(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<VersionedProcurement>,
) -> AppResult<Json<Application>> {
    let row = ops::save_procurement(&st, &u, id, b.version, &b.procurement).await?;
    Ok(Json(view(&st, &row).await?))
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/submit", tag = "review", request_body = VersionBody,
    params(("id" = i64, Path, description = "Application id")),
    responses((status = 200, body = Application), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn submit_application(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<VersionBody>,
) -> AppResult<Json<Application>> {
    let row = ops::submit(&st, &u, id, b.version).await?;
    Ok(Json(view(&st, &row).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct VersionedDecision {
    #[schema(minimum = 1)]
    pub version: i64,
    #[serde(flatten)]
    pub decision: DecisionInput,
}

#[derive(Serialize, ToSchema)]
pub struct Decided {
    pub application: Application,
    /// The approved service, when approved.
    pub service: Option<Service>,
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/decision", tag = "review", request_body = VersionedDecision,
    params(("id" = i64, Path, description = "Application id")),
    responses((status = 200, body = Decided), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn decide_application(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<VersionedDecision>,
) -> AppResult<Json<Decided>> {
    let (app, service) = ops::decide(&st, &u, id, b.version, &b.decision).await?;
    Ok(Json(Decided {
        application: view(&st, &app).await?,
        service: service.as_ref().map(Service::try_from).transpose()?,
    }))
}

#[utoipa::path(get, path = "/api/v1/applications/{id}/rounds", tag = "review",
    params(("id" = i64, Path, description = "Application id")),
    responses((status = 200, body = Vec<Round>)))]
async fn list_rounds(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<Round>>> {
    Ok(Json(convert::all(&ops::rounds(&st, &u, id).await?)?))
}
