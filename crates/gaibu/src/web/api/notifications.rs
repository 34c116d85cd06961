//! The signed-in user's notifications.

use super::convert;
use super::extract::{Caller, Sent, routes_of};
use super::model::Notification;
use crate::error::AppResult;
use crate::state::AppState;
use axum::Json;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    routes_of!(list_notifications; read_notifications)
}

#[derive(Serialize, ToSchema)]
pub struct Notifications {
    pub unread: i64,
    /// Newest first, a page at a time.
    pub items: Vec<Notification>,
    /// The `cursor` of the next page; null on the last.
    pub next_cursor: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications",
    params(crate::lists::PageOnly), responses((status = 200, body = Notifications)))]
async fn list_notifications(
    Caller { st, u }: Caller,
    super::extract::ApiQuery(q): super::extract::ApiQuery<crate::lists::PageOnly>,
) -> AppResult<Json<Notifications>> {
    let found = st
        .store
        .notification_page(u.user.id, false, &q.ask()?)
        .await?;
    Ok(Json(Notifications {
        unread: st.store.unread_count(u.user.id).await?,
        items: convert::all(&found.items)?,
        next_cursor: found.next_cursor(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct ReadBody {
    /// One notification; all of them when absent.
    #[serde(default)]
    pub id: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "notifications",
    request_body = ReadBody, responses((status = 204, description = "Marked as read")))]
async fn read_notifications(c: Sent<ReadBody>) -> AppResult<StatusCode> {
    c.st.store
        .mark_read(c.u.user.id, c.body.id, c.st.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
