//! The ISM's and the CISO's dashboard: the numbers of their services, checks, re-checks,
//! corrective actions, expiring certificates and waiting applications, each with the link to
//! the list behind it.

use super::Forbidden;
use super::extract::{ApiQuery, Caller, routes_of};
use crate::dashboard::{self as ops, Dashboard};
use crate::error::{AppResult, ErrorBody};
use crate::state::AppState;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    routes_of!(dashboard)
}

/// The dashboard's query.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct DashboardQuery {
    /// Only this org unit and its subtree (one the caller may see); empty for all they may.
    pub org_unit: String,
}

/// The CISO sees the whole city, an ISM the units they are ISM over; anyone else is refused.
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "dashboard", params(DashboardQuery),
    responses((status = 200, body = Dashboard), Forbidden,
        (status = 422, description = "An unknown org unit (`invalid_input`)", body = ErrorBody)))]
async fn dashboard(c: Caller, ApiQuery(q): ApiQuery<DashboardQuery>) -> AppResult<Json<Dashboard>> {
    Ok(Json(ops::view(&c.st, &c.u, Some(&q.org_unit)).await?))
}
