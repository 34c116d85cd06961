//! The service usage register (サービス利用状況, S5.2.1-5), kept by the ISM.

use crate::applications::stale_or_missing;
use crate::audit::{Event, append};
use crate::review::RegisterFields;
use crate::{RegisterRow, Result, Store, Who, ms, to_json};
use sqlx::AnyConnection;

const COLUMNS: &str = "id, service_id, org_unit_id, service_name, provider_name, purpose, \
    classification, period_of_use, applicant, user_scope, administrator, citizen_facing, \
    created_at, updated_at, version";

pub(crate) async fn insert(
    conn: &mut AnyConnection,
    service_id: i64,
    org_unit_id: i64,
    f: &RegisterFields,
    citizen_facing: bool,
    now: jiff::Timestamp,
) -> Result<RegisterRow> {
    Ok(sqlx::query_as(&format!(
        "INSERT INTO usage_register (service_id, org_unit_id, service_name, provider_name, purpose, \
         classification, period_of_use, applicant, user_scope, administrator, citizen_facing, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) \
         RETURNING {COLUMNS}"
    ))
    .bind(service_id)
    .bind(org_unit_id)
    .bind(&f.service_name)
    .bind(&f.provider_name)
    .bind(&f.purpose)
    .bind(&f.classification)
    .bind(&f.period_of_use)
    .bind(&f.applicant)
    .bind(&f.user_scope)
    .bind(&f.administrator)
    .bind(i64::from(citizen_facing))
    .bind(ms(now))
    .fetch_one(conn)
    .await?)
}

impl Store {
    pub async fn register_entries(&self) -> Result<Vec<RegisterRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM usage_register ORDER BY id DESC"
        ))
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn register_entry(&self, id: i64) -> Result<Option<RegisterRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM usage_register WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn register_entry_of_service(&self, service_id: i64) -> Result<Option<RegisterRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM usage_register WHERE service_id = $1"
        ))
        .bind(service_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The ISM edits the entry; the change is audited with before and after.
    pub async fn update_register_entry(
        &self,
        who: &Who,
        before: &RegisterRow,
        f: &RegisterFields,
        now: jiff::Timestamp,
    ) -> Result<RegisterRow> {
        let mut tx = self.pool.begin().await?;
        let n = sqlx::query(
            "UPDATE usage_register SET service_name = $1, provider_name = $2, purpose = $3, \
             classification = $4, period_of_use = $5, applicant = $6, user_scope = $7, \
             administrator = $8, updated_at = $9, version = version + 1 WHERE id = $10 AND version = $11",
        )
        .bind(&f.service_name)
        .bind(&f.provider_name)
        .bind(&f.purpose)
        .bind(&f.classification)
        .bind(&f.period_of_use)
        .bind(&f.applicant)
        .bind(&f.user_scope)
        .bind(&f.administrator)
        .bind(ms(now))
        .bind(before.id)
        .bind(before.version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        stale_or_missing(n)?;
        let after: RegisterRow = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM usage_register WHERE id = $1"
        ))
        .bind(before.id)
        .fetch_one(&mut *tx)
        .await?;
        append(
            &mut tx,
            who,
            ms(now),
            Event {
                action: "register.updated",
                entity: "register",
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
