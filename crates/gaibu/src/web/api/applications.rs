//! Applications: drafting, the class-1 self-check and approval, reuse of an approved
//! evaluation, and the catalogue of services one may use.

use super::extract::{ApiJson, ApiQuery, VersionBody, created};
use super::model::{Application, Service};
use crate::applications as ops;
use crate::auth::CurrentUser;
use crate::error::{AppResult, ErrorBody};
use crate::state::AppState;
use crate::web::Path;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use gaibu_domain::application::ApplicationInput;
use gaibu_domain::sheet::Answer;
use gaibu_store::ApplicationRow;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_applications, create_application))
        .routes(routes!(get_application, update_application))
        .routes(routes!(save_self_check))
        .routes(routes!(approve_application))
        .routes(routes!(reuse_application))
        .routes(routes!(catalogue_search))
}

/// The application as the API shows it, with the service approved from it.
pub async fn view(st: &AppState, row: &ApplicationRow) -> AppResult<Application> {
    let service_id = st.store.service_of_application(row.id).await?.map(|s| s.id);
    Application::new(row, service_id)
}

#[utoipa::path(get, path = "/api/v1/applications", tag = "applications",
    responses((status = 200, body = Vec<Application>)))]
async fn list_applications(
    State(st): State<AppState>,
    u: CurrentUser,
) -> AppResult<Json<Vec<Application>>> {
    let mut out = Vec::new();
    for row in ops::list(&st, &u).await? {
        out.push(view(&st, &row).await?);
    }
    Ok(Json(out))
}

#[utoipa::path(post, path = "/api/v1/applications", tag = "applications", request_body = ApplicationInput,
    responses((status = 201, body = Application), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_application(
    State(st): State<AppState>,
    u: CurrentUser,
    ApiJson(input): ApiJson<ApplicationInput>,
) -> AppResult<Response> {
    let row = ops::create(&st, &u, &input).await?;
    Ok(created(view(&st, &row).await?))
}

#[utoipa::path(get, path = "/api/v1/applications/{id}", tag = "applications",
    params(("id" = i64, Path, description = "Application id")),
    responses((status = 200, body = Application)))]
async fn get_application(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<Application>> {
    let row = ops::get(&st, &u, id).await?;
    Ok(Json(view(&st, &row).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct VersionedApplication {
    #[schema(minimum = 1)]
    pub version: i64,
    #[serde(flatten)]
    pub input: ApplicationInput,
}

#[utoipa::path(put, path = "/api/v1/applications/{id}", tag = "applications", request_body = VersionedApplication,
    params(("id" = i64, Path, description = "Application id")),
    responses((status = 200, body = Application), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_application(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<VersionedApplication>,
) -> AppResult<Json<Application>> {
    let row = ops::update(&st, &u, id, body.version, &body.input).await?;
    Ok(Json(view(&st, &row).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct SelfCheckBody {
    #[schema(minimum = 1)]
    pub version: i64,
    /// Answers by sheet item id.
    pub answers: BTreeMap<String, Answer>,
}

#[utoipa::path(put, path = "/api/v1/applications/{id}/self-check", tag = "applications", request_body = SelfCheckBody,
    params(("id" = i64, Path, description = "Application id")),
    responses((status = 200, body = Application), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn save_self_check(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<SelfCheckBody>,
) -> AppResult<Json<Application>> {
    let row = ops::save_self_check(&st, &u, id, body.version, &body.answers).await?;
    Ok(Json(view(&st, &row).await?))
}

#[derive(Serialize, ToSchema)]
pub struct Approved {
    pub application: Application,
    pub service: Service,
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/approve", tag = "applications", request_body = VersionBody,
    params(("id" = i64, Path, description = "Application id")),
    responses((status = 200, body = Approved), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn approve_application(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<VersionBody>,
) -> AppResult<Json<Approved>> {
    let (app, service) = ops::approve(&st, &u, id, body.version).await?;
    Ok(Json(Approved {
        application: view(&st, &app).await?,
        service: Service::try_from(&service)?,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct ReuseBody {
    /// The approved service whose latest approved evaluation is copied.
    pub service_id: i64,
}

#[utoipa::path(post, path = "/api/v1/applications/reuse", tag = "applications", request_body = ReuseBody,
    responses((status = 201, body = Application), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn reuse_application(
    State(st): State<AppState>,
    u: CurrentUser,
    ApiJson(b): ApiJson<ReuseBody>,
) -> AppResult<Response> {
    let row = ops::reuse(&st, &u, b.service_id).await?;
    Ok(created(view(&st, &row).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct CatalogueParams {
    /// Words of the service's or provider's name.
    #[serde(default)]
    pub q: String,
    /// A confidentiality level code: each entry then says whether it may be used for it.
    #[serde(default)]
    pub level: String,
}

#[utoipa::path(get, path = "/api/v1/catalogue", tag = "applications", params(CatalogueParams),
    responses((status = 200, body = Vec<crate::catalogue::Entry>)))]
async fn catalogue_search(
    State(st): State<AppState>,
    u: CurrentUser,
    ApiQuery(p): ApiQuery<CatalogueParams>,
) -> AppResult<Json<Vec<crate::catalogue::Entry>>> {
    crate::error::check_text(&p.q)?;
    crate::error::check_text(&p.level)?;
    Ok(Json(
        crate::catalogue::search(&st, u.user.org_unit_id, &p.q, &p.level).await?,
    ))
}
