//! The end of use of a class-2+ service through the API (S7.1-1…6, S3.7-2, S3.7-3): the
//! termination of a service, its steps, and the requests waiting for the ISM.

use super::extract::{
    ApiMultipart, ApiQuery, Caller, Change, OnRecord, parts_then, routes_of, versioned,
};
use super::model::Paged;
use super::{Conflicts, Forbidden, Refusals, ServiceId};
use crate::error::AppResult;
use crate::state::AppState;
use crate::terminations::{self as ops, View};
use axum::Json;
use axum::extract::{DefaultBodyLimit, FromRequest, Request};
use axum::response::Response;
use gaibu_domain::service_life::MeasureStatus;
use gaibu_domain::termination::{
    DateInput, DecisionInput, Disposal, DisposalInput, MeasuresInput, RequestInput,
    TerminationCapabilities, TerminationState,
};
use gaibu_store::TerminationRow;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

pub fn routes(max_upload: usize) -> OpenApiRouter<AppState> {
    routes_of!(disposal_certificate)
        .layer(DefaultBodyLimit::max(max_upload + 256 * 1024))
        .merge(routes_of!(
            get_termination, request_termination; decide; retire_ledger; end_register;
            record_disposal; record_measures; complete; proof; waiting
        ))
}

/// A service's end of use: where it stands, what is missing, who may do what.
#[derive(Debug, Serialize, ToSchema)]
pub struct TerminationView {
    pub service_id: i64,
    pub service_name: String,
    /// `class1` (retired directly, S7.2) or `class2plus` (terminated, S7.1).
    pub track: String,
    pub ledger_status: Option<String>,
    pub termination: Option<TerminationRecord>,
    pub capabilities: TerminationCapabilities,
    /// What is still missing before completion (stable codes), once accepted.
    pub missing: Vec<String>,
    /// Who acts next: `next_administrator_request`, `next_ism_decide`,
    /// `next_administrator_steps`, `next_ism_register` or `next_none`.
    pub next: String,
    /// The official accounts still open (S7.1-5).
    pub open_accounts: Vec<String>,
    /// S3.7-1a–c: the end-of-use measures and their recorded status (S3.7-2).
    pub measures: Vec<MeasureView>,
    /// S7.1-3: the usage-register entry's end date.
    pub register_ended_on: Option<String>,
    /// S3.7-3: the service holds highly confidential information (住民情報等).
    pub highly_confidential: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TerminationRecord {
    pub id: i64,
    pub version: i64,
    pub state: TerminationState,
    pub reason: String,
    pub planned_end_on: String,
    pub requested_by: i64,
    pub requested_at: String,
    pub decided_by: Option<i64>,
    pub decision_reason: Option<String>,
    pub ledger_retired_on: Option<String>,
    pub register_ended_on: Option<String>,
    pub disposal: Option<Disposal>,
    pub proof: Option<ProofFile>,
    pub completed_by: Option<i64>,
    pub completed_at: Option<String>,
    pub completion_note: Option<String>,
}

/// The proof file of a disposal (the provider's deletion certificate).
#[derive(Debug, Serialize, ToSchema)]
pub struct ProofFile {
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeasureView {
    pub id: String,
    pub clause: String,
    pub text_ja: String,
    pub text_en: String,
    pub status: Option<MeasureStatus>,
    pub note: String,
}

fn record(t: &TerminationRow) -> TerminationRecord {
    let proof = match (&t.proof_filename, &t.proof_sha256) {
        (Some(filename), Some(sha256)) => Some(ProofFile {
            filename: filename.clone(),
            content_type: t.proof_content_type.clone().unwrap_or_default(),
            size_bytes: t.proof_size_bytes.unwrap_or(0),
            sha256: sha256.clone(),
        }),
        _ => None,
    };
    TerminationRecord {
        id: t.id,
        version: t.version,
        state: t.state,
        reason: t.reason.clone(),
        planned_end_on: t.planned_end_on.to_string(),
        requested_by: t.requested_by,
        requested_at: t.requested_at.to_string(),
        decided_by: t.decided_by,
        decision_reason: t.decision_reason.clone(),
        ledger_retired_on: t.ledger_retired_on.map(|d| d.to_string()),
        register_ended_on: t.register_ended_on.map(|d| d.to_string()),
        disposal: t.disposal.clone(),
        proof,
        completed_by: t.completed_by,
        completed_at: t.completed_at.map(|d| d.to_string()),
        completion_note: t.completion_note.clone(),
    }
}

impl From<&View> for TerminationView {
    fn from(v: &View) -> Self {
        let recorded = v.t.as_ref().map(|t| &t.end_of_use);
        TerminationView {
            service_id: v.s.id,
            service_name: v.s.name.clone(),
            track: v.s.track.as_str().to_string(),
            ledger_status: v.s.ledger_status.map(|s| s.as_str().to_string()),
            termination: v.t.as_ref().map(record),
            capabilities: v.caps,
            missing: v.missing.iter().map(|m| m.to_string()).collect(),
            next: v.next().to_string(),
            open_accounts: v
                .open_accounts
                .iter()
                .map(|a| a.account_id.clone())
                .collect(),
            measures: v
                .measures
                .iter()
                .map(|m| {
                    let r = recorded.and_then(|r| r.get(&m.id));
                    MeasureView {
                        id: m.id.clone(),
                        clause: m.clause.clone(),
                        text_ja: m.text_ja.clone(),
                        text_en: m.text_en.clone(),
                        status: r.map(|r| r.status),
                        note: r.map(|r| r.note.clone()).unwrap_or_default(),
                    }
                })
                .collect(),
            register_ended_on: v
                .register
                .as_ref()
                .and_then(|e| e.ended_on)
                .map(|d| d.to_string()),
            highly_confidential: v.highly_confidential,
        }
    }
}

async fn answer(c: &OnRecord) -> AppResult<Json<TerminationView>> {
    let v = ops::view(&c.st, &c.u, c.id).await?;
    Ok(Json(TerminationView::from(&v)))
}

#[utoipa::path(get, path = "/api/v1/services/{id}/termination", tag = "services",
    params(ServiceId), responses((status = 200, body = TerminationView), Refusals))]
async fn get_termination(c: OnRecord) -> AppResult<Json<TerminationView>> {
    answer(&c).await
}

/// S7.1-1: the administrator applies to the ISM (no version: a new request, or one returned).
#[utoipa::path(post, path = "/api/v1/services/{id}/termination", tag = "services",
    params(ServiceId), request_body = RequestInput,
    responses((status = 200, body = TerminationView), Refusals))]
async fn request_termination(c: Change<RequestInput>) -> AppResult<Json<TerminationView>> {
    ops::request(&c.st, &c.u, c.id, &c.body).await?;
    answer(&c.head).await
}

versioned! { VersionedDecision { #[serde(flatten)] input: DecisionInput } }

/// The ISM over the service's unit accepts or returns the request.
#[utoipa::path(post, path = "/api/v1/services/{id}/termination/decision", tag = "services",
    params(ServiceId), request_body = VersionedDecision,
    responses((status = 200, body = TerminationView), Refusals))]
async fn decide(c: Change<VersionedDecision>) -> AppResult<Json<TerminationView>> {
    ops::decide(&c.st, &c.u, c.id, c.body.version, &c.body.input).await?;
    answer(&c.head).await
}

versioned! { VersionedDate { #[serde(flatten)] input: DateInput } }

/// S7.1-2: the administrator changes the ledger to 廃止済み (`on`: the day).
#[utoipa::path(post, path = "/api/v1/services/{id}/termination/ledger", tag = "services",
    params(ServiceId), request_body = VersionedDate,
    responses((status = 200, body = TerminationView), Refusals))]
async fn retire_ledger(c: Change<VersionedDate>) -> AppResult<Json<TerminationView>> {
    ops::retire_ledger(&c.st, &c.u, c.id, c.body.version, &c.body.input).await?;
    answer(&c.head).await
}

/// S7.1-3: the ISM marks the usage-register entry ended (`on`: the day).
#[utoipa::path(post, path = "/api/v1/services/{id}/termination/register", tag = "services",
    params(ServiceId), request_body = VersionedDate,
    responses((status = 200, body = TerminationView), Refusals))]
async fn end_register(c: Change<VersionedDate>) -> AppResult<Json<TerminationView>> {
    ops::end_register(&c.st, &c.u, c.id, c.body.version, &c.body.input).await?;
    answer(&c.head).await
}

versioned! { VersionedDisposal { #[serde(flatten)] input: DisposalInput } }

/// S7.1-4, S3.7-3: the disposal record without a file (the deletion of the encryption key);
/// a deletion certificate goes to `…/disposal/certificate`.
#[utoipa::path(post, path = "/api/v1/services/{id}/termination/disposal", tag = "services",
    params(ServiceId), request_body = VersionedDisposal,
    responses((status = 200, body = TerminationView), Refusals))]
async fn record_disposal(c: Change<VersionedDisposal>) -> AppResult<Json<TerminationView>> {
    ops::record_disposal(&c.st, &c.u, c.id, c.body.version, &c.body.input, None).await?;
    answer(&c.head).await
}

/// The multipart form of a disposal with the provider's deletion certificate.
#[derive(ToSchema)]
#[allow(dead_code)] // documents the form only
pub struct DisposalForm {
    #[schema(minimum = 1)]
    pub version: i64,
    /// The deletion certificate: PDF, image or text.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// `provider_certificate` (or `key_deletion`, with the key's log as the file).
    pub method: String,
    pub disposed_on: String,
    pub key_reference: Option<String>,
    pub note: Option<String>,
    /// `yes` / `no`
    pub stored_encrypted: Option<String>,
    pub data_returned_on: Option<String>,
    pub data_return_note: Option<String>,
}

struct DisposalUpload {
    c: OnRecord,
    pairs: Vec<(String, String)>,
    file: Option<crate::evidence::Upload>,
}

impl FromRequest<AppState> for DisposalUpload {
    type Rejection = crate::error::AppError;
    async fn from_request(req: Request, st: &AppState) -> AppResult<Self> {
        let (c, ApiMultipart(mp)) = parts_then(req, st).await?;
        let (pairs, file) = ops::read_form_with_file(st, mp).await?;
        Ok(DisposalUpload { c, pairs, file })
    }
}

#[utoipa::path(post, path = "/api/v1/services/{id}/termination/disposal/certificate",
    tag = "services", params(ServiceId),
    request_body(content = DisposalForm, content_type = "multipart/form-data"),
    responses((status = 200, body = TerminationView), Refusals))]
async fn disposal_certificate(u: DisposalUpload) -> AppResult<Json<TerminationView>> {
    let version = ops::version_of(&u.pairs)?;
    let input = ops::disposal_of(&u.pairs);
    ops::record_disposal(&u.c.st, &u.c.u, u.c.id, version, &input, u.file).await?;
    answer(&u.c).await
}

versioned! { VersionedMeasures { #[serde(flatten)] input: MeasuresInput } }

/// S3.7-2: the end-of-use measures' statuses, by measure id.
#[utoipa::path(post, path = "/api/v1/services/{id}/termination/measures", tag = "services",
    params(ServiceId), request_body = VersionedMeasures,
    responses((status = 200, body = TerminationView), Refusals))]
async fn record_measures(c: Change<VersionedMeasures>) -> AppResult<Json<TerminationView>> {
    ops::record_measures(&c.st, &c.u, c.id, c.body.version, &c.body.input).await?;
    answer(&c.head).await
}

versioned! {
    /// S7.1-6: the completion record.
    CompleteBody {
        #[serde(default)]
        note: String,
    }
}

/// S7.1-6: 409 naming what is missing (`termination_accounts_open`,
/// `termination_disposal_missing`, …) while anything is.
#[utoipa::path(post, path = "/api/v1/services/{id}/termination/complete", tag = "services",
    params(ServiceId), request_body = CompleteBody,
    responses((status = 200, body = TerminationView), Conflicts))]
async fn complete(c: Change<CompleteBody>) -> AppResult<Json<TerminationView>> {
    ops::complete(&c.st, &c.u, c.id, c.body.version, &c.body.note).await?;
    answer(&c.head).await
}

#[utoipa::path(get, path = "/api/v1/services/{id}/termination/proof", tag = "services",
    params(ServiceId),
    responses((status = 200, description = "The deletion certificate, as an attachment",
        content_type = "application/octet-stream", body = super::evidence::FileContent),
        Forbidden))]
async fn proof(c: OnRecord) -> AppResult<Response> {
    let (t, content) = ops::proof(&c.st, &c.u, c.id).await?;
    Ok(crate::web::evidence::file_response(
        t.id,
        t.proof_filename.as_deref().unwrap_or("proof"),
        t.proof_content_type
            .as_deref()
            .unwrap_or("application/octet-stream"),
        content,
    ))
}

/// One termination of the list.
#[derive(Debug, Serialize, ToSchema)]
pub struct TerminationListEntry {
    pub id: i64,
    pub service_id: i64,
    pub service_name: String,
    pub provider: String,
    pub org_unit_id: i64,
    pub confidentiality: String,
    /// `requested`, `returned`, `accepted` or `completed`.
    pub state: String,
    pub reason: String,
    pub planned_end_on: String,
    pub requested_by: i64,
    pub requested_at: String,
    pub version: i64,
}

/// The terminations of the units the caller is ISM over (by default those waiting for them),
/// filtered and paged.
#[utoipa::path(get, path = "/api/v1/terminations", tag = "services",
    params(crate::lists::lifecycle::TerminationListQuery),
    responses((status = 200, body = Paged<TerminationListEntry>), Refusals))]
async fn waiting(
    c: Caller,
    ApiQuery(q): ApiQuery<crate::lists::lifecycle::TerminationListQuery>,
) -> AppResult<Json<Paged<TerminationListEntry>>> {
    let p = ops::list(&c.st, &c.u, &q).await??;
    Ok(Json(Paged {
        items: p
            .items
            .iter()
            .map(|t| TerminationListEntry {
                id: t.id,
                service_id: t.service_id,
                service_name: t.service_name.clone(),
                provider: t.provider.clone(),
                org_unit_id: t.org_unit_id,
                confidentiality: t.confidentiality.clone(),
                state: t.state.as_str().to_string(),
                reason: t.reason.clone(),
                planned_end_on: t.planned_end_on.to_string(),
                requested_by: t.requested_by,
                requested_at: t.requested_at.to_string(),
                version: t.version,
            })
            .collect(),
        next_cursor: p.next_cursor(),
    }))
}
