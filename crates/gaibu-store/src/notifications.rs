//! In-app notifications, written in the same transaction as the event they report.

use crate::{NotificationRow, Result, Store, ms};
use sqlx::{AnyConnection, Row};

pub(crate) struct NewNotification<'a> {
    pub user_id: i64,
    pub kind: &'a str,
    pub application_id: Option<i64>,
    pub service_id: Option<i64>,
    pub subject: &'a str,
}

pub(crate) async fn notify(
    conn: &mut AnyConnection,
    n: &NewNotification<'_>,
    now: jiff::Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO notifications (user_id, kind, application_id, service_id, subject, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(n.user_id)
    .bind(n.kind)
    .bind(n.application_id)
    .bind(n.service_id)
    .bind(n.subject)
    .bind(ms(now))
    .execute(conn)
    .await?;
    Ok(())
}

const COLUMNS: &str = "id, user_id, kind, application_id, service_id, subject, created_at, read_at";

impl Store {
    pub async fn notifications(&self, user_id: i64, limit: i64) -> Result<Vec<NotificationRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM notifications WHERE user_id = $1 ORDER BY id DESC LIMIT $2"
        ))
        .bind(user_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn unread_count(&self, user_id: i64) -> Result<i64> {
        Ok(sqlx::query(
            "SELECT COUNT(*) AS n FROM notifications WHERE user_id = $1 AND read_at IS NULL",
        )
        .bind(user_id)
        .fetch_one(&self.pool)
        .await?
        .try_get("n")?)
    }

    /// Marks one (or, with `None`, every) notification of the user as read.
    pub async fn mark_read(
        &self,
        user_id: i64,
        id: Option<i64>,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let q = match id {
            Some(_) => {
                "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND id = $3 AND read_at IS NULL"
            }
            None => {
                "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL AND $3 = $3"
            }
        };
        sqlx::query(q)
            .bind(ms(now))
            .bind(user_id)
            .bind(id.unwrap_or(0))
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
