//! サービス利用状況: the usage register of approved class-2+ services (S5.2.1-5).

use super::Refusals;
use super::RegisterEntryId;
use super::extract::{Caller, Change, OnRecord, many, one, routes_of};
use super::model::{RegisterEntry, RegisterUpdate};
use crate::error::AppResult;
use crate::register as ops;
use crate::state::AppState;
use axum::Json;
use gaibu_store::RegisterFields;
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    routes_of!(list_register; get_register, update_register)
}

#[utoipa::path(get, path = "/api/v1/register", tag = "register",
    params(crate::scope::ScopeQuery), responses((status = 200, body = Vec<RegisterEntry>)))]
async fn list_register(
    c: Caller,
    super::extract::ApiQuery(q): super::extract::ApiQuery<crate::scope::ScopeQuery>,
) -> AppResult<Json<Vec<RegisterEntry>>> {
    many(&ops::list(&c.st, &c.u, crate::scope::parse(&q.in_scope)?).await?)
}

#[utoipa::path(get, path = "/api/v1/register/{id}", tag = "register", params(RegisterEntryId),
    responses((status = 200, body = RegisterEntry)))]
async fn get_register(c: OnRecord) -> AppResult<Json<RegisterEntry>> {
    one(&ops::get(&c.st, &c.u, c.id).await?)
}

#[utoipa::path(put, path = "/api/v1/register/{id}", tag = "register", params(RegisterEntryId),
    request_body = RegisterUpdate, responses((status = 200, body = RegisterEntry), Refusals))]
async fn update_register(c: Change<RegisterUpdate>) -> AppResult<Json<RegisterEntry>> {
    let fields = RegisterFields::from(&c.body);
    one(&ops::update(&c.st, &c.u, c.id, c.body.version, &fields).await?)
}
