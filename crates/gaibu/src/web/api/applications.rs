//! Applications: drafting, the class-1 self-check and approval, reuse of an approved
//! evaluation, and the catalogue of services one may use.

use super::ApplicationId;
use super::extract::{
    ApiQuery, Caller, Change, Created, OnRecord, SelfCheckBody, Sent, VersionBody, routes_of,
    versioned,
};
use super::model::{Application, ApplicationSummary, Paged, Service};
use super::{Conflicts, Refusals};
use crate::applications as ops;
use crate::auth::{CurrentUser, org_tree};
use crate::error::AppResult;
use crate::state::AppState;
use axum::Json;
use gaibu_domain::application::ApplicationInput;
use gaibu_domain::capability;
use gaibu_domain::role::OrgTree;
use gaibu_store::ApplicationRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    routes_of!(
        list_applications, create_application; get_application, update_application; save_self_check;
        approve_application; reuse_application; catalogue_search
    )
}

/// The application as the API shows it, with the service approved from it and what the caller
/// may do with it now.
pub async fn view(st: &AppState, u: &CurrentUser, row: &ApplicationRow) -> AppResult<Application> {
    view_in(st, u, &org_tree(st).await?, row).await
}

async fn view_in(
    st: &AppState,
    u: &CurrentUser,
    tree: &OrgTree,
    row: &ApplicationRow,
) -> AppResult<Application> {
    let service_id = st.store.service_of_application(row.id).await?.map(|s| s.id);
    let caps = capability::application(&ops::domain(row), &u.actor, tree);
    Application::new(row, service_id, caps)
}

#[utoipa::path(get, path = "/api/v1/applications", tag = "applications",
    params(crate::lists::ApplicationListQuery),
    responses((status = 200, body = Paged<ApplicationSummary>), Refusals))]
async fn list_applications(
    c: Caller,
    super::extract::ApiQuery(q): super::extract::ApiQuery<crate::lists::ApplicationListQuery>,
) -> AppResult<Json<Paged<ApplicationSummary>>> {
    let (filter, ask) = q.parse(&c.st, &c.u).await??;
    Ok(Json(super::convert::paged(
        &c.st.store.application_page(&filter, &ask).await?,
    )?))
}

#[utoipa::path(post, path = "/api/v1/applications", tag = "applications",
    request_body = ApplicationInput, responses((status = 201, body = Application), Refusals))]
async fn create_application(c: Sent<ApplicationInput>) -> AppResult<Created<Application>> {
    let row = ops::create(&c.st, &c.u, &c.body).await?;
    view(&c.st, &c.u, &row).await.map(Created)
}

#[utoipa::path(get, path = "/api/v1/applications/{id}", tag = "applications", params(ApplicationId),
    responses((status = 200, body = Application)))]
async fn get_application(c: OnRecord) -> AppResult<Json<Application>> {
    // One read of the org tree serves both who may see it and what they may do.
    let tree = org_tree(&c.st).await?;
    let row = ops::get_in(&c.st, &c.u, c.id, &tree).await?;
    view_in(&c.st, &c.u, &tree, &row).await.map(Json)
}

versioned! { VersionedApplication { #[serde(flatten)] input: ApplicationInput } }

#[utoipa::path(put, path = "/api/v1/applications/{id}", tag = "applications", params(ApplicationId),
    request_body = VersionedApplication, responses((status = 200, body = Application), Refusals))]
async fn update_application(c: Change<VersionedApplication>) -> AppResult<Json<Application>> {
    let row = ops::update(&c.st, &c.u, c.id, c.body.version, &c.body.input).await?;
    view(&c.st, &c.u, &row).await.map(Json)
}

#[utoipa::path(put, path = "/api/v1/applications/{id}/self-check", tag = "applications",
    params(ApplicationId), request_body = SelfCheckBody,
    responses((status = 200, body = Application), Refusals))]
async fn save_self_check(c: Change<SelfCheckBody>) -> AppResult<Json<Application>> {
    let (version, answers) = (c.body.version, &c.body.answers);
    let row = ops::save_self_check(&c.st, &c.u, c.id, version, answers).await?;
    view(&c.st, &c.u, &row).await.map(Json)
}

#[derive(Serialize, ToSchema)]
pub struct Approved {
    pub application: Application,
    pub service: Service,
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/approve", tag = "applications",
    params(ApplicationId), request_body = VersionBody,
    responses((status = 200, body = Approved), Conflicts))]
async fn approve_application(c: Change<VersionBody>) -> AppResult<Json<Approved>> {
    let (app, service) = ops::approve(&c.st, &c.u, c.id, c.body.version).await?;
    Ok(Json(Approved {
        application: view(&c.st, &c.u, &app).await?,
        service: Service::try_from(&service)?,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct ReuseBody {
    /// The approved service whose latest approved evaluation is copied.
    pub service_id: i64,
}

#[utoipa::path(post, path = "/api/v1/applications/reuse", tag = "applications",
    request_body = ReuseBody, responses((status = 201, body = Application), Refusals))]
async fn reuse_application(c: Sent<ReuseBody>) -> AppResult<Created<Application>> {
    let row = ops::reuse(&c.st, &c.u, c.body.service_id).await?;
    view(&c.st, &c.u, &row).await.map(Created)
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct CatalogueParams {
    /// Words of the service's name, provider, ledger entry, purpose or scope of users; each
    /// must match (Japanese words of any length, full-width or half-width).
    #[serde(default)]
    pub q: String,
    /// A confidentiality level code: each entry then says whether it may be used for it.
    #[serde(default)]
    pub level: String,
    /// S1.2: `yes` / `no` for services in / outside the security policy's scope only.
    #[serde(default)]
    pub in_scope: String,
    /// Entries a page (default 50; more than 200 is taken as 200).
    #[serde(default)]
    pub limit: String,
    /// The `next_cursor` of the page before.
    #[serde(default)]
    pub cursor: String,
}

#[utoipa::path(get, path = "/api/v1/catalogue", tag = "applications", params(CatalogueParams),
    responses((status = 200, body = crate::catalogue::CatalogueResults)))]
async fn catalogue_search(
    c: Caller,
    ApiQuery(p): ApiQuery<CatalogueParams>,
) -> AppResult<Json<crate::catalogue::CatalogueResults>> {
    crate::error::check_text(&p.q)?;
    crate::error::check_text(&p.level)?;
    let unit = c.u.user.org_unit_id;
    let ask = crate::catalogue::Ask {
        q: &p.q,
        level: &p.level,
        scope: crate::scope::parse(&p.in_scope)?,
        cursor: &p.cursor,
        limit: match p.limit.trim() {
            "" => None,
            n => Some(n.parse::<i64>().map_err(|_| {
                crate::error::AppError::Invalid(vec![gaibu_domain::FieldError::new(
                    "limit",
                    "invalid_choice",
                )])
            })?),
        },
    };
    Ok(Json(crate::catalogue::search(&c.st, unit, &ask).await?))
}
