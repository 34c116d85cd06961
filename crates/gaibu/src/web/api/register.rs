//! サービス利用状況: the usage register of approved class-2+ services (S5.2.1-5).

use super::Refusals;
use super::RegisterEntryId;
use super::extract::{Caller, Change, OnRecord, one, routes_of};
use super::model::{Paged, RegisterEntry, RegisterListEntry, RegisterUpdate};
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
    params(crate::lists::RegisterListQuery),
    responses((status = 200, body = Paged<RegisterListEntry>), Refusals))]
async fn list_register(
    c: Caller,
    super::extract::ApiQuery(q): super::extract::ApiQuery<crate::lists::RegisterListQuery>,
) -> AppResult<Json<Paged<RegisterListEntry>>> {
    let (filter, ask) = q.parse(&c.st, &c.u).await??;
    Ok(Json(super::convert::paged(
        &c.st.store.register_page(&filter, &ask).await?,
    )?))
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
