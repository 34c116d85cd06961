//! The deadlines a write opens, moves or closes (periodic checks, re-checks, corrective actions,
//! orders): what the reminders are sent from, kept in the write's transaction.

use crate::write::Write;
use crate::{Result, StoreError};
use gaibu_domain::deadline::DeadlineKind;
use jiff::civil::Date;

/// Something due on a day, and who is reminded of it.
pub(crate) struct Deadline<'a> {
    pub kind: DeadlineKind,
    pub subject_id: i64,
    pub service_id: Option<i64>,
    pub due_on: Date,
    pub recipients: &'a [i64],
}

impl Write<'_> {
    /// Opens (or moves) the deadline of `kind` for `subject_id`: due on `due_on`, reminding
    /// `recipients`. A deadline moved to a new date gets its reminders afresh.
    pub(crate) async fn deadline(&mut self, d: &Deadline<'_>) -> Result<()> {
        let recipients = serde_json::to_string(d.recipients)
            .map_err(|e| StoreError::Corrupt(format!("recipients: {e}")))?;
        sqlx::query(
            "INSERT INTO deadlines (kind, subject_id, service_id, due_on, recipients, opened_at) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (kind, subject_id) DO UPDATE SET due_on = excluded.due_on, \
             recipients = excluded.recipients, service_id = excluded.service_id, closed_at = NULL",
        )
        .bind(d.kind.as_str())
        .bind(d.subject_id)
        .bind(d.service_id)
        .bind(d.due_on.to_string())
        .bind(recipients)
        .bind(self.now.as_millisecond())
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Closes the deadline of `kind` for `subject_id` (done, or no longer due).
    #[allow(dead_code)] // used by the records that set due dates as they land
    pub(crate) async fn close_deadline(
        &mut self,
        kind: DeadlineKind,
        subject_id: i64,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE deadlines SET closed_at = $1 \
             WHERE kind = $2 AND subject_id = $3 AND closed_at IS NULL",
        )
        .bind(self.now.as_millisecond())
        .bind(kind.as_str())
        .bind(subject_id)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Closes every open deadline of a service (it ended: nothing more is due).
    pub(crate) async fn close_deadlines_of_service(&mut self, service_id: i64) -> Result<()> {
        sqlx::query(
            "UPDATE deadlines SET closed_at = $1 WHERE service_id = $2 AND closed_at IS NULL",
        )
        .bind(self.now.as_millisecond())
        .bind(service_id)
        .execute(self.conn())
        .await?;
        Ok(())
    }
}
