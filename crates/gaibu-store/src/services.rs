//! Approved services and their ledger entries (情報システム台帳).

use crate::codec::reads;
use crate::write::{Change, Expect, Table};
use crate::{Result, ServiceRow, Store, Who};
use gaibu_domain::audit::Action;
use gaibu_domain::ledger::{LedgerEntry, LedgerStatus, Retirement};

impl Store {
    /// S5.2.2-3: the ledger entry, status 稼働中.
    pub async fn register_in_ledger(
        &self,
        who: &Who,
        before: &ServiceRow,
        entry: &LedgerEntry,
        now: jiff::Timestamp,
    ) -> Result<ServiceRow> {
        let set = vec![
            ("ledger_status", LedgerStatus::InOperation.as_str().into()),
            ("system_name", (&entry.system_name).into()),
            ("registered_on", entry.registered_on.into()),
            ("ledger_note", (&entry.note).into()),
            ("registered_by", who.user_id.into()),
        ];
        // Not yet in the ledger: the status is still empty.
        self.change_service(who, before, &[""], set, Action::LedgerRegistered, now)
            .await
    }

    /// S7.2: 稼働中 → 廃止済み.
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
        let from = [LedgerStatus::InOperation.as_str()];
        self.change_service(who, before, &from, set, Action::LedgerRetired, now)
            .await
    }

    async fn change_service(
        &self,
        who: &Who,
        before: &ServiceRow,
        states: &[&str],
        set: Vec<(&'static str, crate::write::Val)>,
        action: Action,
        now: jiff::Timestamp,
    ) -> Result<ServiceRow> {
        let c = Change {
            table: Table::Services,
            expect: Expect::at(before.id, before.version, states),
            set,
            before,
            action,
            service_id: Some(before.id),
        };
        self.change(who, now, c).await
    }
}

reads! {
    services() -> list ServiceRow = "SELECT * FROM services ORDER BY id DESC";
    service(id: i64) -> one ServiceRow = "SELECT * FROM services WHERE id = $1";
    service_of_application(application_id: i64) -> one ServiceRow = "SELECT * FROM services WHERE application_id = $1";
}
