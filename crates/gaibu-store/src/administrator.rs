//! A change of a service's External Service Administrator (S3.4c, S5.2.1-5h): the designation,
//! the usage register's administrator column and who is reminded of the service's deadlines,
//! in one transaction, audited with the reason, the new and the previous administrator told.

use crate::codec::to_json;
use crate::write::{About, Audit, Expect, Table, Write};
use crate::{RegisterRow, Result, ServiceRow, Store, StoreError, Who};
use gaibu_domain::administrator::AdministratorChange;
use gaibu_domain::audit::Action;
use sqlx::Row;

/// The register entry to update with the change, and its new administrator text (ク).
pub struct RegisterAdministrator<'a> {
    pub entry: &'a RegisterRow,
    pub administrator: &'a str,
}

impl Store {
    pub async fn change_administrator(
        &self,
        who: &Who,
        before: &ServiceRow,
        change: &AdministratorChange,
        register: Option<RegisterAdministrator<'_>>,
        now: jiff::Timestamp,
    ) -> Result<(ServiceRow, Option<RegisterRow>)> {
        let mut w = self.begin(who, now).await?;
        let out = change_administrator_in(&mut w, before, change, register).await?;
        w.commit().await?;
        Ok(out)
    }
}

/// The change inside a write of its caller's (the personnel rotation's successors are
/// designated in one transaction with the closing of what awaited them).
pub(crate) async fn change_administrator_in(
    w: &mut Write<'_>,
    before: &ServiceRow,
    change: &AdministratorChange,
    register: Option<RegisterAdministrator<'_>>,
) -> Result<(ServiceRow, Option<RegisterRow>)> {
    let e = Expect::at(before.id, before.version, &[]);
    w.update(
        Table::Services,
        e,
        vec![("administrator_id", change.to.into())],
    )
    .await?;
    let after: ServiceRow = w.fetch(Table::Services, before.id).await?;
    let mut after_json =
        serde_json::to_value(&after).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    if let Some(obj) = after_json.as_object_mut() {
        obj.insert("change_reason".into(), serde_json::json!(change.reason));
    }
    w.audit(Audit {
        action: Action::AdministratorChanged,
        entity: Table::Services.entity(),
        entity_id: Some(before.id),
        service_id: Some(before.id),
        before: Some(to_json(before)),
        after: Some(after_json.to_string()),
    })
    .await?;
    let entry = match register {
        Some(r) => {
            let e = Expect::at(r.entry.id, r.entry.version, &[]);
            w.update(
                Table::UsageRegister,
                e,
                vec![("administrator", r.administrator.into())],
            )
            .await?;
            let a: RegisterRow = w.fetch(Table::UsageRegister, r.entry.id).await?;
            let ev = Audit::change(
                Action::RegisterUpdated,
                Table::UsageRegister,
                a.id,
                Some(before.id),
                r.entry,
                &a,
            );
            w.audit(ev).await?;
            Some(a)
        }
        None => None,
    };
    // The service's open deadlines now remind the new administrator instead.
    let open = sqlx::query(
        "SELECT id, recipients FROM deadlines WHERE service_id = $1 AND closed_at IS NULL",
    )
    .bind(before.id)
    .fetch_all(w.conn())
    .await?;
    for row in open {
        let id: i64 = row.try_get("id")?;
        let text: String = row.try_get("recipients")?;
        let mut ids: Vec<i64> = serde_json::from_str(&text)
            .map_err(|e| StoreError::Corrupt(format!("recipients: {e}")))?;
        if !ids.contains(&change.from) {
            continue;
        }
        ids.retain(|i| *i != change.from);
        if !ids.contains(&change.to) {
            ids.push(change.to);
        }
        sqlx::query("UPDATE deadlines SET recipients = $1 WHERE id = $2")
            .bind(to_json(&ids))
            .bind(id)
            .execute(w.conn())
            .await?;
    }
    let about = About {
        application_id: Some(before.application_id),
        service_id: Some(before.id),
        subject: &before.name,
    };
    w.notify(&change.effects.notify, &about).await?;
    Ok((after, entry))
}

impl Store {
    /// Who the open deadlines of a service remind, deadline by deadline (oldest first).
    pub async fn open_deadline_recipients(&self, service_id: i64) -> Result<Vec<Vec<i64>>> {
        let rows = sqlx::query(
            "SELECT recipients FROM deadlines WHERE service_id = $1 AND closed_at IS NULL \
             ORDER BY id",
        )
        .bind(service_id)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let text: String = r.try_get("recipients")?;
            let ids: Vec<i64> = serde_json::from_str(&text)
                .map_err(|e| StoreError::Corrupt(format!("recipients: {e}")))?;
            out.push(ids);
        }
        Ok(out)
    }
}
