//! Approved services and their ledger entries (情報システム台帳).

use crate::applications::stale_or_missing;
use crate::audit::{Event, append};
use crate::{Result, ServiceRow, Store, Who, ms, to_json};
use gaibu_domain::ledger::{LedgerEntry, Retirement};
use sqlx::AnyConnection;

pub(crate) const COLUMNS: &str = "id, application_id, name, provider, org_unit_id, track, \
    confidentiality, administrator_id, approved_at, ledger_status, system_name, registered_on, \
    ledger_note, registered_by, retired_on, retire_reason, created_at, updated_at, version";

async fn fetch(conn: &mut AnyConnection, id: i64) -> Result<ServiceRow> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM services WHERE id = $1"))
            .bind(id)
            .fetch_one(conn)
            .await?,
    )
}

impl Store {
    pub async fn services(&self) -> Result<Vec<ServiceRow>> {
        Ok(
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM services ORDER BY id DESC"))
                .fetch_all(&self.pool)
                .await?,
        )
    }

    pub async fn service(&self, id: i64) -> Result<Option<ServiceRow>> {
        Ok(
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM services WHERE id = $1"))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn service_of_application(&self, application_id: i64) -> Result<Option<ServiceRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM services WHERE application_id = $1"
        ))
        .bind(application_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// S5.2.2-3: the ledger entry, status 稼働中.
    pub async fn register_in_ledger(
        &self,
        who: &Who,
        before: &ServiceRow,
        entry: &LedgerEntry,
        now: jiff::Timestamp,
    ) -> Result<ServiceRow> {
        let mut tx = self.pool.begin().await?;
        let n = sqlx::query(
            "UPDATE services SET ledger_status = 'in_operation', system_name = $1, \
             registered_on = $2, ledger_note = $3, registered_by = $4, updated_at = $5, \
             version = version + 1 WHERE id = $6 AND version = $7 AND ledger_status IS NULL",
        )
        .bind(&entry.system_name)
        .bind(entry.registered_on.to_string())
        .bind(&entry.note)
        .bind(who.user_id)
        .bind(ms(now))
        .bind(before.id)
        .bind(before.version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        stale_or_missing(n)?;
        self.finish_service_change(tx, who, "ledger.registered", before, now)
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
        let mut tx = self.pool.begin().await?;
        let n = sqlx::query(
            "UPDATE services SET ledger_status = 'retired', retired_on = $1, retire_reason = $2, \
             updated_at = $3, version = version + 1 \
             WHERE id = $4 AND version = $5 AND ledger_status = 'in_operation'",
        )
        .bind(r.retired_on.to_string())
        .bind(&r.reason)
        .bind(ms(now))
        .bind(before.id)
        .bind(before.version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        stale_or_missing(n)?;
        self.finish_service_change(tx, who, "ledger.retired", before, now)
            .await
    }

    async fn finish_service_change(
        &self,
        mut tx: sqlx::Transaction<'_, sqlx::Any>,
        who: &Who,
        action: &str,
        before: &ServiceRow,
        now: jiff::Timestamp,
    ) -> Result<ServiceRow> {
        let after = fetch(&mut tx, before.id).await?;
        append(
            &mut tx,
            who,
            ms(now),
            Event {
                action,
                entity: "service",
                entity_id: Some(before.id),
                service_id: Some(before.id),
                before: Some(to_json(before)),
                after: Some(to_json(&after)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}
