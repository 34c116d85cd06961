//! The JSON API under `/api/v1/`: everything the pages do, for scripts and other systems.
//! Authenticate with `Authorization: Bearer <token>` or a browser session plus `X-CSRF-Token`.
//!
//! Every route is registered with its OpenAPI operation (`utoipa_axum::routes!`), so the
//! router and the document at `/api/openapi.json` are built from one list. Answers are the
//! API's own types (`model`, converted from rows in `convert` only), never storage rows;
//! every error is the JSON `ErrorBody`, including unknown paths (404 `route_not_found`) and
//! methods a route does not have (405 `method_not_allowed`, with `Allow`).

mod administrator;
mod applications;
mod contractors;
mod convert;
mod credentials;
mod dashboard;
mod directory;
mod evidence;
mod extract;
mod imports;
mod ismap;
mod measures;
pub mod model;
mod notifications;
mod people;
mod policies;
mod rechecks;
mod register;
mod review;
mod rotation;
mod services;
mod terminations;

pub(crate) use extract::OnRecord;

use crate::error::{AppError, ErrorBody};
use crate::state::AppState;
use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{any, get};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{
    ContentBuilder, OpenApi as OpenApiDoc, Ref, ResponseBuilder, SecurityRequirement,
};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "gaibu API",
        description = "External service governance (外部サービス利用基準). Authenticate with \
            `Authorization: Bearer <token>` (`gaibu user token --login …`), or with the browser \
            session cookie plus `X-CSRF-Token` (from `GET /api/v1/me`) on changes. Changes carry \
            the record's `version`; a stale one is answered 409 `stale_version`. Every error is \
            `{\"error\": {\"code\", \"message\": {\"ja\", \"en\"}, \"fields\", \"items\"}}`."
    ),
    components(schemas(ErrorBody)),
    modifiers(&Security),
    tags(
        (name = "applications", description = "Applications, the class-1 track and the catalogue"),
        (name = "review", description = "The class-2+ track: evaluation, submission, decision"),
        (name = "services", description = "The ledger, retirement and official accounts"),
        (name = "measures", description = "Build-time measures, rules, periodic checks (S3.5, S3.6)"),
        (name = "register", description = "サービス利用状況 (the usage register)"),
        (name = "policies", description = "Policy versions and their approval"),
        (name = "people", description = "The signed-in user; org units, users and roles"),
        (name = "notifications", description = "The signed-in user's notifications"),
        (name = "evidence", description = "Evidence files"),
        (name = "contractors", description = "Contractors' sheets and their verification (S5.3)"),
        (name = "rechecks", description = "Re-checks, corrective actions and check orders (S6)"),
        (name = "dashboard", description = "The ISM's and the CISO's dashboard"),
        (name = "ismap", description = "The ISMAP lists: import, cross-check, flagged services"),
        (name = "imports", description = "Ledger and usage-register files brought in (issue 11)"),
        (name = "directory", description = "The city's LDAP directory: settings, dry run and sync"),
        (name = "rotation", description = "The personnel rotation: moves, successors, leavers' accounts"),
    )
)]
struct ApiDoc;

/// Bearer tokens and the session cookie, either of which authenticates every operation.
struct Security;

impl Modify for Security {
    fn modify(&self, doc: &mut OpenApiDoc) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API token: `gaibu user token --login <login>`"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::SESSION_COOKIE,
                "The browser session; changes also need the `X-CSRF-Token` header",
            ))),
        );
        doc.security = Some(vec![
            SecurityRequirement::new("bearer", Vec::<String>::new()),
            SecurityRequirement::new("session", Vec::<String>::new()),
        ]);
    }
}

/// Adds the answers any operation can give, whatever its handler: 401 without
/// authentication, 404 for a missing record (or a contractor's person outside their own
/// paths), and for requests with a body or query 400 (malformed JSON or multipart, control
/// characters, a bad `version`) and, on changes, 403 (a cross-site request, a missing CSRF
/// token).
fn add_common_responses(doc: &mut OpenApiDoc) {
    for item in doc.paths.paths.values_mut() {
        let ops = [
            (false, item.get.as_mut()),
            (true, item.post.as_mut()),
            (true, item.put.as_mut()),
            (true, item.patch.as_mut()),
            (true, item.delete.as_mut()),
        ];
        for (change, op) in ops {
            let Some(op) = op else { continue };
            let has_input =
                op.request_body.is_some()
                    || op.parameters.iter().flatten().any(|p| {
                        matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query)
                    });
            let mut add = |status: &str, description: &str| {
                op.responses
                    .responses
                    .entry(status.to_string())
                    .or_insert_with(|| error_response(description));
            };
            add("401", "Not authenticated (`unauthenticated`)");
            add("404", "No such record (`not_found`)");
            if has_input {
                add(
                    "400",
                    "Malformed request: JSON, multipart, query, control characters or `version`",
                );
            }
            let has_query = op
                .parameters
                .iter()
                .flatten()
                .any(|p| matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query));
            if !change && has_query {
                // A list's filter or page value it does not know, named in `error.fields`.
                add(
                    "422",
                    "A query value the list does not know (`invalid_input`)",
                );
            }
            if change {
                add(
                    "403",
                    "Refused: the role or state does not allow it, or a cross-site request or CSRF failure",
                );
            }
        }
    }
}

/// The `{id}` of a path, a type for each kind of record, for `params(...)` in `#[utoipa::path]`
/// (`OnRecord` and `Change` read it).
macro_rules! path_ids {
    ($($name:ident: $description:literal;)*) => {$(
        #[derive(utoipa::IntoParams)]
        #[into_params(parameter_in = Path)]
        #[allow(dead_code)] // documents the parameter only
        pub struct $name {
            #[doc = $description]
            id: i64,
        }
    )*};
}

path_ids! {
    AccountId: "Account id";
    ApplicationId: "Application id";
    ContractorId: "Contractor id";
    EvidenceId: "Evidence id";
    PolicyId: "Policy version id";
    RegisterEntryId: "Register entry id";
    ServiceId: "Service id";
    SubmissionId: "Submission id";
    UserId: "User id";
}

/// Sets of error answers an operation documents itself (with the error body and no
/// description), for `responses(...)` in `#[utoipa::path]`.
macro_rules! error_sets {
    ($($(#[$doc:meta])* $name:ident: $($status:literal),+;)*) => {$(
        $(#[$doc])*
        pub struct $name;

        impl utoipa::IntoResponses for $name {
            fn responses() -> std::collections::BTreeMap<
                String,
                utoipa::openapi::RefOr<utoipa::openapi::Response>,
            > {
                [$($status),+].into_iter().map(|s| (s.to_string(), error_response(""))).collect()
            }
        }
    )*};
}

error_sets! {
    /// A change refused (403), on a stale version (409) or with invalid input (422).
    Refusals: "403", "409", "422";
    /// A decision refused (403) or on a stale version (409).
    Conflicts: "403", "409";
    /// Refused to the signed-in user (403).
    Forbidden: "403";
}

fn error_response(description: &str) -> utoipa::openapi::RefOr<utoipa::openapi::Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build()
        .into()
}

/// Every API route with its documentation.
fn documented(max_upload: usize) -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(people::routes())
        .merge(directory::routes())
        .merge(credentials::routes())
        .merge(policies::routes())
        .merge(applications::routes())
        .merge(review::routes())
        .merge(services::routes())
        .merge(administrator::routes())
        .merge(measures::routes())
        .merge(register::routes())
        .merge(notifications::routes())
        .merge(contractors::routes())
        .merge(rechecks::routes())
        .merge(dashboard::routes())
        .merge(ismap::routes())
        .merge(evidence::routes(max_upload))
        .merge(terminations::routes(max_upload))
        .merge(crate::export::api_routes())
        .merge(imports::routes())
        .merge(rotation::routes())
}

/// The OpenAPI document as served.
pub fn openapi() -> OpenApiDoc {
    let (_, mut doc) = documented(0).split_for_parts();
    add_common_responses(&mut doc);
    doc
}

/// The API's routes under `/api/`, the document at `/api/openapi.json`, and JSON answers for
/// unknown paths and methods.
pub fn router(max_upload: usize) -> Router<AppState> {
    let (routes, mut doc) = documented(max_upload).split_for_parts();
    add_common_responses(&mut doc);
    let json = doc.to_json().unwrap_or_else(|e| {
        tracing::error!(error = %e, "the OpenAPI document does not serialize");
        String::from("{}")
    });
    routes
        .method_not_allowed_fallback(method_not_allowed)
        .route(
            "/api/openapi.json",
            get(move || async move { ([(header::CONTENT_TYPE, "application/json")], json) }),
        )
        .route("/api/{*rest}", any(unknown_route))
}

async fn method_not_allowed() -> impl IntoResponse {
    AppError::MethodNotAllowed
}

async fn unknown_route() -> impl IntoResponse {
    AppError::RouteNotFound
}
