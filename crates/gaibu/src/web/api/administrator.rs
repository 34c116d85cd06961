//! The change of a service's External Service Administrator (S3.4c, S5.2.1-5h).

use super::extract::{Change, one, routes_of, versioned};
use super::model::Service;
use super::{Refusals, ServiceId};
use crate::error::AppResult;
use crate::state::AppState;
use axum::Json;
use gaibu_domain::administrator::AdministratorInput;
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    routes_of!(change_administrator)
}

versioned! { VersionedAdministrator { #[serde(flatten)] input: AdministratorInput } }

/// The ISM over the service's unit (class 2+) or an Information Manager etc. over it (class 1)
/// names a new administrator; the usage register's ク changes with it, both administrators are
/// told.
#[utoipa::path(post, path = "/api/v1/services/{id}/administrator", tag = "services",
    params(ServiceId), request_body = VersionedAdministrator,
    responses((status = 200, body = Service), Refusals))]
async fn change_administrator(c: Change<VersionedAdministrator>) -> AppResult<Json<Service>> {
    let (s, _) =
        crate::administrator::change(&c.st, &c.u, c.id, c.body.version, &c.body.input).await?;
    one(&s)
}
