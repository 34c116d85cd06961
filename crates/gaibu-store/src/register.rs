//! The service usage register (サービス利用状況, S5.2.1-5), kept by the ISM.

use crate::codec::reads;
use crate::write::{Change, Expect, Table};
use crate::{RegisterRow, Result, Store, Who};
use gaibu_domain::audit::Action;
use sqlx::AnyConnection;

/// The eight fields of the service usage register (S5.2.1-5a–h), as text.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct RegisterFields {
    pub service_name: String,
    pub provider_name: String,
    pub purpose: String,
    pub classification: String,
    pub period_of_use: String,
    pub applicant: String,
    pub user_scope: String,
    pub administrator: String,
}

pub(crate) async fn insert(
    conn: &mut AnyConnection,
    service_id: i64,
    org_unit_id: i64,
    f: &RegisterFields,
    citizen_facing: bool,
    now: jiff::Timestamp,
) -> Result<RegisterRow> {
    Ok(sqlx::query_as(
        "INSERT INTO usage_register (service_id, org_unit_id, service_name, provider_name, purpose, \
         classification, period_of_use, applicant, user_scope, administrator, citizen_facing, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) \
         RETURNING *",
    )
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
    .bind(now.as_millisecond())
    .fetch_one(conn)
    .await?)
}

impl Store {
    /// The ISM edits the entry; the change is audited with before and after.
    pub async fn update_register_entry(
        &self,
        who: &Who,
        before: &RegisterRow,
        f: &RegisterFields,
        now: jiff::Timestamp,
    ) -> Result<RegisterRow> {
        let set = vec![
            ("service_name", (&f.service_name).into()),
            ("provider_name", (&f.provider_name).into()),
            ("purpose", (&f.purpose).into()),
            ("classification", (&f.classification).into()),
            ("period_of_use", (&f.period_of_use).into()),
            ("applicant", (&f.applicant).into()),
            ("user_scope", (&f.user_scope).into()),
            ("administrator", (&f.administrator).into()),
        ];
        let c = Change {
            table: Table::UsageRegister,
            expect: Expect::at(before.id, before.version, &[]),
            set,
            before,
            action: Action::RegisterUpdated,
            service_id: Some(before.service_id),
        };
        self.change(who, now, c).await
    }
}

reads! {
    register_entries() -> list RegisterRow = "SELECT * FROM usage_register ORDER BY id DESC";
    register_entry(id: i64) -> one RegisterRow = "SELECT * FROM usage_register WHERE id = $1";
    register_entry_of_service(service_id: i64) -> one RegisterRow = "SELECT * FROM usage_register WHERE service_id = $1";
}
