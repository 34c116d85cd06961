//! A ledger file checked against the city's data, row by row (the dry run of issue 11): what
//! each row would create or update, and every error with its row and column. Nothing is
//! written.

use super::mapping::{Mapping, Target};
use super::table::{Encoding, Limits, Table, read};
use crate::error::AppResult;
use crate::i18n::{Lang, Tr};
use crate::policies;
use crate::state::AppState;
use gaibu_domain::import::{LEDGER_FIELDS, LedgerCheck, LedgerContext, LedgerRecord, check_ledger};
use std::collections::BTreeMap;

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
                "格付",
            ],
            "administrator" => vec![ja.label_administrator(), en.label_administrator(), "管理者"],
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

/// A file read, its mapping (confirmed pairs `map.<field>` = column, or guessed from the
/// headers when none are given) and every row checked.
pub struct DryRun {
    pub table: Table,
    pub mapping: Mapping,
    pub check: LedgerCheck,
}

/// Why a dry run could not check rows: the file, or the mapping (field errors by `map.<key>`).
#[derive(Debug)]
pub enum Refused {
    File(super::table::ReadError),
    Mapping(Vec<gaibu_domain::FieldError>),
}

pub async fn dry_run(
    st: &AppState,
    name: &str,
    bytes: &[u8],
    encoding: Encoding,
    map: &[(String, String)],
) -> AppResult<Result<DryRun, Refused>> {
    let table = match read(name, bytes, encoding, &Limits::default()) {
        Ok(t) => t,
        Err(e) => return Ok(Err(Refused::File(e))),
    };
    let targets = targets();
    // The confirmed mapping, or the one the headers suggest; checked against the file either way.
    let pairs: Vec<(String, String)> = if map.is_empty() {
        Mapping::guess(&table.headers, &targets)
            .0
            .iter()
            .map(|(k, i)| (format!("map.{k}"), (i + 1).to_string()))
            .collect()
    } else {
        map.iter()
            .map(|(k, v)| (format!("map.{k}"), v.clone()))
            .collect()
    };
    let mapping = match Mapping::from_form(
        pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        &targets,
        table.headers.len(),
    ) {
        Ok(m) => m,
        Err(errs) => return Ok(Err(Refused::Mapping(errs))),
    };
    let ctx = context(st, &table, &mapping).await?;
    let rows = table.rows.iter().map(|r| {
        let values: BTreeMap<&'static str, &str> = LEDGER_FIELDS
            .iter()
            .map(|(k, _)| (*k, mapping.get(&r.cells, k)))
            .collect();
        (r.number, values)
    });
    let check = check_ledger(rows, &ctx);
    Ok(Ok(DryRun {
        table,
        mapping,
        check,
    }))
}

/// What the city has that the file's rows name: org units (by code or name), the levels of the
/// classification in force (by code or label), the people named (by login) and the services
/// the rows name — read for the values in the file only, never whole tables.
async fn context(st: &AppState, table: &Table, mapping: &Mapping) -> AppResult<LedgerContext> {
    let mut ctx = LedgerContext::default();
    for u in crate::auth::org_units(st).await?.iter() {
        for key in [&u.code, &u.name_ja, &u.name_en] {
            ctx.org_units.insert(key.clone(), u.id);
        }
    }
    let scheme = policies::scheme_in_force(st).await?;
    for l in &scheme.doc.confidentiality {
        for key in [&l.code, &l.label_ja, &l.label_en] {
            ctx.levels.insert(key.clone(), l.code.clone());
        }
    }
    let distinct = |key: &str| -> std::collections::BTreeSet<String> {
        table
            .rows
            .iter()
            .map(|r| mapping.get(&r.cells, key).to_string())
            .filter(|v| !v.is_empty())
            .collect()
    };
    for login in distinct("administrator") {
        if let Some(u) = st.store.user_by_login(&login).await? {
            ctx.people.insert(login, u.id);
        }
    }
    let pairs: std::collections::BTreeSet<(String, String)> = table
        .rows
        .iter()
        .map(|r| {
            (
                mapping.get(&r.cells, "name").to_string(),
                mapping.get(&r.cells, "provider").to_string(),
            )
        })
        .filter(|(n, p)| !n.is_empty() && !p.is_empty())
        .collect();
    for (name, provider) in pairs {
        // The first service of that name and provider is the one a row updates.
        if let Some(s) = st
            .store
            .services_named(&name, &provider)
            .await?
            .into_iter()
            .next()
            && let Some(registered_on) = s.registered_on
        {
            let record = LedgerRecord {
                name: s.name.clone(),
                provider: s.provider.clone(),
                org_unit: s.org_unit_id,
                confidentiality: s.confidentiality.clone(),
                administrator: s.administrator_id,
                registered_on,
                system_name: s.system_name.clone().unwrap_or_default(),
                in_scope: s.in_scope,
                note: s.ledger_note.clone().unwrap_or_default(),
            };
            ctx.existing.insert((name, provider), (s.id, record));
        }
    }
    Ok(ctx)
}
