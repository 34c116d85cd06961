//! The register of official accounts created for a service (S5.2.1-6, S5.2.2-4).

use crate::codec::reads;
use crate::write::{Change, Expect, New, Table};
use crate::{AccountRow, Result, Store, Who};
use gaibu_domain::account::{AccountStatus, NewAccount};
use gaibu_domain::audit::{Action, Entity};

const ACTIVE: &[&str] = &[AccountStatus::Active.as_str()];

impl Store {
    pub async fn add_account(
        &self,
        who: &Who,
        service_id: i64,
        a: &NewAccount,
        now: jiff::Timestamp,
    ) -> Result<AccountRow> {
        let cols = vec![
            ("service_id", service_id.into()),
            ("account_id", (&a.account_id).into()),
            ("kind", a.kind.as_str().into()),
            ("holder_org_unit_id", a.holder_org_unit.into()),
            ("holder_position", (&a.holder_position).into()),
            ("created_on", a.created_on.into()),
            ("purpose", (&a.purpose).into()),
            ("registered_by", who.user_id.into()),
            ("registered_at", now.into()),
        ];
        let new = New {
            table: "accounts",
            cols,
            action: Action::AccountRegistered,
            entity: Entity::Account,
            entity_id: None,
            service_id: Some(service_id),
        };
        self.create(who, now, new).await
    }

    pub async fn close_account(
        &self,
        who: &Who,
        before: &AccountRow,
        closed_on: jiff::civil::Date,
        now: jiff::Timestamp,
    ) -> Result<AccountRow> {
        let c = Change {
            table: Table::Accounts,
            expect: Expect::at(before.id, before.version, ACTIVE),
            set: vec![
                ("status", AccountStatus::Closed.as_str().into()),
                ("closed_on", closed_on.into()),
            ],
            before,
            action: Action::AccountClosed,
            service_id: Some(before.service_id),
        };
        self.change(who, now, c).await
    }
}

reads! {
    accounts(service_id: i64) -> list AccountRow = "SELECT * FROM accounts WHERE service_id = $1 ORDER BY id";
    account(id: i64) -> one AccountRow = "SELECT * FROM accounts WHERE id = $1";
}
