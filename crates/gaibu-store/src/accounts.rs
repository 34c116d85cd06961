//! The register of official accounts created for a service (S5.2.1-6, S5.2.2-4).

use crate::write::{Audit, Expect, Table};
use crate::{AccountRow, Result, Store, Who, map_unique};
use gaibu_domain::account::{AccountStatus, NewAccount};
use gaibu_domain::audit::{Action, Entity};

impl Store {
    pub async fn accounts(&self, service_id: i64) -> Result<Vec<AccountRow>> {
        Ok(
            sqlx::query_as("SELECT * FROM accounts WHERE service_id = $1 ORDER BY id")
                .bind(service_id)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    pub async fn account(&self, id: i64) -> Result<Option<AccountRow>> {
        Ok(sqlx::query_as("SELECT * FROM accounts WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn add_account(
        &self,
        who: &Who,
        service_id: i64,
        a: &NewAccount,
        now: jiff::Timestamp,
    ) -> Result<AccountRow> {
        let mut w = self.begin(who, now).await?;
        let row: AccountRow = sqlx::query_as(
            "INSERT INTO accounts (service_id, account_id, kind, holder_org_unit_id, \
             holder_position, created_on, purpose, registered_by, registered_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *",
        )
        .bind(service_id)
        .bind(&a.account_id)
        .bind(a.kind.as_str())
        .bind(a.holder_org_unit)
        .bind(&a.holder_position)
        .bind(a.created_on.to_string())
        .bind(&a.purpose)
        .bind(who.user_id)
        .bind(now.as_millisecond())
        .fetch_one(w.conn())
        .await
        .map_err(map_unique)?;
        w.audit(Audit::created(
            Action::AccountRegistered,
            Entity::Account,
            row.id,
            Some(service_id),
            &row,
        ))
        .await?;
        w.commit().await?;
        Ok(row)
    }

    pub async fn close_account(
        &self,
        who: &Who,
        before: &AccountRow,
        closed_on: jiff::civil::Date,
        now: jiff::Timestamp,
    ) -> Result<AccountRow> {
        let mut w = self.begin(who, now).await?;
        let set = vec![
            ("status", AccountStatus::Closed.as_str().into()),
            ("closed_on", closed_on.into()),
        ];
        let e = Expect::at(before.id, before.version, &["active"]);
        let after = w
            .change(
                Table::Accounts,
                e,
                set,
                before,
                Action::AccountClosed,
                Some(before.service_id),
            )
            .await?;
        w.commit().await?;
        Ok(after)
    }
}
