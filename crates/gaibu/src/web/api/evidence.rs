//! Evidence files (S3.2c) through the API: upload to an application or a contractor's
//! submission (multipart, with the larger body limit), the list, and the content.

use super::convert;
use super::extract::{ApiMultipart, created};
use super::model::{Evidence, SubmissionEvidence};
use crate::auth::CurrentUser;
use crate::error::{AppResult, ErrorBody};
use crate::evidence as ops;
use crate::state::AppState;
use crate::web::Path;
use crate::web::evidence::file_response;
use axum::Json;
use axum::extract::{DefaultBodyLimit, State};
use axum::response::Response;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The routes; uploads may carry a file of up to `max_upload` bytes.
pub fn routes(max_upload: usize) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload, list))
        .routes(routes!(contractor_upload))
        .layer(DefaultBodyLimit::max(max_upload + 256 * 1024))
        .routes(routes!(content))
}

/// A stored file's bytes.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct FileContent(#[allow(dead_code)] Vec<u8>);

/// The multipart form of an evidence upload.
#[derive(ToSchema)]
#[allow(dead_code)] // documents the form only
pub struct EvidenceForm {
    /// The file: PDF, image, text or Office document.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// The sheet item or `evaluation.<field>` it supports; empty for the application as a whole.
    pub item_key: Option<String>,
    /// A certificate's or report's expiry date, `YYYY-MM-DD`.
    pub expires_on: Option<String>,
    pub note: Option<String>,
}

/// The multipart form of a contractor's evidence upload.
#[derive(ToSchema)]
#[allow(dead_code)] // documents the form only
pub struct SubmissionEvidenceForm {
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    pub expires_on: Option<String>,
    pub note: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/evidence", tag = "evidence",
    params(("id" = i64, Path, description = "Application id")),
    request_body(content = EvidenceForm, content_type = "multipart/form-data"),
    responses((status = 201, body = Evidence), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn upload(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    ApiMultipart(mp): ApiMultipart,
) -> AppResult<Response> {
    let up = ops::read_upload(mp).await?;
    let row = ops::add(&st, &u, id, up).await?;
    Ok(created(Evidence::try_from(&row)?))
}

#[utoipa::path(get, path = "/api/v1/applications/{id}/evidence", tag = "evidence",
    params(("id" = i64, Path, description = "Application id")),
    responses((status = 200, body = Vec<Evidence>)))]
async fn list(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<Evidence>>> {
    crate::applications::get(&st, &u, id).await?;
    Ok(Json(convert::all(&st.store.evidence_of(id).await?)?))
}

#[utoipa::path(get, path = "/api/v1/evidence/{id}/content", tag = "evidence",
    params(("id" = i64, Path, description = "Evidence id")),
    responses((status = 200, description = "The file, as an attachment with its type",
        content_type = "application/octet-stream", body = FileContent)))]
async fn content(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let (e, bytes) = ops::download(&st, &u, id).await?;
    Ok(file_response(e.id, &e.filename, &e.content_type, bytes))
}

#[utoipa::path(post, path = "/api/v1/contractor/submissions/{id}/evidence", tag = "evidence",
    params(("id" = i64, Path, description = "Submission id")),
    request_body(content = SubmissionEvidenceForm, content_type = "multipart/form-data"),
    responses((status = 201, body = SubmissionEvidence), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn contractor_upload(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    ApiMultipart(mp): ApiMultipart,
) -> AppResult<Response> {
    let up = ops::read_upload(mp).await?;
    let row = crate::contractors::add_evidence(&st, &u, id, up).await?;
    Ok(created(SubmissionEvidence::try_from(&row)?))
}
