//! Reminders of what falls due (`deadlines`): which are open, and sending one exactly once.

use crate::notifications::{NewNotification, notify};
use crate::write::Audit;
use crate::{DeadlineRow, Result, Store, Who};
use gaibu_domain::audit::{Action, Entity};
use gaibu_domain::effects::NoticeKind;
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::Row;

/// One reminder to one person, its subject already in their language.
pub struct ReminderNotice {
    pub user_id: i64,
    pub kind: NoticeKind,
    pub subject: String,
}

impl Store {
    /// Open deadlines due on or before `until`, after `after_id` in id order, `limit` at a
    /// time: the scheduler walks them in pages and never holds the whole table.
    pub async fn open_deadlines(
        &self,
        until: Date,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<DeadlineRow>> {
        self.list(
            "SELECT d.*, s.name AS service_name FROM deadlines d \
             LEFT JOIN services s ON s.id = d.service_id \
             WHERE d.closed_at IS NULL AND d.due_on <= $1 AND d.id > $2 \
             ORDER BY d.id LIMIT $3",
            vec![until.into(), after_id.into(), limit.into()],
        )
        .await
    }

    /// The reminders already sent for these deadlines, as (deadline, due day, lead): the
    /// scheduler skips them without taking the writer's turn (an overdue deadline is due
    /// for its reminder on every round until it is closed).
    pub async fn reminders_sent_for(
        &self,
        deadline_ids: &[i64],
    ) -> Result<std::collections::HashSet<(i64, String, String)>> {
        if deadline_ids.is_empty() {
            return Ok(Default::default());
        }
        let mut p = crate::page::Query::new("");
        let ids = p.ids(deadline_ids);
        let sql = format!(
            "SELECT deadline_id, due_on, lead FROM reminders_sent WHERE deadline_id IN {ids}"
        );
        let rows = crate::write::bind_all(sqlx::query(&sql), p.into_vals())
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect::<Result<_, sqlx::Error>>()?)
    }

    /// Sends the reminder `lead` of a deadline as it is due on `due_on`, unless it was sent
    /// already: the row of `reminders_sent` is the claim, taken first in the transaction, so
    /// that of several instances exactly one sends it. Returns whether this call sent it.
    pub async fn send_reminder(
        &self,
        d: &DeadlineRow,
        lead: &str,
        notices: &[ReminderNotice],
        now: Timestamp,
    ) -> Result<bool> {
        let who = Who::system();
        let mut w = self.begin(&who, now).await?;
        let claimed = sqlx::query(
            "INSERT INTO reminders_sent (deadline_id, due_on, lead, sent_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(d.id)
        .bind(d.due_on.to_string())
        .bind(lead)
        .bind(now.as_millisecond())
        .execute(w.conn())
        .await?
        .rows_affected();
        if claimed == 0 {
            return Ok(false);
        }
        for n in notices {
            let note = NewNotification {
                user_id: n.user_id,
                kind: n.kind.as_str(),
                application_id: None,
                service_id: d.service_id,
                subject: &n.subject,
            };
            notify(w.conn(), &note, now).await?;
        }
        let after = serde_json::json!({
            "deadline": d.id, "kind": d.kind, "subject_id": d.subject_id,
            "due_on": d.due_on, "lead": lead,
            "recipients": notices.iter().map(|n| n.user_id).collect::<Vec<_>>(),
        });
        w.audit(Audit {
            action: Action::ReminderSent,
            entity: Entity::Service,
            entity_id: d.service_id,
            service_id: d.service_id,
            before: None,
            after: Some(after.to_string()),
        })
        .await?;
        w.commit().await?;
        Ok(true)
    }

    /// How many reminders were sent for a deadline (for the tests and the service page).
    pub async fn reminders_sent(&self, deadline_id: i64) -> Result<i64> {
        let row: (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM reminders_sent WHERE deadline_id = $1")
                .bind(deadline_id)
                .fetch_one(&self.pool)
                .await?;
        Ok(row.0)
    }
}
