//! A ledger file (情報システム台帳, S5.2.2-3) brought in: checked against the city's data row
//! by row — what each row would create or update and every error with its row and column — and
//! then, when every row is good, written in one transaction with the file and row of each
//! record in the audit trail. The same file imported twice changes nothing the second time.

use super::mapping::{Mapping, Target};
use super::table::{Encoding, Table};
use super::{MappingFrom, Prepared, Refused, prepare, remember};
use crate::audit_denial::ruled;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, Tr};
use crate::policies;
use crate::state::AppState;
use gaibu_domain::audit::Entity;
use gaibu_domain::classification::Classification;
use gaibu_domain::import::{
    Existing, LEDGER_FIELDS, LedgerCheck, LedgerContext, LedgerRecord, Plan, check_ledger,
    may_import,
};
use gaibu_store::{ImportFile, ImportRow, LedgerStep};
use std::collections::BTreeSet;

/// What the import run is kept as.
pub const KIND: &str = "ledger";

/// The fields of a ledger row with the headers they are recognised by: the pages' own labels
/// in both languages, then the words a city's own sheet is likely to use.
pub fn targets() -> Vec<Target> {
    let (ja, en) = (Tr::new(Lang::Ja), Tr::new(Lang::En));
    let names = |key: &str| -> Vec<&'static str> {
        match key {
            "name" => vec![
                ja.label_service_name(),
                en.label_service_name(),
                "サービス名",
            ],
            "provider" => vec![ja.label_provider(), en.label_provider(), "提供者", "事業者"],
            "org_unit" => vec![ja.label_org_unit(), en.label_org_unit(), "所管課", "課"],
            "confidentiality" => vec![
                ja.label_confidentiality(),
                en.label_confidentiality(),
                ja.label_classification(),
                en.label_classification(),
                "格付",
            ],
            // The login first: the export writes the administrator's name beside it.
            "administrator" => vec![
                ja.export_administrator_login(),
                en.export_administrator_login(),
                "ログインID",
                ja.label_administrator(),
                en.label_administrator(),
                "管理者",
            ],
            "registered_on" => vec![ja.label_registered_on(), en.label_registered_on(), "登録日"],
            "system_name" => vec![ja.label_system_name(), en.label_system_name()],
            "in_scope" => vec![ja.fixes_in_scope(), en.fixes_in_scope(), "適用範囲"],
            "note" => vec![ja.label_note(), en.label_note()],
            _ => Vec::new(),
        }
    };
    LEDGER_FIELDS
        .iter()
        .map(|(key, required)| Target {
            key,
            required: *required,
            headers: names(key),
        })
        .collect()
}

/// A file read, its mapping and every row checked.
pub struct DryRun {
    pub table: Table,
    pub mapping: Mapping,
    pub from: MappingFrom,
    pub sha256: String,
    pub check: LedgerCheck,
}

/// Reads and checks a ledger file as `u` would import it: nothing is written.
pub async fn dry_run(
    st: &AppState,
    u: &CurrentUser,
    name: &str,
    bytes: &[u8],
    encoding: Encoding,
    map: &[(String, String)],
) -> AppResult<Result<DryRun, Refused>> {
    let units = ruled(
        st,
        u,
        may_import(&u.actor),
        "import.ledger",
        Entity::Import,
        None,
    )
    .await?;
    let Prepared {
        table,
        mapping,
        from,
        sha256,
    } = match prepare(st, KIND, name, bytes, encoding, map, &targets()).await? {
        Ok(p) => p,
        Err(r) => return Ok(Err(r)),
    };
    let ctx = context(st, u, &table, &mapping, units).await?;
    let rows = super::row_values(&table, &mapping, LEDGER_FIELDS);
    let check = check_ledger(rows, &ctx);
    Ok(Ok(DryRun {
        table,
        mapping,
        from,
        sha256,
        check,
    }))
}

impl From<DryRun> for super::Checked {
    fn from(r: DryRun) -> Self {
        super::Checked {
            lines: r.lines(),
            table: r.table,
            mapping: r.mapping,
            from: r.from,
            sha256: r.sha256,
        }
    }
}

impl DryRun {
    pub fn lines(&self) -> Vec<super::RowLine> {
        use super::Doing;
        self.check
            .rows
            .iter()
            .map(|r| super::RowLine {
                row: r.row,
                what: match &r.result {
                    Ok(Plan::Create(rec)) => Ok(Doing::Create(rec.name.clone())),
                    Ok(Plan::Update(seen, rec)) => Ok(Doing::Update(seen.id, rec.name.clone())),
                    Ok(Plan::Unchanged(id)) => Ok(Doing::Unchanged(*id)),
                    Err(e) => Err(e.clone()),
                },
            })
            .collect()
    }
}

/// Checks the file again and, when every row is good, writes it all in one transaction and
/// keeps its mapping for the next file of its layout. A row changed by someone since the
/// check makes the whole import fail as stale, writing nothing.
pub async fn import(
    st: &AppState,
    u: &CurrentUser,
    name: &str,
    bytes: &[u8],
    encoding: Encoding,
    map: &[(String, String)],
    tick: &(dyn Fn() + Send + Sync),
) -> AppResult<(Result<DryRun, Refused>, Option<ImportRow>)> {
    let run = match dry_run(st, u, name, bytes, encoding, map).await? {
        Ok(r) if r.check.is_clean() => r,
        other => return Ok((other, None)),
    };
    let scheme = policies::scheme_in_force(st).await?;
    // A service brought in is in operation: its periodic checks (S3.6-3) count from today, the
    // day gaibu starts keeping them (none is due when no service-life policy is in force).
    let life = match policies::service_life_in_force(st).await {
        Ok(p) => Some(p.doc),
        Err(AppError::Refused(crate::error::ErrorCode::PolicyNotInForce)) => None,
        Err(e) => return Err(e),
    };
    let today = st.today();
    let mut steps = Vec::new();
    for r in &run.check.rows {
        match &r.result {
            Ok(Plan::Create(record)) => {
                let track = scheme
                    .doc
                    .route(&Classification {
                        confidentiality: record.confidentiality.clone(),
                        ..Default::default()
                    })
                    .ok_or_else(|| AppError::Internal(anyhow::anyhow!("unrouted level")))?;
                steps.push(LedgerStep::Create {
                    row: r.row,
                    record,
                    track,
                    classification_policy_id: scheme.row.id,
                    check_due: life
                        .as_ref()
                        .and_then(|l| l.next_check_due(&record.confidentiality, today)),
                });
            }
            Ok(Plan::Update(seen, record)) => steps.push(LedgerStep::Update {
                row: r.row,
                seen: *seen,
                record,
            }),
            Ok(Plan::Unchanged(_)) | Err(_) => {}
        }
    }
    let file = ImportFile {
        kind: KIND,
        file_name: name,
        sha256: &run.sha256,
        rows: run.table.rows.len(),
    };
    let who = u.who();
    let done = st
        .store
        .import_ledger(&who, &file, &steps, st.now(), tick)
        .await?;
    remember(st, &who, KIND, &run.table, &run.mapping).await?;
    Ok((Ok(run), Some(done)))
}

/// The units where `u` permits class-2+ use as Information Security Manager (S5.1.1): all of
/// them for the CISO (`None`).
fn class2_units(u: &CurrentUser) -> Option<Vec<i64>> {
    use gaibu_domain::role::Role;
    if u.actor.has_role(Role::Ciso) {
        return None;
    }
    Some(
        u.actor
            .assignments
            .iter()
            .filter(|a| a.role == Role::InformationSecurityManager)
            .map(|a| a.org_unit)
            .collect(),
    )
}

/// What the city has that the file's rows name: org units (by code or name), the levels of the
/// classification in force (by code or label), the people named (by login) and the services
/// the rows name — read for the values in the file only, never whole tables.
async fn context(
    st: &AppState,
    u: &CurrentUser,
    table: &Table,
    mapping: &Mapping,
    units: Option<Vec<i64>>,
) -> AppResult<LedgerContext> {
    let mut ctx = LedgerContext {
        org_units: super::unit_names(st).await?,
        allowed: super::allowed_units(st, units).await?,
        class2_allowed: super::allowed_units(st, class2_units(u)).await?,
        ..Default::default()
    };
    let scheme = policies::scheme_in_force(st).await?;
    for l in &scheme.doc.confidentiality {
        for key in [&l.code, &l.label_ja, &l.label_en] {
            ctx.levels.insert(key.clone(), l.code.clone());
        }
        if l.track == Some(gaibu_domain::classification::Track::Class2Plus) {
            ctx.class2.insert(l.code.clone());
        }
    }
    let distinct = |key: &str| -> BTreeSet<String> {
        table
            .rows
            .iter()
            .map(|r| mapping.get(&r.cells, key).to_string())
            .filter(|v| !v.is_empty())
            .collect()
    };
    // An administrator is an active member of the city's staff, as a designation requires.
    for login in distinct("administrator") {
        if let Some(p) = st.store.user_by_login(&login).await?
            && p.active
            && p.contractor_id.is_none()
        {
            ctx.people.insert(login, p.id);
        }
    }
    let pairs = super::named_services(table, mapping, "name", "provider");
    for (name, provider) in pairs {
        // A row updates the first service of that name and provider in the ledger and not
        // retired; one only approved is for its administrator to register.
        let named = st.store.services_named(&name, &provider).await?;
        let live = |s: &&gaibu_store::ServiceRow| {
            s.ledger_status != Some(gaibu_domain::ledger::LedgerStatus::Retired)
        };
        let in_ledger = named
            .iter()
            .filter(live)
            .find(|s| s.registered_on.is_some());
        if in_ledger.is_none() && named.iter().filter(live).any(|s| s.registered_on.is_none()) {
            ctx.unregistered.insert((name.clone(), provider.clone()));
        }
        if let Some(s) = in_ledger
            && let Some(registered_on) = s.registered_on
        {
            let record = LedgerRecord {
                name: s.name.clone(),
                provider: s.provider.clone(),
                org_unit: s.org_unit_id,
                confidentiality: s.confidentiality.clone(),
                administrator: s.administrator_id,
                registered_on,
                // A row without one means the service's own name, as the check reads it.
                system_name: s
                    .system_name
                    .clone()
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| s.name.clone()),
                in_scope: s.in_scope,
                note: s.ledger_note.clone().unwrap_or_default(),
            };
            let seen = Existing {
                id: s.id,
                version: s.version,
            };
            ctx.existing.insert((name, provider), (seen, record));
        }
    }
    Ok(ctx)
}
