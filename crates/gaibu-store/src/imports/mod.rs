//! Files of a city's existing records brought in (issue 11): every row of a checked file written
//! in one transaction — all or nothing — with the import run kept (file name, SHA-256, counts)
//! and each record's audit event naming the file and the row it came from.

mod service;

use crate::codec::{reads, to_json};
use crate::write::{Audit, Deadline, Expect, Table, Val, Write};
use crate::{AccountRow, RegisterFields, RegisterRow, Result, ServiceRow, Store, Who};
use gaibu_domain::account::NewAccount;
use gaibu_domain::audit::{Action, Entity};
use gaibu_domain::classification::Track;
use gaibu_domain::deadline::DeadlineKind;
use gaibu_domain::import::{Existing, LedgerRecord};
use jiff::Timestamp;
use serde::Serialize;
use service::{create_service, insert_returning_id};

/// The file an import reads, as its run records it.
#[derive(Debug, Clone)]
pub struct ImportFile<'a> {
    /// What it holds: `ledger`, `register`, `accounts`.
    pub kind: &'a str,
    pub file_name: &'a str,
    pub sha256: &'a str,
    pub rows: usize,
}

/// One import run as kept.
#[derive(Debug, Clone, Serialize)]
pub struct ImportRow {
    pub id: i64,
    pub kind: String,
    pub file_name: String,
    pub sha256: String,
    pub row_count: i64,
    pub created: i64,
    pub updated: i64,
    pub imported_by: i64,
    pub imported_at: Timestamp,
}

crate::codec::decode_rows! {
    ImportRow {
        id: get, kind: get, file_name: get, sha256: get, row_count: get, created: get,
        updated: get, imported_by: get, imported_at: ts,
    }
}

/// Where a record came from, as its audit event (and an imported application) states it.
#[derive(Debug, Clone, Serialize)]
struct Origin<'a> {
    import: i64,
    file: &'a str,
    sha256: &'a str,
    row: usize,
}

/// The audited state of a record brought in, with where it came from.
#[derive(Serialize)]
struct Imported<'a, T> {
    record: &'a T,
    origin: &'a Origin<'a>,
}

/// A row of a ledger file that changes something.
#[derive(Debug, Clone)]
pub enum LedgerStep<'a> {
    /// A service not yet in gaibu: approved before it, on paper. Its application records the
    /// file and row instead of a sheet.
    Create {
        row: usize,
        record: &'a LedgerRecord,
        track: Track,
        classification_policy_id: i64,
        /// Its first periodic check (S3.6-3), reminding its administrator.
        check_due: Option<jiff::civil::Date>,
    },
    Update {
        row: usize,
        seen: Existing,
        record: &'a LedgerRecord,
    },
}

/// A row of a usage-register file that changes something: the entry of a service, made or
/// changed.
#[derive(Debug, Clone)]
pub struct RegisterStep {
    pub row: usize,
    pub service_id: i64,
    pub org_unit_id: i64,
    /// The entry now (with its version), or none yet.
    pub seen: Option<(i64, i64)>,
    pub fields: RegisterFields,
    pub citizen_facing: bool,
}

impl Store {
    /// Writes a checked ledger file: the run, then each row's service, in one transaction.
    pub async fn import_ledger(
        &self,
        who: &Who,
        file: &ImportFile<'_>,
        steps: &[LedgerStep<'_>],
        now: Timestamp,
        tick: &(dyn Fn() + Send + Sync),
    ) -> Result<ImportRow> {
        let mut w = self.begin(who, now).await?;
        let (creates, updates) = steps.iter().fold((0, 0), |(c, u), s| match s {
            LedgerStep::Create { .. } => (c + 1, u),
            LedgerStep::Update { .. } => (c, u + 1),
        });
        let run = start(&mut w, file, creates, updates).await?;
        for step in steps {
            tick();
            match step {
                LedgerStep::Create {
                    row,
                    record,
                    track,
                    classification_policy_id,
                    check_due,
                } => {
                    let origin = origin(&run, *row);
                    let service = create_service(
                        &mut w,
                        record,
                        *track,
                        *classification_policy_id,
                        *check_due,
                        &origin,
                    )
                    .await?;
                    if let Some(due_on) = check_due {
                        let d = Deadline {
                            kind: DeadlineKind::PeriodicCheck,
                            subject_id: service.id,
                            service_id: Some(service.id),
                            due_on: *due_on,
                            recipients: &[service.administrator_id],
                        };
                        w.deadline(&d).await?;
                    }
                }
                LedgerStep::Update { row, seen, record } => {
                    let before: ServiceRow = w.fetch(Table::Services, seen.id).await?;
                    let set = vec![
                        ("org_unit_id", record.org_unit.into()),
                        ("registered_on", record.registered_on.into()),
                        ("system_name", (&record.system_name).into()),
                        ("in_scope", record.in_scope.into()),
                        ("ledger_note", (&record.note).into()),
                    ];
                    let after: ServiceRow = w
                        .update_returning(
                            Table::Services,
                            Expect::at(seen.id, seen.version, &[]),
                            set,
                        )
                        .await?;
                    let origin = origin(&run, *row);
                    w.audit(Audit {
                        action: Action::LedgerImported,
                        entity: Entity::Service,
                        entity_id: Some(after.id),
                        service_id: Some(after.id),
                        before: Some(to_json(&before)),
                        after: Some(to_json(&Imported {
                            record: &after,
                            origin: &origin,
                        })),
                    })
                    .await?;
                }
            }
        }
        w.commit().await?;
        Ok(run)
    }

    /// Writes a checked usage-register file: each row's entry made or changed (S5.2.1-5a–h), in
    /// one transaction.
    pub async fn import_register(
        &self,
        who: &Who,
        file: &ImportFile<'_>,
        steps: &[RegisterStep],
        now: Timestamp,
        tick: &(dyn Fn() + Send + Sync),
    ) -> Result<ImportRow> {
        let mut w = self.begin(who, now).await?;
        let creates = steps.iter().filter(|s| s.seen.is_none()).count();
        let run = start(&mut w, file, creates, steps.len() - creates).await?;
        for s in steps {
            tick();
            let origin = origin(&run, s.row);
            let (before, after) = match s.seen {
                None => {
                    let row = crate::register::insert(
                        w.conn(),
                        s.service_id,
                        s.org_unit_id,
                        &s.fields,
                        s.citizen_facing,
                        now,
                    )
                    .await?;
                    w.touch(Table::UsageRegister, row.id);
                    (None, row)
                }
                Some((id, version)) => {
                    let before: RegisterRow = w.fetch(Table::UsageRegister, id).await?;
                    let f = &s.fields;
                    let set = vec![
                        ("service_name", (&f.service_name).into()),
                        ("provider_name", (&f.provider_name).into()),
                        ("purpose", (&f.purpose).into()),
                        ("classification", (&f.classification).into()),
                        ("period_of_use", (&f.period_of_use).into()),
                        ("applicant", (&f.applicant).into()),
                        ("user_scope", (&f.user_scope).into()),
                        ("administrator", (&f.administrator).into()),
                        ("citizen_facing", s.citizen_facing.into()),
                    ];
                    let after: RegisterRow = w
                        .update_returning(Table::UsageRegister, Expect::at(id, version, &[]), set)
                        .await?;
                    (Some(before), after)
                }
            };
            w.audit(Audit {
                action: Action::RegisterImported,
                entity: Entity::Register,
                entity_id: Some(after.id),
                service_id: Some(after.service_id),
                before: before.as_ref().map(to_json),
                after: Some(to_json(&Imported {
                    record: &after,
                    origin: &origin,
                })),
            })
            .await?;
        }
        w.commit().await?;
        Ok(run)
    }

    /// Writes a checked accounts file: each row's official account registered (S5.2.2-4), in one
    /// transaction.
    pub async fn import_accounts(
        &self,
        who: &Who,
        file: &ImportFile<'_>,
        steps: &[(usize, i64, &NewAccount)],
        now: Timestamp,
        tick: &(dyn Fn() + Send + Sync),
    ) -> Result<ImportRow> {
        let mut w = self.begin(who, now).await?;
        let run = start(&mut w, file, steps.len(), 0).await?;
        for (row, service_id, a) in steps {
            tick();
            let cols: Vec<(&'static str, Val)> = vec![
                ("service_id", (*service_id).into()),
                ("account_id", (&a.account_id).into()),
                ("kind", a.kind.as_str().into()),
                ("holder_org_unit_id", a.holder_org_unit.into()),
                ("holder_position", (&a.holder_position).into()),
                ("created_on", a.created_on.into()),
                ("purpose", (&a.purpose).into()),
                ("registered_by", who.user_id.into()),
                ("registered_at", now.into()),
            ];
            let id = insert_returning_id(&mut w, "accounts", cols).await?;
            w.touch(Table::Accounts, id);
            let account: AccountRow = w.fetch(Table::Accounts, id).await?;
            let origin = origin(&run, *row);
            w.audit(Audit {
                action: Action::AccountImported,
                entity: Entity::Account,
                entity_id: Some(id),
                service_id: Some(*service_id),
                before: None,
                after: Some(to_json(&Imported {
                    record: &account,
                    origin: &origin,
                })),
            })
            .await?;
        }
        w.commit().await?;
        Ok(run)
    }

    /// The column mapping confirmed last for a file layout (its header row's signature).
    pub async fn import_mapping(&self, kind: &str, signature: &str) -> Result<Option<String>> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT mapping FROM import_mappings WHERE kind = $1 AND signature = $2",
        )
        .bind(kind)
        .bind(signature)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| r.0))
    }

    /// Keeps the mapping a person confirmed for a file layout, replacing the one before. It is
    /// a convenience for the next file, not a governance record: it is not audited (the import
    /// that used it is).
    pub async fn save_import_mapping(
        &self,
        who: &Who,
        kind: &str,
        signature: &str,
        mapping: &str,
        now: Timestamp,
    ) -> Result<()> {
        let by = who.user_id.ok_or(crate::StoreError::NotFound)?;
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM import_mappings WHERE kind = $1 AND signature = $2")
            .bind(kind)
            .bind(signature)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO import_mappings (kind, signature, mapping, saved_by, saved_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(kind)
        .bind(signature)
        .bind(mapping)
        .bind(by)
        .bind(now.as_millisecond())
        .execute(&mut *tx)
        .await?;
        tx.commit_with(crate::batch::Batch::default()).await
    }
}

reads! {
    recent_imports(limit: i64) -> list ImportRow = "SELECT * FROM imports ORDER BY id DESC LIMIT $1";
}

fn origin<'a>(run: &'a ImportRow, row: usize) -> Origin<'a> {
    Origin {
        import: run.id,
        file: &run.file_name,
        sha256: &run.sha256,
        row,
    }
}

/// Records the run and audits it: who brought which file in, and what it made.
async fn start(
    w: &mut Write<'_>,
    file: &ImportFile<'_>,
    created: usize,
    updated: usize,
) -> Result<ImportRow> {
    let by = w.who.user_id.ok_or(crate::StoreError::NotFound)?;
    let now = w.now;
    let run: ImportRow = sqlx::query_as(
        "INSERT INTO imports (kind, file_name, sha256, row_count, created, updated, imported_by, \
         imported_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *",
    )
    .bind(file.kind)
    .bind(file.file_name)
    .bind(file.sha256)
    .bind(file.rows as i64)
    .bind(created as i64)
    .bind(updated as i64)
    .bind(by)
    .bind(now.as_millisecond())
    .fetch_one(w.conn())
    .await?;
    w.audit(Audit::created(
        Action::ImportCompleted,
        Entity::Import,
        run.id,
        None,
        &run,
    ))
    .await?;
    Ok(run)
}
