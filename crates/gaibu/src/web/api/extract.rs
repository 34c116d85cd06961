//! What every API handler shares: the caller (state and signed-in user), the record named by
//! the path, JSON and multipart bodies whose rejections answer in the API's error shape, the
//! record version of a change, and the answers (`Json` of the API's types, `201 Created`).

use super::convert;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::state::AppState;
use crate::web::Path;
use axum::extract::{FromRequest, FromRequestParts, Multipart, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::{Json, RequestExt};
use gaibu_domain::sheet::Answer;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// What every handler starts from: the state and the signed-in user (401 without one).
pub struct Caller {
    pub st: AppState,
    pub u: CurrentUser,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> AppResult<Self> {
        let u = CurrentUser::from_request_parts(parts, st).await?;
        Ok(Caller { st: st.clone(), u })
    }
}

/// The caller and the record named by the path's `{id}` (404 when it is not a number).
pub struct OnRecord {
    pub st: AppState,
    pub u: CurrentUser,
    pub id: i64,
}

impl FromRequestParts<AppState> for OnRecord {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> AppResult<Self> {
        let Caller { st, u } = Caller::from_request_parts(parts, st).await?;
        let Path(id) = Path::<i64>::from_request_parts(parts, &st).await?;
        Ok(OnRecord { st, u, id })
    }
}

/// What the request's head gives (`H`: `Caller` or `OnRecord`, whose fields it derefs to),
/// then its JSON body.
pub struct WithJson<H, B> {
    pub head: H,
    pub body: B,
}

/// The caller and the JSON body, for a request whose path names no record.
pub type Sent<B> = WithJson<Caller, B>;

/// A change to the record named by the path's `{id}`: the caller, the id and the JSON body.
pub type Change<B> = WithJson<OnRecord, B>;

impl<H, B> std::ops::Deref for WithJson<H, B> {
    type Target = H;
    fn deref(&self) -> &H {
        &self.head
    }
}

impl<H, B> FromRequest<AppState> for WithJson<H, B>
where
    H: FromRequestParts<AppState, Rejection = AppError> + Send,
    B: DeserializeOwned + Send,
{
    type Rejection = AppError;
    async fn from_request(req: Request, st: &AppState) -> AppResult<Self> {
        let (head, ApiJson(body)) = parts_then(req, st).await?;
        Ok(WithJson { head, body })
    }
}

/// What the request's head gives (`P`, e.g. the caller), then what its body gives (`B`).
pub async fn parts_then<P, B>(req: Request, st: &AppState) -> AppResult<(P, B)>
where
    P: FromRequestParts<AppState, Rejection = AppError>,
    B: FromRequest<AppState, Rejection = AppError>,
{
    let (mut parts, body) = req.into_parts();
    let head = P::from_request_parts(&mut parts, st).await?;
    let body = B::from_request(Request::from_parts(parts, body), st).await?;
    Ok((head, body))
}

/// JSON bodies whose rejections answer with the API's error shape, checked for control
/// characters and size like every other input.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let Json(v) = Json::<serde_json::Value>::from_request(req, state).await?;
        // Every body the API documents is an object: serde would take a struct from an array.
        if !v.is_object() {
            return Err(AppError::Refused(ErrorCode::MalformedJson));
        }
        crate::error::check_json_text(&v)?;
        check_version(&v)?;
        serde_json::from_value(v).map(ApiJson).map_err(|e| {
            tracing::debug!(error = %e, "JSON of the wrong shape");
            AppError::Refused(ErrorCode::MalformedJson)
        })
    }
}

/// A record version is a positive integer: anything else is a malformed request (400), not a
/// stale one (409).
fn check_version(v: &serde_json::Value) -> Result<(), AppError> {
    match v.get("version") {
        None => Ok(()),
        Some(n) if n.as_i64().is_some_and(|n| n >= 1) => Ok(()),
        Some(_) => Err(AppError::Refused(ErrorCode::InvalidVersion)),
    }
}

/// A multipart body; one without a boundary or otherwise unreadable is a 400 in the API's
/// error shape.
pub struct ApiMultipart(pub Multipart);

impl<S: Send + Sync> FromRequest<S> for ApiMultipart {
    type Rejection = AppError;
    async fn from_request(req: Request, _state: &S) -> Result<Self, AppError> {
        req.extract::<Multipart, _>()
            .await
            .map(ApiMultipart)
            .map_err(|r| {
                tracing::debug!(rejection = %r, "malformed multipart body");
                AppError::Refused(ErrorCode::MalformedMultipart)
            })
    }
}

/// The version of the record a change is based on (optimistic versioning).
#[derive(Debug, Deserialize, ToSchema)]
pub struct VersionBody {
    /// The `version` of the record as last read.
    #[schema(minimum = 1)]
    pub version: i64,
}

/// `201 Created` with the new record.
pub struct Created<T>(pub T);

impl<T: serde::Serialize> IntoResponse for Created<T> {
    fn into_response(self) -> Response {
        (StatusCode::CREATED, Json(self.0)).into_response()
    }
}

impl<T> From<Json<T>> for Created<T> {
    fn from(Json(body): Json<T>) -> Self {
        Created(body)
    }
}

/// A row as the API's type.
pub fn one<'a, R, T: TryFrom<&'a R, Error = AppError>>(row: &'a R) -> AppResult<Json<T>> {
    T::try_from(row).map(Json)
}

/// Rows as the API's type.
pub fn many<'a, R, T: TryFrom<&'a R, Error = AppError>>(rows: &'a [R]) -> AppResult<Json<Vec<T>>> {
    convert::all(rows).map(Json)
}

/// Query parameters whose rejection answers in the API's error shape.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequestParts<S>
    for ApiQuery<T>
{
    type Rejection = AppError;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, AppError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|r| {
                tracing::debug!(rejection = %r, "malformed query");
                AppError::Refused(ErrorCode::MalformedQuery)
            })
    }
}

/// A change's body: the record's `version` first, then the fields given (with their
/// attributes, e.g. `#[serde(flatten)]` for all the fields of another type).
macro_rules! versioned {
    ($(#[$doc:meta])* $name:ident { $($(#[$attr:meta])* $field:ident: $t:ty),* $(,)? }) => {
        $(#[$doc])*
        #[derive(serde::Deserialize, utoipa::ToSchema)]
        pub struct $name {
            #[schema(minimum = 1)]
            pub version: i64,
            $($(#[$attr])* pub $field: $t,)*
        }
    };
    ($($name:ident),+ => $fields:tt) => {
        $(versioned! { $name $fields })+
    };
}
pub(super) use versioned;

// Answers to a requirement sheet: the class-1 self-check, a contractor's sheet.
versioned! {
    SelfCheckBody, AnswersBody => {
        /// Answers by sheet item id.
        answers: BTreeMap<String, Answer>,
    }
}

/// An `OpenApiRouter` of the handlers, documented: `;` separates the paths, `,` the methods of
/// one path (one `routes!` each).
macro_rules! routes_of {
    ($($($handler:ident),+);+ $(;)?) => {
        utoipa_axum::router::OpenApiRouter::new()
            $(.routes(utoipa_axum::routes!($($handler),+)))+
    };
}
pub(super) use routes_of;
