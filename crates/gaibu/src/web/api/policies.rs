//! Policy versions (S1.3): the classification scheme, the requirement sheets and the account
//! rules, in force once the CISO approves them.

use super::Conflicts;
use super::PolicyId;
use super::extract::{Caller, OnRecord, many, one, routes_of};
use super::model::{Policy, PolicyChanges, PolicyDetail};
use crate::error::AppResult;
use crate::policies as ops;
use crate::state::AppState;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    routes_of!(list_policies; get_policy; approve_policy)
}

#[utoipa::path(get, path = "/api/v1/policies", tag = "policies",
    responses((status = 200, body = Vec<Policy>)))]
async fn list_policies(c: Caller) -> AppResult<Json<Vec<Policy>>> {
    many(&ops::list(&c.st).await?)
}

#[utoipa::path(get, path = "/api/v1/policies/{id}", tag = "policies", params(PolicyId),
    responses((status = 200, body = PolicyDetail)))]
async fn get_policy(c: OnRecord) -> AppResult<Json<PolicyDetail>> {
    let (row, doc) = ops::get(&c.st, c.id).await?;
    let changes = ops::changes(&c.st, &row, &doc).await?;
    let mut detail = PolicyDetail::try_from(&row)?;
    detail.changes = changes.map(|ch| PolicyChanges {
        against_id: ch.against.as_ref().map(|a| a.id),
        against_version: ch.against.map(|a| a.version),
        entries: ch.entries,
    });
    Ok(Json(detail))
}

#[utoipa::path(post, path = "/api/v1/policies/{id}/approve", tag = "policies", params(PolicyId),
    responses((status = 200, body = Policy), Conflicts))]
async fn approve_policy(c: OnRecord) -> AppResult<Json<Policy>> {
    one(&ops::approve(&c.st, &c.u, c.id).await?)
}
