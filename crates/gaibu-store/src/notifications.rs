//! In-app notifications, written in the same transaction as the event they report.

use crate::batch::Batch;
use crate::codec::reads;
use crate::{NotificationRow, Result, Store};
use sqlx::{AnyConnection, Row};

pub(crate) struct NewNotification<'a> {
    pub user_id: i64,
    pub kind: &'a str,
    pub application_id: Option<i64>,
    pub service_id: Option<i64>,
    pub subject: &'a str,
}

/// Records a notification and, for a user with an e-mail address, queues the e-mail — in the
/// caller's transaction, so neither exists without the event.
pub(crate) async fn notify(
    conn: &mut AnyConnection,
    n: &NewNotification<'_>,
    now: jiff::Timestamp,
) -> Result<()> {
    let mut batch = Batch::default();
    notification_into(&mut batch, n, now);
    batch.run(conn).await
}

/// Adds a notification's statement to a write's batch. Its e-mail, when the user has an
/// address, is queued by the database in the same statement (migration 0021's trigger).
pub(crate) fn notification_into(batch: &mut Batch, n: &NewNotification<'_>, now: jiff::Timestamp) {
    // A newer notice of the same thing replaces an unread older one — the same kind, record and
    // subject (a resubmission; the next reminder of the same deadline): the list shows each
    // thing once, as it now stands. Notices about different deadlines of one service differ in
    // their subject and stay; a notice about no record never replaces another.
    if n.application_id.is_some() || n.service_id.is_some() {
        batch.push(
            "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL \
             AND kind = $3 AND COALESCE(application_id, 0) = $4 \
             AND COALESCE(service_id, 0) = $5 AND subject = $6",
            vec![
                now.into(),
                n.user_id.into(),
                n.kind.into(),
                n.application_id.unwrap_or(0).into(),
                n.service_id.unwrap_or(0).into(),
                n.subject.into(),
            ],
        );
    }
    batch.push(
        "INSERT INTO notifications (user_id, kind, application_id, service_id, subject, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        vec![
            n.user_id.into(),
            n.kind.into(),
            n.application_id.into(),
            n.service_id.into(),
            n.subject.into(),
            now.into(),
        ],
    );
}

/// The record a user opens, whose notices are then read.
#[derive(Debug, Clone, Copy)]
pub enum About {
    Application(i64),
    Service(i64),
}

/// A queued e-mail with what is needed to write it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxItem {
    pub id: i64,
    pub attempts: i64,
    pub kind: String,
    pub subject: String,
    pub application_id: Option<i64>,
    pub service_id: Option<i64>,
    pub email: String,
    pub display_name: String,
    pub lang: String,
}

/// Give up on a message after this many attempts; it stays in the table with its last error.
pub const MAX_ATTEMPTS: i64 = 5;

impl Store {
    /// Leases up to `limit` unsent e-mails to `owner` until `lease_until`. The lease condition is
    /// repeated outside the subquery so that two instances racing for a row cannot both win.
    pub async fn claim_outbox(
        &self,
        owner: &str,
        now: jiff::Timestamp,
        lease_until: jiff::Timestamp,
        limit: i64,
    ) -> Result<Vec<OutboxItem>> {
        let ids: Vec<i64> = sqlx::query(
            "UPDATE email_outbox SET lease_owner = $1, lease_until = $2, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM email_outbox WHERE sent_at IS NULL AND attempts < $3 \
                          AND (lease_until IS NULL OR lease_until < $4) ORDER BY id LIMIT $5) \
             AND sent_at IS NULL AND (lease_until IS NULL OR lease_until < $4) RETURNING id",
        )
        .bind(owner)
        .bind(lease_until.as_millisecond())
        .bind(MAX_ATTEMPTS)
        .bind(now.as_millisecond())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<std::result::Result<_, _>>()?;
        let mut out = Vec::new();
        for id in ids {
            let item: OutboxItem = sqlx::query_as(
                "SELECT o.id, o.attempts, n.kind, n.subject, n.application_id, n.service_id, \
                 u.email, u.display_name, u.lang FROM email_outbox o \
                 JOIN notifications n ON n.id = o.notification_id JOIN users u ON u.id = n.user_id \
                 WHERE o.id = $1 AND o.lease_owner = $2",
            )
            .bind(id)
            .bind(owner)
            .fetch_one(&self.pool)
            .await?;
            out.push(item);
        }
        Ok(out)
    }

    pub async fn outbox_sent(&self, id: i64, owner: &str, now: jiff::Timestamp) -> Result<()> {
        sqlx::query(
            "UPDATE email_outbox SET sent_at = $1, last_error = NULL WHERE id = $2 AND lease_owner = $3",
        )
        .bind(now.as_millisecond())
        .bind(id)
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records a failed attempt; the message is tried again once `retry_at` has passed.
    pub async fn outbox_failed(
        &self,
        id: i64,
        owner: &str,
        error: &str,
        retry_at: jiff::Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE email_outbox SET last_error = $1, lease_until = $2 WHERE id = $3 AND lease_owner = $4",
        )
        .bind(error)
        .bind(retry_at.as_millisecond())
        .bind(id)
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(())
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

    /// Marks as read what the user was told about a record they now open: notices about the
    /// application, or about the service. Answers how many there were.
    pub async fn mark_read_about(
        &self,
        user_id: i64,
        about: About,
        now: jiff::Timestamp,
    ) -> Result<i64> {
        let (column, id) = match about {
            About::Application(id) => ("application_id", id),
            About::Service(id) => ("service_id", id),
        };
        let done = sqlx::query(&format!(
            "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL \
             AND {column} = $3"
        ))
        .bind(now.as_millisecond())
        .bind(user_id)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(i64::try_from(done.rows_affected()).unwrap_or(i64::MAX))
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
            .bind(now.as_millisecond())
            .bind(user_id)
            .bind(id.unwrap_or(0))
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

reads! {
    notifications(user_id: i64, limit: i64) -> list NotificationRow = "SELECT * FROM notifications WHERE user_id = $1 ORDER BY id DESC LIMIT $2";
}
