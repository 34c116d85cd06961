//! The class-2+ track: the evaluation and procurement record, submission to the ISM, the
//! ISM's decision, and the rounds so far.

use super::Refusals;
use super::applications::view;
use super::extract::{Change, OnRecord, VersionBody, many, versioned};
use super::model::{Application, Round, Service};
use crate::error::AppResult;
use crate::review as ops;
use crate::state::AppState;
use axum::Json;
use gaibu_domain::evaluation::Evaluation;
use gaibu_domain::procurement::Procurement;
use gaibu_domain::review::DecisionInput;
use serde::Serialize;
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

versioned!(VersionedEvaluation {
    evaluation: Evaluation
});

#[utoipa::path(put, path = "/api/v1/applications/{id}/evaluation", tag = "review",
    request_body = VersionedEvaluation, params(("id" = i64, Path, description = "Application id")),
    responses((status = 200, body = Application), Refusals))]
async fn save_evaluation(c: Change<VersionedEvaluation>) -> AppResult<Json<Application>> {
    let (version, evaluation) = (c.body.version, &c.body.evaluation);
    let row = ops::save_evaluation(&c.st, &c.u, c.id, version, evaluation).await?;
    view(&c.st, &row).await.map(Json)
}

versioned!(VersionedProcurement {
    procurement: Procurement
});

#[utoipa::path(put, path = "/api/v1/applications/{id}/procurement", tag = "review",
    request_body = VersionedProcurement, params(("id" = i64, Path, description = "Application id")),
    responses((status = 200, body = Application), Refusals))]
async fn save_procurement(c: Change<VersionedProcurement>) -> AppResult<Json<Application>> {
    let (version, procurement) = (c.body.version, &c.body.procurement);
    let row = ops::save_procurement(&c.st, &c.u, c.id, version, procurement).await?;
    view(&c.st, &row).await.map(Json)
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/submit", tag = "review",
    request_body = VersionBody, params(("id" = i64, Path, description = "Application id")),
    responses((status = 200, body = Application), Refusals))]
async fn submit_application(c: Change<VersionBody>) -> AppResult<Json<Application>> {
    let row = ops::submit(&c.st, &c.u, c.id, c.body.version).await?;
    view(&c.st, &row).await.map(Json)
}

versioned!(VersionedDecision {
    decision: DecisionInput
});

#[derive(Serialize, ToSchema)]
pub struct Decided {
    pub application: Application,
    /// The approved service, when approved.
    pub service: Option<Service>,
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/decision", tag = "review",
    request_body = VersionedDecision, params(("id" = i64, Path, description = "Application id")),
    responses((status = 200, body = Decided), Refusals))]
async fn decide_application(c: Change<VersionedDecision>) -> AppResult<Json<Decided>> {
    let (version, decision) = (c.body.version, &c.body.decision);
    let (app, service) = ops::decide(&c.st, &c.u, c.id, version, decision).await?;
    Ok(Json(Decided {
        application: view(&c.st, &app).await?,
        service: service.as_ref().map(Service::try_from).transpose()?,
    }))
}

#[utoipa::path(get, path = "/api/v1/applications/{id}/rounds", tag = "review",
    params(("id" = i64, Path, description = "Application id")),
    responses((status = 200, body = Vec<Round>)))]
async fn list_rounds(c: OnRecord) -> AppResult<Json<Vec<Round>>> {
    many(&ops::rounds(&c.st, &c.u, c.id).await?)
}
