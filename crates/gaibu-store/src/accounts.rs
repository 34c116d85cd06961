//! The register of official accounts created for a service (S5.2.1-6, S5.2.2-4).

use crate::applications::stale_or_missing;
use crate::audit::{Event, append};
use crate::{AccountRow, Result, Store, Who, map_unique, ms, to_json};
use gaibu_domain::account::NewAccount;

const COLUMNS: &str = "id, service_id, account_id, kind, holder_org_unit_id, holder_position, \
    created_on, purpose, status, closed_on, registered_by, registered_at, version";

impl Store {
    pub async fn accounts(&self, service_id: i64) -> Result<Vec<AccountRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM accounts WHERE service_id = $1 ORDER BY id"
        ))
        .bind(service_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn account(&self, id: i64) -> Result<Option<AccountRow>> {
        Ok(
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM accounts WHERE id = $1"))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn add_account(
        &self,
        who: &Who,
        service_id: i64,
        a: &NewAccount,
        now: jiff::Timestamp,
    ) -> Result<AccountRow> {
        let mut tx = self.pool.begin().await?;
        let row: AccountRow = sqlx::query_as(&format!(
            "INSERT INTO accounts (service_id, account_id, kind, holder_org_unit_id, \
             holder_position, created_on, purpose, registered_by, registered_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {COLUMNS}"
        ))
        .bind(service_id)
        .bind(&a.account_id)
        .bind(a.kind.as_str())
        .bind(a.holder_org_unit)
        .bind(&a.holder_position)
        .bind(a.created_on.to_string())
        .bind(&a.purpose)
        .bind(who.user_id)
        .bind(ms(now))
        .fetch_one(&mut *tx)
        .await
        .map_err(map_unique)?;
        append(
            &mut tx,
            who,
            ms(now),
            Event {
                action: "account.registered",
                entity: "account",
                entity_id: Some(row.id),
                service_id: Some(service_id),
                before: None,
                after: Some(to_json(&row)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    pub async fn close_account(
        &self,
        who: &Who,
        before: &AccountRow,
        closed_on: jiff::civil::Date,
        now: jiff::Timestamp,
    ) -> Result<AccountRow> {
        let mut tx = self.pool.begin().await?;
        let n = sqlx::query(
            "UPDATE accounts SET status = 'closed', closed_on = $1, version = version + 1 \
             WHERE id = $2 AND version = $3 AND status = 'active'",
        )
        .bind(closed_on.to_string())
        .bind(before.id)
        .bind(before.version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        stale_or_missing(n)?;
        let after: AccountRow =
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM accounts WHERE id = $1"))
                .bind(before.id)
                .fetch_one(&mut *tx)
                .await?;
        append(
            &mut tx,
            who,
            ms(now),
            Event {
                action: "account.closed",
                entity: "account",
                entity_id: Some(before.id),
                service_id: Some(before.service_id),
                before: Some(to_json(before)),
                after: Some(to_json(&after)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}
