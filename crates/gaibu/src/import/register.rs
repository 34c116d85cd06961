//! A usage-register file (サービス利用状況, S5.2.1-5) brought in: each row the entry of a
//! service already in the ledger, checked, then written all or nothing with its file and row in
//! the audit trail.

use super::mapping::{Mapping, Target};
use super::table::{Encoding, Table};
use super::{MappingFrom, Prepared, Refused, prepare, remember};
use crate::audit_denial::ruled;
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::i18n::{Lang, Tr};
use crate::state::AppState;
use gaibu_domain::audit::Entity;
use gaibu_domain::import::Existing;
use gaibu_domain::import::register::{
    REGISTER_FIELDS, RegisterCheck, RegisterContext, RegisterPlan, RegisterRecord, check_register,
    may_import_register,
};
use gaibu_store::{ImportFile, ImportRow, RegisterFields, RegisterStep};

pub const KIND: &str = "register";

/// The register's fields with the headers they are recognised by: the register page's own
/// labels (which the export writes) in both languages, then a city's likely words.
pub fn targets() -> Vec<Target> {
    let (ja, en) = (Tr::new(Lang::Ja), Tr::new(Lang::En));
    let names = |key: &str| -> Vec<&'static str> {
        let [j, e] = [ja, en].map(|t| match key {
            "service_name" => t.register_service_name(),
            "provider_name" => t.register_provider_name(),
            "purpose" => t.register_purpose(),
            "classification" => t.register_classification(),
            "period_of_use" => t.register_period_of_use(),
            "applicant" => t.register_applicant(),
            "user_scope" => t.register_user_scope(),
            "administrator" => t.register_administrator(),
            _ => t.register_citizen_facing(),
        });
        let extra: &[&'static str] = match key {
            "service_name" => &["サービス名"],
            "provider_name" => &["提供者", "事業者"],
            "purpose" => &["利用目的"],
            "classification" => &["格付"],
            "period_of_use" => &["期間"],
            "applicant" => &["申請者"],
            "user_scope" => &["利用者"],
            "administrator" => &["管理者"],
            _ => &["市民"],
        };
        [j, e].into_iter().chain(extra.iter().copied()).collect()
    };
    REGISTER_FIELDS
        .iter()
        .map(|(key, required)| Target {
            key,
            required: *required,
            headers: names(key),
        })
        .collect()
}

pub struct DryRun {
    pub table: Table,
    pub mapping: Mapping,
    pub from: MappingFrom,
    pub sha256: String,
    pub check: RegisterCheck,
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
                    Ok(RegisterPlan::Create { record, .. }) => {
                        Ok(Doing::Create(record.service_name.clone()))
                    }
                    Ok(RegisterPlan::Update { seen, record, .. }) => {
                        Ok(Doing::Update(seen.id, record.service_name.clone()))
                    }
                    Ok(RegisterPlan::Unchanged(id)) => Ok(Doing::Unchanged(*id)),
                    Err(e) => Err(e.clone()),
                },
            })
            .collect()
    }
}

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
        may_import_register(&u.actor),
        "import.register",
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
    let ctx = context(st, &table, &mapping, units).await?;
    let rows = super::row_values(&table, &mapping, REGISTER_FIELDS);
    let check = check_register(rows, &ctx);
    Ok(Ok(DryRun {
        table,
        mapping,
        from,
        sha256,
        check,
    }))
}

/// Checks the file again and, when every row is good, writes it all in one transaction.
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
    let steps: Vec<RegisterStep> = run
        .check
        .rows
        .iter()
        .filter_map(|r| match r.result.as_ref().ok()? {
            RegisterPlan::Create {
                service_id,
                org_unit,
                record,
            } => Some(RegisterStep {
                row: r.row,
                service_id: *service_id,
                org_unit_id: *org_unit,
                seen: None,
                fields: fields_of(record),
                citizen_facing: record.citizen_facing,
            }),
            RegisterPlan::Update {
                service_id,
                seen,
                record,
            } => Some(RegisterStep {
                row: r.row,
                service_id: *service_id,
                // Kept as it is: an update does not move the entry.
                org_unit_id: 0,
                seen: Some((seen.id, seen.version)),
                fields: fields_of(record),
                citizen_facing: record.citizen_facing,
            }),
            RegisterPlan::Unchanged(_) => None,
        })
        .collect();
    let file = ImportFile {
        kind: KIND,
        file_name: name,
        sha256: &run.sha256,
        rows: run.table.rows.len(),
    };
    let who = u.who();
    let done = st
        .store
        .import_register(&who, &file, &steps, st.now(), tick)
        .await?;
    remember(st, &who, KIND, &run.table, &run.mapping).await?;
    Ok((Ok(run), Some(done)))
}

fn fields_of(r: &RegisterRecord) -> RegisterFields {
    RegisterFields {
        service_name: r.service_name.clone(),
        provider_name: r.provider_name.clone(),
        purpose: r.purpose.clone(),
        classification: r.classification.clone(),
        period_of_use: r.period_of_use.clone(),
        applicant: r.applicant.clone(),
        user_scope: r.user_scope.clone(),
        administrator: r.administrator.clone(),
    }
}

/// The services the rows name and their entries, read for the file's values only.
async fn context(
    st: &AppState,
    table: &Table,
    mapping: &Mapping,
    units: Option<Vec<i64>>,
) -> AppResult<RegisterContext> {
    let mut ctx = RegisterContext {
        allowed: super::allowed_units(st, units).await?,
        ..Default::default()
    };
    let pairs = super::named_services(table, mapping, "service_name", "provider_name");
    for (name, provider) in pairs {
        let Some(s) = st
            .store
            .services_named(&name, &provider)
            .await?
            .into_iter()
            .next()
        else {
            continue;
        };
        ctx.services.insert((name, provider), (s.id, s.org_unit_id));
        if let Some(e) = st.store.register_entry_of_service(s.id).await? {
            let record = RegisterRecord {
                service_name: e.service_name,
                provider_name: e.provider_name,
                purpose: e.purpose,
                classification: e.classification,
                period_of_use: e.period_of_use,
                applicant: e.applicant,
                user_scope: e.user_scope,
                administrator: e.administrator,
                citizen_facing: e.citizen_facing,
            };
            let seen = Existing {
                id: e.id,
                version: e.version,
            };
            ctx.existing.insert(s.id, (seen, record));
        }
    }
    Ok(ctx)
}
