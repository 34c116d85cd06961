//! Approved services and their ledger entries (情報システム台帳).

use crate::codec::reads;
use crate::write::{Change, Deadline, Expect, Table};
use crate::{Result, ServiceRow, Store, Who};
use gaibu_domain::audit::Action;
use gaibu_domain::deadline::DeadlineKind;
use gaibu_domain::ledger::{LedgerEntry, LedgerStatus, Retirement};
use jiff::civil::Date;

impl Store {
    /// S5.2.2-3: the ledger entry, status 稼働中 (class 1) or 構築中 (class 2+, S3.5). A
    /// service that enters operation at once with a periodic check (S3.6-3) gets its first due
    /// date, reminding `check.1`.
    #[allow(clippy::too_many_arguments)]
    pub async fn register_in_ledger(
        &self,
        who: &Who,
        before: &ServiceRow,
        entry: &LedgerEntry,
        status: LedgerStatus,
        usage_end: Option<Date>,
        check: Option<(Date, &[i64])>,
        now: jiff::Timestamp,
    ) -> Result<ServiceRow> {
        let set = vec![
            ("ledger_status", status.as_str().into()),
            ("next_check_due", check.map(|(d, _)| d.to_string()).into()),
            ("system_name", (&entry.system_name).into()),
            ("registered_on", entry.registered_on.into()),
            ("ledger_note", (&entry.note).into()),
            ("registered_by", who.user_id.into()),
            (
                "business_system_manager_id",
                entry.business_system_manager.into(),
            ),
            (
                "infrastructure_manager_id",
                entry.infrastructure_manager.into(),
            ),
            ("in_scope", entry.in_scope.into()),
        ];
        // Not yet in the ledger: the status is still empty.
        let c = Change {
            table: Table::Services,
            expect: Expect::at(before.id, before.version, &[""]),
            set,
            before,
            action: Action::LedgerRegistered,
            service_id: Some(before.id),
        };
        let mut w = self.begin(who, now).await?;
        let after: ServiceRow = w.change(c).await?;
        if let Some(due_on) = usage_end {
            // The administrator is reminded before the approved usage period ends.
            let d = Deadline {
                kind: DeadlineKind::UsagePeriodEnd,
                subject_id: after.id,
                service_id: Some(after.id),
                due_on,
                recipients: &[after.administrator_id],
            };
            w.deadline(&d).await?;
        }
        if let Some((due_on, recipients)) = check {
            let d = Deadline {
                kind: DeadlineKind::PeriodicCheck,
                subject_id: after.id,
                service_id: Some(after.id),
                due_on,
                recipients,
            };
            w.deadline(&d).await?;
        }
        w.commit().await?;
        Ok(after)
    }

    /// S7.2: a class-1 service to 廃止済み from any status before it; its open accounts are
    /// closed with it, each audited, in the same transaction.
    pub async fn retire_service(
        &self,
        who: &Who,
        before: &ServiceRow,
        r: &Retirement,
        now: jiff::Timestamp,
    ) -> Result<ServiceRow> {
        let set = vec![
            ("ledger_status", LedgerStatus::Retired.as_str().into()),
            ("retired_on", r.retired_on.into()),
            ("retire_reason", (&r.reason).into()),
        ];
        let from = [
            LedgerStatus::Building.as_str(),
            LedgerStatus::InOperation.as_str(),
            LedgerStatus::Suspended.as_str(),
        ];
        let c = Change {
            table: Table::Services,
            expect: Expect::at(before.id, before.version, &from),
            set,
            before,
            action: Action::LedgerRetired,
            service_id: Some(before.id),
        };
        let mut w = self.begin(who, now).await?;
        let after: ServiceRow = w.change(c).await?;
        crate::terminations::close_open_accounts(&mut w, after.id, r.retired_on).await?;
        // A retired service has nothing more due.
        w.close_deadlines_of_service(after.id).await?;
        w.commit().await?;
        Ok(after)
    }
}

reads! {
    services() -> list ServiceRow = "SELECT * FROM services ORDER BY id DESC";
    service(id: i64) -> one ServiceRow = "SELECT * FROM services WHERE id = $1";
    service_of_application(application_id: i64) -> one ServiceRow = "SELECT * FROM services WHERE application_id = $1";
    services_named(name: &str, provider: &str) -> list ServiceRow = "SELECT * FROM services WHERE name = $1 AND provider = $2 ORDER BY id";
}
