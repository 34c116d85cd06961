//! A service of an imported ledger: its application (approved before gaibu, on paper), the
//! service in operation with its ledger entry, audited once with where it came from.

use super::{Imported, Origin};
use crate::codec::to_json;
use crate::write::{Audit, Table, Val, Write, snapshot_sha256};
use crate::{Result, ServiceRow};
use gaibu_domain::application::{ApplicationFields, State};
use gaibu_domain::audit::{Action, Entity};
use gaibu_domain::classification::{Classification, Track};
use gaibu_domain::import::LedgerRecord;
use gaibu_domain::ledger::LedgerStatus;

/// A service of an imported ledger: its application (approved before gaibu; the file and row
/// stand where a sheet would), the service in operation with its ledger entry, audited once
/// with its origin.
pub(super) async fn create_service(
    w: &mut Write<'_>,
    r: &LedgerRecord,
    track: Track,
    classification_policy_id: i64,
    check_due: Option<jiff::civil::Date>,
    origin: &Origin<'_>,
) -> Result<ServiceRow> {
    let now = w.now;
    let by = w.who.user_id;
    let fields = ApplicationFields {
        org_unit: r.org_unit,
        service_name: r.name.clone(),
        provider: r.provider.clone(),
        url: String::new(),
        purpose: String::new(),
        user_scope: String::new(),
        period_from: r.registered_on,
        period_to: None,
        classification: Classification {
            confidentiality: r.confidentiality.clone(),
            integrity: String::new(),
            availability: String::new(),
            handling: Vec::new(),
        },
        data_locations: Vec::new(),
        governing_law: String::new(),
        court: String::new(),
        tos_url: String::new(),
        tos_version: String::new(),
        citizen_facing: false,
    };
    let origin_json = to_json(origin);
    let cols: Vec<(&'static str, Val)> = vec![
        ("applicant_id", r.administrator.into()),
        ("org_unit_id", r.org_unit.into()),
        ("state", State::Approved.as_str().into()),
        ("track", track.as_str().into()),
        ("service_name", (&r.name).into()),
        ("provider", (&r.provider).into()),
        ("confidentiality", (&r.confidentiality).into()),
        ("fields", to_json(&fields).into()),
        ("classification_policy_id", classification_policy_id.into()),
        // Approved on paper before gaibu: nobody here approved it (the origin says where it
        // came from), so no one is listed as its approver when they move.
        ("approved_by", Option::<i64>::None.into()),
        ("approved_at", now.into()),
        ("approval_snapshot", (&origin_json).into()),
        ("snapshot_sha256", snapshot_sha256(&origin_json).into()),
        ("origin", (&origin_json).into()),
        ("created_at", now.into()),
        ("updated_at", now.into()),
    ];
    let app_id: i64 = insert_returning_id(w, "applications", cols).await?;
    w.touch(Table::Applications, app_id);
    let cols: Vec<(&'static str, Val)> = vec![
        ("application_id", app_id.into()),
        ("name", (&r.name).into()),
        ("provider", (&r.provider).into()),
        ("org_unit_id", r.org_unit.into()),
        ("track", track.as_str().into()),
        ("confidentiality", (&r.confidentiality).into()),
        ("administrator_id", r.administrator.into()),
        ("approved_at", now.into()),
        ("ledger_status", LedgerStatus::InOperation.as_str().into()),
        ("system_name", (&r.system_name).into()),
        ("registered_on", r.registered_on.into()),
        ("ledger_note", (&r.note).into()),
        ("next_check_due", check_due.map(|d| d.to_string()).into()),
        ("registered_by", by.into()),
        ("in_scope", r.in_scope.into()),
        ("created_at", now.into()),
        ("updated_at", now.into()),
    ];
    let names: Vec<&str> = cols.iter().map(|(n, _)| *n).collect();
    let params: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "INSERT INTO services ({}) VALUES ({}) RETURNING *",
        names.join(", "),
        params.join(", ")
    );
    let row = crate::write::bind_all(sqlx::query(&sql), cols.into_iter().map(|c| c.1).collect())
        .fetch_one(w.conn())
        .await
        .map_err(crate::map_unique)?;
    let service = <ServiceRow as sqlx::FromRow<_>>::from_row(&row)?;
    w.touch(Table::Services, service.id);
    w.audit(Audit {
        action: Action::LedgerImported,
        entity: Entity::Service,
        entity_id: Some(service.id),
        service_id: Some(service.id),
        before: None,
        after: Some(to_json(&Imported {
            record: &service,
            origin,
        })),
    })
    .await?;
    Ok(service)
}

pub(super) async fn insert_returning_id(
    w: &mut Write<'_>,
    table: &str,
    cols: Vec<(&'static str, Val)>,
) -> Result<i64> {
    let names: Vec<&str> = cols.iter().map(|(n, _)| *n).collect();
    let params: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES ({}) RETURNING id",
        names.join(", "),
        params.join(", ")
    );
    let row = crate::write::bind_all(sqlx::query(&sql), cols.into_iter().map(|c| c.1).collect())
        .fetch_one(w.conn())
        .await
        .map_err(crate::map_unique)?;
    Ok(sqlx::Row::try_get(&row, "id")?)
}
