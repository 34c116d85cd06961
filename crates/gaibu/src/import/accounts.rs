//! An accounts file (公用アカウント, S5.2.2-4) brought in: each row an official account of a
//! service already in the ledger, checked with the hand form's rules (a private account is
//! refused, S5.2.1-6), then registered all or nothing with its file and row in the audit trail.

use super::mapping::{Mapping, Target};
use super::table::{Encoding, Table};
use super::{MappingFrom, Prepared, Refused, allowed_units, prepare, remember};
use crate::audit_denial::ruled;
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::i18n::{Lang, Tr};
use crate::policies;
use crate::state::AppState;
use gaibu_domain::account::{AccountKind, NewAccount};
use gaibu_domain::audit::Entity;
use gaibu_domain::import::accounts::{
    ACCOUNT_FIELDS, AccountCheck, AccountContext, AccountPlan, check_accounts,
};
use gaibu_domain::import::may_import;
use gaibu_store::ImportRow;
use std::collections::HashMap;

pub const KIND: &str = "accounts";

/// The fields with the headers they are recognised by: the accounts page's own labels in both
/// languages, then a city's likely words.
pub fn targets() -> Vec<Target> {
    let (ja, en) = (Tr::new(Lang::Ja), Tr::new(Lang::En));
    let names = |key: &str| -> Vec<&'static str> {
        let [j, e] = [ja, en].map(|t| match key {
            "service_name" => t.label_service_name(),
            "provider" => t.label_provider(),
            "account_id" => t.label_account_id(),
            "kind" => t.label_kind(),
            "holder_org_unit" => t.label_holder_org_unit(),
            "holder_position" => t.label_holder_position(),
            "created_on" => t.label_created_on(),
            _ => t.label_purpose(),
        });
        let extra: &[&'static str] = match key {
            "service_name" => &["サービス名"],
            "provider" => &["提供者", "事業者"],
            "account_id" => &["アカウント", "ID"],
            "kind" => &["種別"],
            "holder_org_unit" => &["所属"],
            "holder_position" => &["職名"],
            "created_on" => &["作成日"],
            _ => &["目的"],
        };
        [j, e].into_iter().chain(extra.iter().copied()).collect()
    };
    ACCOUNT_FIELDS
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
    pub check: AccountCheck,
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
                    Ok(AccountPlan::Create { account, .. }) => {
                        Ok(Doing::Create(account.account_id.clone()))
                    }
                    Ok(AccountPlan::Unchanged(id)) => Ok(Doing::Unchanged(*id)),
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
        may_import(&u.actor),
        "import.accounts",
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
    let rows = super::row_values(&table, &mapping, ACCOUNT_FIELDS);
    let check = check_accounts(rows, &ctx);
    Ok(Ok(DryRun {
        table,
        mapping,
        from,
        sha256,
        check,
    }))
}

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
    let steps: Vec<(usize, i64, &NewAccount)> = run
        .check
        .rows
        .iter()
        .filter_map(|r| match r.result.as_ref().ok()? {
            AccountPlan::Create {
                service_id,
                account,
            } => Some((r.row, *service_id, account)),
            AccountPlan::Unchanged(_) => None,
        })
        .collect();
    let file = gaibu_store::ImportFile {
        kind: KIND,
        file_name: name,
        sha256: &run.sha256,
        rows: run.table.rows.len(),
    };
    let who = u.who();
    let done = st
        .store
        .import_accounts(&who, &file, &steps, st.now(), tick)
        .await?;
    remember(st, &who, KIND, &run.table, &run.mapping).await?;
    Ok((Ok(run), Some(done)))
}

async fn context(
    st: &AppState,
    table: &Table,
    mapping: &Mapping,
    units: Option<Vec<i64>>,
) -> AppResult<AccountContext> {
    let rules = policies::account_rules_in_force(st).await?.doc;
    let org_units = super::unit_names(st).await?;
    let mut kinds = HashMap::new();
    for k in [AccountKind::User, AccountKind::Admin, AccountKind::Shared] {
        for t in [Tr::new(Lang::Ja), Tr::new(Lang::En)] {
            kinds.insert(
                t.account_kind(k.as_str()).to_string(),
                k.as_str().to_string(),
            );
        }
    }
    let mut ctx = AccountContext {
        rules,
        services: HashMap::new(),
        org_units,
        kinds,
        existing: HashMap::new(),
        allowed: allowed_units(st, units).await?,
    };
    let pairs = super::named_services(table, mapping, "service_name", "provider");
    for (name, provider) in pairs {
        // Accounts are registered for services in use: never for a retired one (S7.2).
        let Some(s) = st
            .store
            .services_named(&name, &provider)
            .await?
            .into_iter()
            .find(|s| s.ledger_status != Some(gaibu_domain::ledger::LedgerStatus::Retired))
        else {
            continue;
        };
        ctx.services.insert((name, provider), (s.id, s.org_unit_id));
        for a in st.store.accounts(s.id).await? {
            let now = NewAccount {
                account_id: a.account_id.clone(),
                kind: a.kind,
                holder_org_unit: a.holder_org_unit_id,
                holder_position: a.holder_position,
                created_on: a.created_on,
                purpose: a.purpose,
            };
            ctx.existing.insert((s.id, a.account_id), (a.id, now));
        }
    }
    Ok(ctx)
}
