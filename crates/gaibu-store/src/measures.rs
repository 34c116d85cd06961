//! A service's security measures after approval: build-time records (S3.5.6), the rules of
//! the operation-time and end-of-use measures (S3.6-1, S3.6-2, S3.7-1), periodic checks and
//! the next due date (S3.6-3).

use crate::codec::{Keyed, decode_rows, reads, to_json};
use crate::write::{About, Change, Deadline, Expect, New, Record, Table, Val};
use crate::{Result, ServiceRow, Store, StoreError, Who};
use gaibu_domain::audit::{Action, Entity};
use gaibu_domain::deadline::DeadlineKind;
use gaibu_domain::effects::Notice;
use gaibu_domain::ledger::LedgerStatus;
use gaibu_domain::measures::{BuildRecord, Check, CheckItem, Managers};
use gaibu_domain::service_life::MeasureStatus;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

/// S3.5.6: one build-time measure of a service as its administrator recorded it.
#[derive(Debug, Clone, Serialize)]
pub struct MeasureRow {
    pub id: i64,
    pub service_id: i64,
    pub measure_id: String,
    pub status: MeasureStatus,
    pub reason: String,
    pub provider_said: String,
    pub evidence: String,
    pub policy_id: i64,
    pub recorded_by: i64,
    pub recorded_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

/// A rule of an operation-time or end-of-use measure, defined for one service.
#[derive(Debug, Clone, Serialize)]
pub struct RuleRow {
    pub id: i64,
    pub service_id: i64,
    pub measure_id: String,
    pub body: String,
    pub policy_id: i64,
    pub defined_by: i64,
    pub defined_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

/// S3.6-3: one periodic check.
#[derive(Debug, Clone, Serialize)]
pub struct CheckRow {
    pub id: i64,
    pub service_id: i64,
    pub checked_on: Date,
    pub summary: String,
    pub items: Vec<CheckItem>,
    pub policy_id: i64,
    pub checked_by: i64,
    pub checked_at: Timestamp,
    pub next_due_on: Option<Date>,
}

fn status(s: &str) -> Option<MeasureStatus> {
    MeasureStatus::parse(s)
}

decode_rows! {
    MeasureRow {
        id: get, service_id: get, measure_id: get, status: named(status), reason: get,
        provider_said: get, evidence: get, policy_id: get, recorded_by: get, recorded_at: ts,
        updated_at: ts, version: get,
    }
    RuleRow {
        id: get, service_id: get, measure_id: get, body: get, policy_id: get, defined_by: get,
        defined_at: ts, updated_at: ts, version: get,
    }
    CheckRow {
        id: get, service_id: get, checked_on: date, summary: get, items: json, policy_id: get,
        checked_by: get, checked_at: ts, next_due_on: opt_date,
    }
}

/// A first record (version 0) that meets one saved meanwhile lost the race: stale.
fn first_save(e: StoreError) -> StoreError {
    match e {
        StoreError::Duplicate(_) => StoreError::Stale,
        other => other,
    }
}

impl Store {
    /// S3.5.6: records (or re-records) one build-time measure. `version` is the record's as the
    /// writer saw it, 0 for none yet; a save over a newer one is `Stale`.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_measure(
        &self,
        who: &Who,
        service_id: i64,
        measure_id: &str,
        version: i64,
        rec: &BuildRecord,
        policy_id: i64,
        now: Timestamp,
    ) -> Result<MeasureRow> {
        let cols: Vec<(&'static str, Val)> = vec![
            ("status", rec.status.as_str().into()),
            ("reason", (&rec.reason).into()),
            ("provider_said", (&rec.provider_said).into()),
            ("evidence", (&rec.evidence).into()),
            ("policy_id", policy_id.into()),
            ("recorded_by", who.user_id.into()),
            ("recorded_at", now.into()),
        ];
        let before = self.measure(service_id, measure_id).await?;
        let at = PerMeasure {
            table: Table::ServiceMeasures,
            service_id,
            measure_id,
            version,
            action: Action::MeasureRecorded,
        };
        self.save_per_measure(who, at, before, cols, now).await
    }

    /// S3.6-1, S3.6-2, S3.7-1: defines (or redefines) a service's rule of one measure.
    #[allow(clippy::too_many_arguments)]
    pub async fn define_rule(
        &self,
        who: &Who,
        service_id: i64,
        measure_id: &str,
        version: i64,
        body: &str,
        policy_id: i64,
        now: Timestamp,
    ) -> Result<RuleRow> {
        let cols: Vec<(&'static str, Val)> = vec![
            ("body", body.into()),
            ("policy_id", policy_id.into()),
            ("defined_by", who.user_id.into()),
            ("defined_at", now.into()),
        ];
        let before = self.rule(service_id, measure_id).await?;
        let at = PerMeasure {
            table: Table::ServiceRules,
            service_id,
            measure_id,
            version,
            action: Action::RuleDefined,
        };
        self.save_per_measure(who, at, before, cols, now).await
    }

    /// A service's record of one measure: created at version 0 when there is none yet (a
    /// second "first" save is `Stale`), else changed if it is still the version the writer saw.
    async fn save_per_measure<T: Record + Keyed>(
        &self,
        who: &Who,
        at: PerMeasure<'_>,
        before: Option<T>,
        cols: Vec<(&'static str, Val)>,
        now: Timestamp,
    ) -> Result<T> {
        let mut w = self.begin(who, now).await?;
        let row = match (at.version, before) {
            (0, None) => {
                let mut cols = cols;
                cols.extend([
                    ("service_id", at.service_id.into()),
                    ("measure_id", at.measure_id.into()),
                    ("updated_at", now.into()),
                ]);
                let new = New {
                    table: at.table.name(),
                    cols,
                    action: at.action,
                    entity: at.table.entity(),
                    entity_id: None,
                    service_id: Some(at.service_id),
                };
                w.create(new).await.map_err(first_save)?
            }
            (v, Some(before)) if v > 0 => {
                let c = Change {
                    table: at.table,
                    expect: Expect::at(before.key(), v, &[]),
                    set: cols,
                    before: &before,
                    action: at.action,
                    service_id: Some(at.service_id),
                };
                w.change(c).await?
            }
            _ => return Err(StoreError::Stale),
        };
        w.commit().await?;
        Ok(row)
    }

    /// 構築中 → 稼働中; the first periodic check falls due (S3.6-3) when the class has one.
    pub async fn put_into_operation(
        &self,
        who: &Who,
        before: &ServiceRow,
        next_due: Option<Date>,
        recipients: &[i64],
        now: Timestamp,
    ) -> Result<ServiceRow> {
        let set = vec![
            ("ledger_status", LedgerStatus::InOperation.as_str().into()),
            ("next_check_due", next_due.map(|d| d.to_string()).into()),
        ];
        let from = [LedgerStatus::Building.as_str()];
        let c = Change {
            table: Table::Services,
            expect: Expect::at(before.id, before.version, &from),
            set,
            before,
            action: Action::ServiceInOperation,
            service_id: Some(before.id),
        };
        let mut w = self.begin(who, now).await?;
        let after: ServiceRow = w.change(c).await?;
        if let Some(due_on) = next_due {
            w.deadline(&Deadline {
                kind: DeadlineKind::PeriodicCheck,
                subject_id: after.id,
                service_id: Some(after.id),
                due_on,
                recipients,
            })
            .await?;
        }
        w.commit().await?;
        Ok(after)
    }

    /// S3.6-3: a periodic check, and the next due date moved (or the deadline closed).
    pub async fn record_check(
        &self,
        who: &Who,
        service: &ServiceRow,
        check: &Check,
        policy_id: i64,
        recipients: &[i64],
        now: Timestamp,
    ) -> Result<CheckRow> {
        let cols: Vec<(&'static str, Val)> = vec![
            ("service_id", service.id.into()),
            ("checked_on", check.checked_on.into()),
            ("summary", (&check.summary).into()),
            ("items", to_json(&check.items).into()),
            ("policy_id", policy_id.into()),
            ("checked_by", who.user_id.into()),
            ("checked_at", now.into()),
            ("next_due_on", check.next_due.map(|d| d.to_string()).into()),
        ];
        let mut w = self.begin(who, now).await?;
        let row: CheckRow = w
            .create(New {
                table: "periodic_checks",
                cols,
                action: Action::CheckRecorded,
                entity: Entity::PeriodicCheck,
                entity_id: None,
                service_id: Some(service.id),
            })
            .await?;
        // The due date is bookkeeping of the check, not an edit of the ledger entry: it does not
        // move the service's version (an administrator's form stays valid).
        let n = sqlx::query(
            "UPDATE services SET next_check_due = $1 WHERE id = $2 AND ledger_status = $3",
        )
        .bind(check.next_due.map(|d| d.to_string()))
        .bind(service.id)
        .bind(LedgerStatus::InOperation.as_str())
        .execute(w.conn())
        .await?
        .rows_affected();
        if n != 1 {
            return Err(StoreError::Stale);
        }
        match check.next_due {
            Some(due_on) => {
                w.deadline(&Deadline {
                    kind: DeadlineKind::PeriodicCheck,
                    subject_id: service.id,
                    service_id: Some(service.id),
                    due_on,
                    recipients,
                })
                .await?
            }
            None => {
                w.close_deadline(DeadlineKind::PeriodicCheck, service.id)
                    .await?
            }
        }
        w.commit().await?;
        Ok(row)
    }

    /// S3.6: names the service's managers anew; the new ones are told. An open periodic-check
    /// deadline reminds the new people.
    pub async fn change_managers(
        &self,
        who: &Who,
        before: &ServiceRow,
        m: &Managers,
        notify: &[Notice],
        recipients: &[i64],
        now: Timestamp,
    ) -> Result<ServiceRow> {
        let set = vec![
            (
                "business_system_manager_id",
                m.business_system_manager.into(),
            ),
            ("infrastructure_manager_id", m.infrastructure_manager.into()),
        ];
        let states = [
            LedgerStatus::Building.as_str(),
            LedgerStatus::InOperation.as_str(),
            LedgerStatus::Suspended.as_str(),
        ];
        let c = Change {
            table: Table::Services,
            expect: Expect::at(before.id, before.version, &states),
            set,
            before,
            action: Action::ManagersChanged,
            service_id: Some(before.id),
        };
        let mut w = self.begin(who, now).await?;
        let after: ServiceRow = w.change(c).await?;
        // The notice leads to the service's page (not the application's).
        let about = About {
            application_id: None,
            service_id: Some(after.id),
            subject: &after.name,
        };
        w.notify(notify, &about).await?;
        if let Some(due_on) = after.next_check_due {
            w.deadline(&Deadline {
                kind: DeadlineKind::PeriodicCheck,
                subject_id: after.id,
                service_id: Some(after.id),
                due_on,
                recipients,
            })
            .await?;
        }
        w.commit().await?;
        Ok(after)
    }

    /// The open deadline of `kind` for `subject_id`: its due date and whom it reminds.
    pub async fn open_deadline(
        &self,
        kind: DeadlineKind,
        subject_id: i64,
    ) -> Result<Option<(Date, Vec<i64>)>> {
        let row = sqlx::query(
            "SELECT due_on, recipients FROM deadlines \
             WHERE kind = $1 AND subject_id = $2 AND closed_at IS NULL",
        )
        .bind(kind.as_str())
        .bind(subject_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let due: String = sqlx::Row::try_get(&row, "due_on")?;
        let recipients: String = sqlx::Row::try_get(&row, "recipients")?;
        let due = due
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("deadline due_on: {e}")))?;
        let recipients = serde_json::from_str(&recipients)
            .map_err(|e| StoreError::Corrupt(format!("deadline recipients: {e}")))?;
        Ok(Some((due, recipients)))
    }
}

reads! {
    measures_of(service_id: i64) -> list MeasureRow = "SELECT * FROM service_measures WHERE service_id = $1 ORDER BY id";
    measure(service_id: i64, measure_id: &str) -> one MeasureRow = "SELECT * FROM service_measures WHERE service_id = $1 AND measure_id = $2";
    rules_of(service_id: i64) -> list RuleRow = "SELECT * FROM service_rules WHERE service_id = $1 ORDER BY id";
    rule(service_id: i64, measure_id: &str) -> one RuleRow = "SELECT * FROM service_rules WHERE service_id = $1 AND measure_id = $2";
    checks_of(service_id: i64) -> list CheckRow = "SELECT * FROM periodic_checks WHERE service_id = $1 ORDER BY checked_on DESC, id DESC";
}

/// Which per-measure record a save is about.
struct PerMeasure<'a> {
    table: Table,
    service_id: i64,
    measure_id: &'a str,
    version: i64,
    action: Action,
}
