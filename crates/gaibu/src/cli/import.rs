//! `gaibu import ledger FILE --check`: the dry run of a ledger import (issue 11). Reads an
//! .xlsx or CSV file, maps its columns (from its headers, or `--map field=COLUMN`), checks every
//! row against the city's data and prints what each would do and every error with its row and
//! column. Writes nothing; exits 1 when a row has an error.

use super::{DbArgs, app_err};
use crate::i18n::{Lang, Tr};
use crate::import::ledger::{Refused, dry_run};
use crate::import::table::{Encoding, Limits, read_bounded};
use crate::server;
use crate::state::Config;
use clap::Args;
use gaibu_domain::import::Plan;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// What the file holds: `ledger` (the information-system ledger)
    pub kind: String,
    /// The .xlsx or .csv file
    pub file: PathBuf,
    /// Check every row and print what it would do; nothing is written (the only mode yet)
    #[arg(long)]
    pub check: bool,
    /// A CSV file's encoding: `auto` (UTF-8 when it reads as UTF-8, else Shift_JIS), `utf-8`
    /// or `shift_jis`
    #[arg(long, default_value = "auto")]
    pub encoding: String,
    /// Which column holds a field, e.g. `name=B` or `administrator=5`; repeat for each field.
    /// Without any, the columns are taken from the headers
    #[arg(long = "map", value_name = "FIELD=COLUMN")]
    pub map: Vec<String>,
    /// Messages in this language (`ja` or `en`)
    #[arg(long, default_value = "ja")]
    pub lang: String,
    #[command(flatten)]
    pub db: DbArgs,
}

pub(super) async fn import(a: ImportArgs) -> anyhow::Result<i32> {
    if a.kind != "ledger" {
        anyhow::bail!("unknown kind {:?}: ledger", a.kind);
    }
    if !a.check {
        anyhow::bail!("only the dry run is available yet: add --check");
    }
    let Some(encoding) = Encoding::parse(&a.encoding) else {
        anyhow::bail!("--encoding is auto, utf-8 or shift_jis");
    };
    let t = Tr::new(Lang::parse(&a.lang).ok_or_else(|| anyhow::anyhow!("--lang is ja or en"))?);
    let mut map = Vec::new();
    for m in &a.map {
        let Some((k, v)) = m.split_once('=') else {
            anyhow::bail!("a mapping is FIELD=COLUMN: {m:?}");
        };
        map.push((k.trim().to_string(), v.trim().to_string()));
    }
    let file = std::fs::File::open(&a.file)?;
    let name = a
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let bytes = match read_bounded(file, &Limits::default()) {
        Ok(b) => b,
        Err(e) => anyhow::bail!("{name}: {}", t.error(e.code())),
    };
    let st = server::open(&a.db.url()?, Config::default()).await?;
    let run = match dry_run(&st, &name, &bytes, encoding, &map)
        .await
        .map_err(app_err)?
    {
        Ok(r) => r,
        Err(Refused::File(e)) => anyhow::bail!("{name}: {}", t.error(e.code())),
        Err(Refused::Mapping(errs)) => {
            for e in errs {
                eprintln!(
                    "--map {}: {}",
                    e.field.trim_start_matches("map."),
                    t.error(e.code)
                );
            }
            return Ok(2);
        }
    };
    println!("{name}: {} rows", run.table.rows.len());
    for (key, _) in gaibu_domain::import::LEDGER_FIELDS {
        let place = run.mapping.place(&run.table, key);
        if !place.is_empty() {
            println!("  {key} ← {place}");
        }
    }
    for r in &run.check.rows {
        match &r.result {
            Ok(Plan::Create(rec)) => println!("row {}: create {}", r.row, rec.name),
            Ok(Plan::Update(id, rec)) => println!("row {}: update #{id} {}", r.row, rec.name),
            Ok(Plan::Unchanged(id)) => println!("row {}: unchanged #{id}", r.row),
            Err(errs) => {
                for e in errs {
                    println!(
                        "row {}: error in {}: {}",
                        r.row,
                        run.mapping.place(&run.table, e.field),
                        t.error(e.code)
                    );
                }
            }
        }
    }
    let c = &run.check;
    let errors = c.rows.iter().filter(|r| r.result.is_err()).count();
    println!(
        "{} to create, {} to update, {} unchanged, {} with errors — nothing written (--check)",
        c.count(|p| matches!(p, Plan::Create(_))),
        c.count(|p| matches!(p, Plan::Update(..))),
        c.count(|p| matches!(p, Plan::Unchanged(_))),
        errors
    );
    Ok(if errors == 0 { 0 } else { 1 })
}
