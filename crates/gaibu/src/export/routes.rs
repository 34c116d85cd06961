//! The export routes: `GET {list}/export` beside each exportable list page, in the reader's
//! language and date style, and `GET /api/v1/{list}/export` in the JSON API (documented in
//! the OpenAPI document; the file in the user's language and date style).

use super::columns::ListKind;
use super::http::download;
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::state::AppState;
use crate::web::Path;
use crate::web::pages::Cx;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use axum::routing::get;
use utoipa_axum::router::OpenApiRouter;

async fn page(cx: Cx, list: (ListKind, Option<i64>), q: Option<String>) -> AppResult<Response> {
    let qs = q.as_deref().unwrap_or("");
    download(&cx.st, &cx.u, cx.t(), list, qs, "web").await
}

/// The pages' download routes.
pub fn routes() -> Router<AppState> {
    let mut r = Router::new();
    for kind in ListKind::ALL {
        let path = format!("{}/export", kind.path());
        r = if kind.of_record() {
            r.route(
                &path,
                get(move |cx: Cx, Path(id): Path<i64>, RawQuery(q): RawQuery| {
                    page(cx, (kind, Some(id)), q)
                }),
            )
        } else {
            r.route(
                &path,
                get(move |cx: Cx, RawQuery(q): RawQuery| page(cx, (kind, None), q)),
            )
        };
    }
    r
}

/// An API download of a list (of one record, for a service's accounts), in the user's
/// language and date style.
pub(super) async fn api_of(
    st: &AppState,
    u: &CurrentUser,
    list: (ListKind, Option<i64>),
    q: Option<String>,
) -> AppResult<Response> {
    let t = Tr::new(u.lang).with_dates(u.date_style);
    download(st, u, t, list, q.as_deref().unwrap_or(""), "api").await
}

async fn api(
    st: &AppState,
    u: &CurrentUser,
    kind: ListKind,
    q: Option<String>,
) -> AppResult<Response> {
    api_of(st, u, (kind, None), q).await
}

/// The file format of an export.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the parameter; the handler reads the raw query
pub(super) struct ExportFormat {
    /// `xlsx` (default: an Excel workbook, dates as date cells), `csv` (UTF-8 with a byte-order
    /// mark) or `csv-sjis` (Shift_JIS, CP932: a character it cannot hold is written as its
    /// closest form or `?`, and counted in the audit event).
    format: String,
}

pub(super) const FILES: &str = "The whole list, filtered and sorted as the list's own query asks \
    (`limit` and `cursor` are ignored), in the signed-in user's language and date style; \
    text that a spreadsheet would run as a formula is never written as one. Audited \
    (`list.exported`).";

#[utoipa::path(get, path = "/api/v1/services/export", tag = "services",
    description = FILES,
    params(ExportFormat, crate::lists::ServiceListQuery),
    responses((status = 200, description = "The ledger as a file",
        content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/csv")))))]
async fn export_services(
    State(st): State<AppState>,
    u: CurrentUser,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    api(&st, &u, ListKind::Services, q).await
}

#[utoipa::path(get, path = "/api/v1/register/export", tag = "register",
    description = FILES,
    params(ExportFormat, crate::lists::RegisterListQuery),
    responses((status = 200, description = "The usage register as a file, columns ア–ク of S5.2.1-5 first",
        content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/csv")))))]
async fn export_register(
    State(st): State<AppState>,
    u: CurrentUser,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    api(&st, &u, ListKind::Register, q).await
}

#[utoipa::path(get, path = "/api/v1/applications/export", tag = "applications",
    description = FILES,
    params(ExportFormat, crate::lists::ApplicationListQuery),
    responses((status = 200, description = "The applications as a file",
        content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/csv")))))]
async fn export_applications(
    State(st): State<AppState>,
    u: CurrentUser,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    api(&st, &u, ListKind::Applications, q).await
}

#[utoipa::path(get, path = "/api/v1/checks/export", tag = "measures",
    description = FILES,
    params(ExportFormat, crate::lists::lifecycle::DueCheckListQuery),
    responses((status = 200, description = "The periodic checks due as a file",
        content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/csv")))))]
async fn export_checks(
    State(st): State<AppState>,
    u: CurrentUser,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    api(&st, &u, ListKind::Checks, q).await
}

/// The API's download routes, with their documentation.
pub fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(utoipa_axum::routes!(export_services))
        .routes(utoipa_axum::routes!(export_register))
        .routes(utoipa_axum::routes!(export_applications))
        .routes(utoipa_axum::routes!(export_checks))
        .merge(super::routes_lifecycle::api_routes())
}
