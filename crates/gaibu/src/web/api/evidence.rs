//! Evidence files (S3.2c) through the API: upload to an application or a contractor's
//! submission (multipart, with the larger body limit), the list, and the content.

use super::Refusals;
use super::extract::{ApiMultipart, Created, OnRecord, many, one, parts_then, routes_of};
use super::model::{Evidence, SubmissionEvidence};
use super::{ApplicationId, EvidenceId, SubmissionId};
use crate::error::{AppError, AppResult};
use crate::evidence as ops;
use crate::state::AppState;
use crate::web::evidence::download;
use axum::Json;
use axum::extract::{DefaultBodyLimit, FromRequest, Request};
use axum::response::Response;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The routes; uploads may carry a file of up to `max_upload` bytes.
pub fn routes(max_upload: usize) -> OpenApiRouter<AppState> {
    routes_of!(upload, list; contractor_upload)
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

/// An upload to the record named by the path's `{id}`: the caller, the id and the file.
struct Uploaded {
    c: OnRecord,
    up: ops::Upload,
}

impl FromRequest<AppState> for Uploaded {
    type Rejection = AppError;
    async fn from_request(req: Request, st: &AppState) -> AppResult<Self> {
        let (c, ApiMultipart(mp)) = parts_then(req, st).await?;
        let up = ops::read_upload(st, mp).await?;
        Ok(Uploaded { c, up })
    }
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/evidence", tag = "evidence",
    params(ApplicationId),
    request_body(content = EvidenceForm, content_type = "multipart/form-data"),
    responses((status = 201, body = Evidence), Refusals))]
async fn upload(Uploaded { c, up }: Uploaded) -> AppResult<Created<Evidence>> {
    one(&ops::add(&c.st, &c.u, c.id, up).await?).map(Created::from)
}

#[utoipa::path(get, path = "/api/v1/applications/{id}/evidence", tag = "evidence",
    params(ApplicationId), responses((status = 200, body = Vec<Evidence>)))]
async fn list(c: OnRecord) -> AppResult<Json<Vec<Evidence>>> {
    crate::applications::get(&c.st, &c.u, c.id).await?;
    many(&c.st.store.evidence_of(c.id).await?)
}

#[utoipa::path(get, path = "/api/v1/evidence/{id}/content", tag = "evidence", params(EvidenceId),
    responses((status = 200, description = "The file, as an attachment with its type",
        content_type = "application/octet-stream", body = FileContent)))]
async fn content(c: OnRecord) -> AppResult<Response> {
    download(c).await
}

#[utoipa::path(post, path = "/api/v1/contractor/submissions/{id}/evidence", tag = "evidence",
    params(SubmissionId),
    request_body(content = SubmissionEvidenceForm, content_type = "multipart/form-data"),
    responses((status = 201, body = SubmissionEvidence), Refusals))]
async fn contractor_upload(Uploaded { c, up }: Uploaded) -> AppResult<Created<SubmissionEvidence>> {
    let row = crate::contractors::add_evidence(&c.st, &c.u, c.id, up).await?;
    one(&row).map(Created::from)
}
