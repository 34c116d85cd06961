//! The JSON API under `/api/v1/`: everything the pages do, for scripts and other systems.
//! Authenticate with `Authorization: Bearer <token>` or a browser session plus `X-CSRF-Token`.

use crate::applications as apps;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::people::{self, OrgUnitInput, RoleInput, UserInput};
use crate::policies;
use crate::services::{self as svcs, CloseAccountInput};
use crate::state::AppState;
use crate::web::Path;
use crate::{register, review};
use axum::extract::{FromRequest, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use gaibu_domain::account::AccountInput;
use gaibu_domain::application::ApplicationInput;
use gaibu_domain::evaluation::Evaluation;
use gaibu_domain::ledger::{LedgerInput, RetireInput};
use gaibu_domain::procurement::Procurement;
use gaibu_domain::review::DecisionInput;
use gaibu_domain::sheet::{Answer, Answers};
use gaibu_store::{
    AccountRow, ApplicationRow, NotificationRow, OrgUnitRow, PolicyRow, RegisterFields,
    RegisterRow, RoundRow, ServiceRow, UserRow,
};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

/// JSON bodies whose rejections answer with the API's error shape, checked for control
/// characters and size like every other input.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;
    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, AppError> {
        let Json(v) = Json::<serde_json::Value>::from_request(req, state).await?;
        crate::error::check_json_text(&v)?;
        serde_json::from_value(v).map(ApiJson).map_err(|e| {
            tracing::debug!(error = %e, "JSON of the wrong shape");
            AppError::Refused(crate::error::ErrorCode::MalformedJson)
        })
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/me", get(me))
        .route("/org-units", get(org_units).post(create_org_unit))
        .route("/users", get(users).post(create_user))
        .route("/users/{id}/roles", post(assign_role))
        .route("/policies", get(list_policies))
        .route("/policies/{id}", get(get_policy))
        .route("/policies/{id}/approve", post(approve_policy))
        .route(
            "/applications",
            get(list_applications).post(create_application),
        )
        .route(
            "/applications/{id}",
            get(get_application).put(update_application),
        )
        .route("/applications/{id}/self-check", put(save_self_check))
        .route("/applications/{id}/approve", post(approve_application))
        .route("/applications/{id}/evaluation", put(save_evaluation))
        .route("/applications/{id}/procurement", put(save_procurement))
        .route("/applications/{id}/submit", post(submit_application))
        .route("/applications/{id}/decision", post(decide_application))
        .route("/applications/{id}/rounds", get(list_rounds))
        .route("/applications/reuse", post(reuse_application))
        .route("/catalogue", get(catalogue_search))
        .route("/register", get(list_register))
        .route("/register/{id}", get(get_register).put(update_register))
        .route("/notifications", get(list_notifications))
        .route("/notifications/read", post(read_notifications))
        .route("/services", get(list_services))
        .route("/services/{id}", get(get_service))
        .route("/services/{id}/ledger", post(register_in_ledger))
        .route("/services/{id}/retire", post(retire_service))
        .route(
            "/services/{id}/accounts",
            get(list_accounts).post(add_account),
        )
        .route("/services/{id}/history", get(service_history))
        .route("/accounts/{id}/close", post(close_account))
        .fallback(not_found)
}

async fn not_found() -> AppError {
    AppError::NotFound
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub user: UserRow,
    pub roles: Vec<gaibu_store::RoleRow>,
    /// Send this as `X-CSRF-Token` on state changes made with the browser session.
    pub csrf_token: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
async fn me(u: CurrentUser) -> Json<Me> {
    Json(Me {
        user: u.user.clone(),
        roles: u.roles.clone(),
        csrf_token: u.csrf.clone(),
    })
}

#[utoipa::path(get, path = "/api/v1/org-units", responses((status = 200, body = Vec<OrgUnitRow>)))]
async fn org_units(
    State(st): State<AppState>,
    _u: CurrentUser,
) -> AppResult<Json<Vec<OrgUnitRow>>> {
    Ok(Json(st.store.org_units().await?))
}

#[utoipa::path(post, path = "/api/v1/org-units", request_body = OrgUnitInput,
    responses((status = 201, body = OrgUnitRow), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_org_unit(
    State(st): State<AppState>,
    u: CurrentUser,
    ApiJson(input): ApiJson<OrgUnitInput>,
) -> AppResult<Response> {
    people::require_system_administrator(&st, &u, "org_unit.create").await?;
    let row = people::create_org_unit(&st, &u.who(), &input).await?;
    Ok((StatusCode::CREATED, Json(row)).into_response())
}

#[utoipa::path(get, path = "/api/v1/users", responses((status = 200, body = Vec<UserRow>), (status = 403, body = ErrorBody)))]
async fn users(State(st): State<AppState>, u: CurrentUser) -> AppResult<Json<Vec<UserRow>>> {
    people::require_system_administrator(&st, &u, "user.list").await?;
    Ok(Json(st.store.users().await?))
}

#[derive(Serialize, ToSchema)]
pub struct CreatedUser {
    pub user: UserRow,
    /// Present only when the password was generated: shown once.
    pub generated_password: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/users", request_body = UserInput,
    responses((status = 201, body = CreatedUser), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_user(
    State(st): State<AppState>,
    u: CurrentUser,
    ApiJson(input): ApiJson<UserInput>,
) -> AppResult<Response> {
    people::require_system_administrator(&st, &u, "user.create").await?;
    let (user, generated_password) = people::create_user(&st, &u.who(), &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedUser {
            user,
            generated_password,
        }),
    )
        .into_response())
}

#[utoipa::path(post, path = "/api/v1/users/{id}/roles", request_body = RoleInput,
    responses((status = 201, body = gaibu_store::RoleRow), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn assign_role(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<RoleInput>,
) -> AppResult<Response> {
    people::require_system_administrator(&st, &u, "role.assign").await?;
    let row = people::assign_role(&st, &u.who(), id, &input).await?;
    Ok((StatusCode::CREATED, Json(row)).into_response())
}

#[utoipa::path(get, path = "/api/v1/policies", responses((status = 200, body = Vec<PolicyRow>)))]
async fn list_policies(
    State(st): State<AppState>,
    _u: CurrentUser,
) -> AppResult<Json<Vec<PolicyRow>>> {
    Ok(Json(policies::list(&st).await?))
}

#[derive(Serialize, ToSchema)]
pub struct PolicyView {
    #[serde(flatten)]
    pub row: PolicyRow,
    /// The TOML source.
    pub content: String,
}

#[utoipa::path(get, path = "/api/v1/policies/{id}", responses((status = 200, body = PolicyView), (status = 404, body = ErrorBody)))]
async fn get_policy(
    State(st): State<AppState>,
    _u: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<PolicyView>> {
    let (row, _) = policies::get(&st, id).await?;
    Ok(Json(PolicyView {
        content: row.content.clone(),
        row,
    }))
}

#[utoipa::path(post, path = "/api/v1/policies/{id}/approve",
    responses((status = 200, body = PolicyRow), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn approve_policy(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<PolicyRow>> {
    Ok(Json(policies::approve(&st, &u, id).await?))
}

/// An application as the API shows it: its stored row with fields and answers as objects.
#[derive(Serialize, ToSchema)]
pub struct ApplicationView {
    pub id: i64,
    pub state: String,
    pub track: String,
    pub applicant_id: i64,
    pub org_unit_id: i64,
    #[schema(value_type = Object)]
    pub fields: serde_json::Value,
    #[schema(value_type = Object)]
    pub answers: serde_json::Value,
    pub classification_policy_id: i64,
    pub sheet_policy_id: Option<i64>,
    pub approved_by: Option<i64>,
    pub approved_at: Option<i64>,
    pub snapshot_sha256: Option<String>,
    pub service_id: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Send it back with every change (optimistic versioning).
    pub version: i64,
    #[schema(value_type = Object)]
    pub evaluation: serde_json::Value,
    #[schema(value_type = Object)]
    pub procurement: serde_json::Value,
    /// Submissions so far (class 2+).
    pub round: i64,
    /// The ISM's reason for the last return or rejection.
    pub decision_reason: Option<String>,
}

async fn view(st: &AppState, row: ApplicationRow) -> AppResult<ApplicationView> {
    let service_id = st.store.service_of_application(row.id).await?.map(|s| s.id);
    Ok(ApplicationView {
        fields: serde_json::from_str(&row.fields).unwrap_or_default(),
        answers: serde_json::from_str(&row.answers).unwrap_or_default(),
        id: row.id,
        state: row.state,
        track: row.track,
        applicant_id: row.applicant_id,
        org_unit_id: row.org_unit_id,
        classification_policy_id: row.classification_policy_id,
        sheet_policy_id: row.sheet_policy_id,
        approved_by: row.approved_by,
        approved_at: row.approved_at,
        snapshot_sha256: row.snapshot_sha256,
        service_id,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
        evaluation: serde_json::from_str(&row.evaluation).unwrap_or_default(),
        procurement: serde_json::from_str(&row.procurement).unwrap_or_default(),
        round: row.round,
        decision_reason: row.decision_reason,
    })
}

#[utoipa::path(get, path = "/api/v1/applications", responses((status = 200, body = Vec<ApplicationView>)))]
async fn list_applications(
    State(st): State<AppState>,
    u: CurrentUser,
) -> AppResult<Json<Vec<ApplicationView>>> {
    let mut out = Vec::new();
    for row in apps::list(&st, &u).await? {
        out.push(view(&st, row).await?);
    }
    Ok(Json(out))
}

#[utoipa::path(post, path = "/api/v1/applications", request_body = ApplicationInput,
    responses((status = 201, body = ApplicationView), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn create_application(
    State(st): State<AppState>,
    u: CurrentUser,
    ApiJson(input): ApiJson<ApplicationInput>,
) -> AppResult<Response> {
    let row = apps::create(&st, &u, &input).await?;
    Ok((StatusCode::CREATED, Json(view(&st, row).await?)).into_response())
}

#[utoipa::path(get, path = "/api/v1/applications/{id}", responses((status = 200, body = ApplicationView), (status = 404, body = ErrorBody)))]
async fn get_application(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<ApplicationView>> {
    let row = apps::get(&st, &u, id).await?;
    Ok(Json(view(&st, row).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct VersionedApplication {
    pub version: i64,
    #[serde(flatten)]
    pub input: ApplicationInput,
}

#[utoipa::path(put, path = "/api/v1/applications/{id}", request_body = VersionedApplication,
    responses((status = 200, body = ApplicationView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_application(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<VersionedApplication>,
) -> AppResult<Json<ApplicationView>> {
    let row = apps::update(&st, &u, id, body.version, &body.input).await?;
    Ok(Json(view(&st, row).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct SelfCheckBody {
    pub version: i64,
    /// Answers by sheet item id.
    pub answers: std::collections::BTreeMap<String, Answer>,
}

#[utoipa::path(put, path = "/api/v1/applications/{id}/self-check", request_body = SelfCheckBody,
    responses((status = 200, body = ApplicationView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn save_self_check(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<SelfCheckBody>,
) -> AppResult<Json<ApplicationView>> {
    let answers: Answers = body.answers;
    let row = apps::save_self_check(&st, &u, id, body.version, &answers).await?;
    Ok(Json(view(&st, row).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct VersionBody {
    pub version: i64,
}

#[derive(Serialize, ToSchema)]
pub struct Approved {
    pub application: ApplicationView,
    pub service: ServiceRow,
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/approve", request_body = VersionBody,
    responses((status = 200, body = Approved), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn approve_application(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<VersionBody>,
) -> AppResult<Json<Approved>> {
    let (app, service) = apps::approve(&st, &u, id, body.version).await?;
    Ok(Json(Approved {
        application: view(&st, app).await?,
        service,
    }))
}

#[utoipa::path(get, path = "/api/v1/services", responses((status = 200, body = Vec<ServiceRow>)))]
async fn list_services(
    State(st): State<AppState>,
    _u: CurrentUser,
) -> AppResult<Json<Vec<ServiceRow>>> {
    Ok(Json(svcs::list(&st).await?))
}

#[utoipa::path(get, path = "/api/v1/services/{id}", responses((status = 200, body = ServiceRow), (status = 404, body = ErrorBody)))]
async fn get_service(
    State(st): State<AppState>,
    _u: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<ServiceRow>> {
    Ok(Json(svcs::get(&st, id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct VersionedLedger {
    pub version: i64,
    #[serde(flatten)]
    pub input: LedgerInput,
}

#[utoipa::path(post, path = "/api/v1/services/{id}/ledger", request_body = VersionedLedger,
    responses((status = 200, body = ServiceRow), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn register_in_ledger(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<VersionedLedger>,
) -> AppResult<Json<ServiceRow>> {
    Ok(Json(
        svcs::register_in_ledger(&st, &u, id, b.version, &b.input).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct VersionedRetire {
    pub version: i64,
    #[serde(flatten)]
    pub input: RetireInput,
}

#[utoipa::path(post, path = "/api/v1/services/{id}/retire", request_body = VersionedRetire,
    responses((status = 200, body = ServiceRow), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn retire_service(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<VersionedRetire>,
) -> AppResult<Json<ServiceRow>> {
    Ok(Json(svcs::retire(&st, &u, id, b.version, &b.input).await?))
}

#[utoipa::path(get, path = "/api/v1/services/{id}/accounts", responses((status = 200, body = Vec<AccountRow>), (status = 403, body = ErrorBody)))]
async fn list_accounts(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<AccountRow>>> {
    let s = svcs::get(&st, id).await?;
    match svcs::accounts(&st, &u, &s).await? {
        Some(a) => Ok(Json(a)),
        None => {
            let r =
                gaibu_domain::Refusal::Forbidden(crate::error::ErrorCode::AccountsHidden.as_str());
            Err(crate::audit_denial::refuse(&st, &u, r, "account.list", "service", Some(id)).await)
        }
    }
}

#[utoipa::path(post, path = "/api/v1/services/{id}/accounts", request_body = AccountInput,
    responses((status = 201, body = AccountRow), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_account(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AccountInput>,
) -> AppResult<Response> {
    let row = svcs::add_account(&st, &u, id, &input).await?;
    Ok((StatusCode::CREATED, Json(row)).into_response())
}

#[utoipa::path(post, path = "/api/v1/accounts/{id}/close", request_body = CloseAccountInput,
    responses((status = 200, body = AccountRow), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn close_account(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<CloseAccountInput>,
) -> AppResult<Json<AccountRow>> {
    Ok(Json(svcs::close_account(&st, &u, id, &input).await?))
}

#[derive(Serialize, ToSchema)]
pub struct HistoryEvent {
    pub seq: i64,
    pub at_ms: i64,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    #[schema(value_type = Object)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Object)]
    pub after: Option<serde_json::Value>,
    pub hash: String,
}

#[utoipa::path(get, path = "/api/v1/services/{id}/history", responses((status = 200, body = Vec<HistoryEvent>), (status = 404, body = ErrorBody)))]
async fn service_history(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<HistoryEvent>>> {
    let s = svcs::get(&st, id).await?;
    // The contents (applications' answers, account addresses) only for those who may read
    // them; everyone else sees who did what, when.
    let full = svcs::may_view_accounts(&u, &s, &crate::auth::org_tree(&st).await?);
    let parse = |s: &Option<String>| {
        if !full {
            return None;
        }
        s.as_deref().and_then(|s| serde_json::from_str(s).ok())
    };
    Ok(Json(
        st.store
            .service_history(s.id, s.application_id)
            .await?
            .into_iter()
            .map(|e| HistoryEvent {
                before: parse(&e.before),
                after: parse(&e.after),
                seq: e.seq,
                at_ms: e.at_ms,
                actor: e.actor_login,
                action: e.action,
                entity: e.entity,
                entity_id: e.entity_id,
                hash: e.hash,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct VersionedEvaluation {
    pub version: i64,
    #[serde(flatten)]
    pub evaluation: Evaluation,
}

#[utoipa::path(put, path = "/api/v1/applications/{id}/evaluation", request_body = VersionedEvaluation,
    responses((status = 200, body = ApplicationView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn save_evaluation(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<VersionedEvaluation>,
) -> AppResult<Json<ApplicationView>> {
    let row = review::save_evaluation(&st, &u, id, b.version, &b.evaluation).await?;
    Ok(Json(view(&st, row).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct VersionedProcurement {
    pub version: i64,
    #[serde(flatten)]
    pub procurement: Procurement,
}

#[utoipa::path(put, path = "/api/v1/applications/{id}/procurement", request_body = VersionedProcurement,
    responses((status = 200, body = ApplicationView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn save_procurement(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<VersionedProcurement>,
) -> AppResult<Json<ApplicationView>> {
    let row = review::save_procurement(&st, &u, id, b.version, &b.procurement).await?;
    Ok(Json(view(&st, row).await?))
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/submit", request_body = VersionBody,
    responses((status = 200, body = ApplicationView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn submit_application(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<VersionBody>,
) -> AppResult<Json<ApplicationView>> {
    let row = review::submit(&st, &u, id, b.version).await?;
    Ok(Json(view(&st, row).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct VersionedDecision {
    pub version: i64,
    #[serde(flatten)]
    pub decision: DecisionInput,
}

#[derive(Serialize, ToSchema)]
pub struct Decided {
    pub application: ApplicationView,
    /// The approved service, when approved.
    pub service: Option<ServiceRow>,
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/decision", request_body = VersionedDecision,
    responses((status = 200, body = Decided), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn decide_application(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<VersionedDecision>,
) -> AppResult<Json<Decided>> {
    let (app, service) = review::decide(&st, &u, id, b.version, &b.decision).await?;
    Ok(Json(Decided {
        application: view(&st, app).await?,
        service,
    }))
}

#[utoipa::path(get, path = "/api/v1/applications/{id}/rounds", responses((status = 200, body = Vec<RoundRow>), (status = 404, body = ErrorBody)))]
async fn list_rounds(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<RoundRow>>> {
    Ok(Json(review::rounds(&st, &u, id).await?))
}

#[utoipa::path(get, path = "/api/v1/register", responses((status = 200, body = Vec<RegisterRow>)))]
async fn list_register(
    State(st): State<AppState>,
    u: CurrentUser,
) -> AppResult<Json<Vec<RegisterRow>>> {
    Ok(Json(register::list(&st, &u).await?))
}

#[utoipa::path(get, path = "/api/v1/register/{id}", responses((status = 200, body = RegisterRow), (status = 404, body = ErrorBody)))]
async fn get_register(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<RegisterRow>> {
    Ok(Json(register::get(&st, &u, id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct VersionedRegister {
    pub version: i64,
    #[serde(flatten)]
    pub fields: RegisterFields,
}

#[utoipa::path(put, path = "/api/v1/register/{id}", request_body = VersionedRegister,
    responses((status = 200, body = RegisterRow), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_register(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<VersionedRegister>,
) -> AppResult<Json<RegisterRow>> {
    Ok(Json(
        register::update(&st, &u, id, b.version, &b.fields).await?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct Notifications {
    pub unread: i64,
    pub items: Vec<NotificationRow>,
}

#[utoipa::path(get, path = "/api/v1/notifications", responses((status = 200, body = Notifications)))]
async fn list_notifications(
    State(st): State<AppState>,
    u: CurrentUser,
) -> AppResult<Json<Notifications>> {
    Ok(Json(Notifications {
        unread: st.store.unread_count(u.user.id).await?,
        items: st.store.notifications(u.user.id, 100).await?,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct ReadBody {
    /// One notification; all of them when absent.
    #[serde(default)]
    pub id: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/notifications/read", request_body = ReadBody, responses((status = 204)))]
async fn read_notifications(
    State(st): State<AppState>,
    u: CurrentUser,
    ApiJson(b): ApiJson<ReadBody>,
) -> AppResult<StatusCode> {
    st.store.mark_read(u.user.id, b.id, st.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct ReuseBody {
    /// The approved service whose latest approved evaluation is copied.
    pub service_id: i64,
}

#[utoipa::path(post, path = "/api/v1/applications/reuse", request_body = ReuseBody,
    responses((status = 201, body = ApplicationView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn reuse_application(
    State(st): State<AppState>,
    u: CurrentUser,
    ApiJson(b): ApiJson<ReuseBody>,
) -> AppResult<Response> {
    let row = apps::reuse(&st, &u, b.service_id).await?;
    Ok((StatusCode::CREATED, Json(view(&st, row).await?)).into_response())
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

#[utoipa::path(get, path = "/api/v1/catalogue", params(CatalogueParams), responses((status = 200, body = Vec<crate::catalogue::Entry>)))]
async fn catalogue_search(
    State(st): State<AppState>,
    u: CurrentUser,
    axum::extract::Query(p): axum::extract::Query<CatalogueParams>,
) -> AppResult<Json<Vec<crate::catalogue::Entry>>> {
    crate::error::check_text(&p.q)?;
    Ok(Json(
        crate::catalogue::search(&st, u.user.org_unit_id, &p.q, &p.level).await?,
    ))
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "gaibu API",
        description = "External service governance (外部サービス利用基準). Authenticate with `Authorization: Bearer <token>`."
    ),
    paths(
        me,
        org_units,
        create_org_unit,
        users,
        create_user,
        assign_role,
        list_policies,
        get_policy,
        approve_policy,
        list_applications,
        create_application,
        get_application,
        update_application,
        save_self_check,
        approve_application,
        list_services,
        get_service,
        register_in_ledger,
        retire_service,
        list_accounts,
        add_account,
        close_account,
        service_history,
        save_evaluation,
        save_procurement,
        submit_application,
        decide_application,
        list_rounds,
        list_register,
        get_register,
        update_register,
        list_notifications,
        read_notifications,
        crate::web::evidence::upload_api,
        crate::web::evidence::list_api,
        reuse_application,
        catalogue_search,
        crate::web::contractors_api::mine,
        crate::web::contractors_api::create,
        crate::web::contractors_api::get_one,
        crate::web::contractors_api::save_answers,
        crate::web::contractors_api::submit,
        crate::web::contractors_api::list,
        crate::web::contractors_api::register,
        crate::web::contractors_api::add_person,
        crate::web::contractors_api::verify,
        crate::web::evidence::contractor_upload_api,
    ),
    components(schemas(ErrorBody, Answer))
)]
pub struct ApiDoc;

pub async fn openapi_json() -> Response {
    Json(ApiDoc::openapi()).into_response()
}
