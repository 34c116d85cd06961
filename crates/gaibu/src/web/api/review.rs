//! The class-2+ track: the evaluation and procurement record, submission to the ISM, the
//! ISM's decision, and the rounds so far.

use super::ApplicationId;
use super::Refusals;
use super::applications::view;
use super::extract::{Change, OnRecord, VersionBody, many, routes_of, versioned};
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

pub fn routes() -> OpenApiRouter<AppState> {
    routes_of!(
        save_evaluation; save_procurement; submit_application; decide_application; list_rounds
    )
}

versioned! { VersionedEvaluation { #[serde(flatten)] evaluation: Evaluation } }

#[utoipa::path(put, path = "/api/v1/applications/{id}/evaluation", tag = "review",
    params(ApplicationId), request_body = VersionedEvaluation,
    responses((status = 200, body = Application), Refusals))]
async fn save_evaluation(c: Change<VersionedEvaluation>) -> AppResult<Json<Application>> {
    let (version, evaluation) = (c.body.version, &c.body.evaluation);
    let row = ops::save_evaluation(&c.st, &c.u, c.id, version, evaluation).await?;
    view(&c.st, &c.u, &row).await.map(Json)
}

versioned! { VersionedProcurement { #[serde(flatten)] procurement: Procurement } }

#[utoipa::path(put, path = "/api/v1/applications/{id}/procurement", tag = "review",
    params(ApplicationId), request_body = VersionedProcurement,
    responses((status = 200, body = Application), Refusals))]
async fn save_procurement(c: Change<VersionedProcurement>) -> AppResult<Json<Application>> {
    let (version, procurement) = (c.body.version, &c.body.procurement);
    let row = ops::save_procurement(&c.st, &c.u, c.id, version, procurement).await?;
    view(&c.st, &c.u, &row).await.map(Json)
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/submit", tag = "review",
    params(ApplicationId), request_body = VersionBody,
    responses((status = 200, body = Application), Refusals))]
async fn submit_application(c: Change<VersionBody>) -> AppResult<Json<Application>> {
    let row = ops::submit(&c.st, &c.u, c.id, c.body.version).await?;
    view(&c.st, &c.u, &row).await.map(Json)
}

versioned! { VersionedDecision { #[serde(flatten)] decision: DecisionInput } }

#[derive(Serialize, ToSchema)]
pub struct Decided {
    pub application: Application,
    /// The approved service, when approved.
    pub service: Option<Service>,
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/decision", tag = "review",
    params(ApplicationId), request_body = VersionedDecision,
    responses((status = 200, body = Decided), Refusals))]
async fn decide_application(c: Change<VersionedDecision>) -> AppResult<Json<Decided>> {
    let (version, decision) = (c.body.version, &c.body.decision);
    let (app, service) = ops::decide(&c.st, &c.u, c.id, version, decision).await?;
    Ok(Json(Decided {
        application: view(&c.st, &c.u, &app).await?,
        service: service.as_ref().map(Service::try_from).transpose()?,
    }))
}

#[utoipa::path(get, path = "/api/v1/applications/{id}/rounds", tag = "review",
    params(ApplicationId), responses((status = 200, body = Vec<Round>)))]
async fn list_rounds(c: OnRecord) -> AppResult<Json<Vec<Round>>> {
    many(&ops::rounds(&c.st, &c.u, c.id).await?)
}
