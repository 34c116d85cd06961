//! `gaibu import KIND FILE --as LOGIN [--check]` (issue 11): brings a city's existing ledger or
//! usage register in from an .xlsx or CSV file. The columns are mapped from `--map field=COLUMN`,
//! else the mapping confirmed last for a file with these headers, else the headers; every row is
//! checked and what it would do printed, with every error's row and column. Without `--check`,
//! a clean file is written in one transaction (a progress bar on large files); a file with one
//! bad row writes nothing and exits 1.

use super::{DbArgs, app_err};
use crate::i18n::{Lang, Tr};
use crate::import::table::{Encoding, Limits, read_bounded};
use crate::import::{Checked, Doing, Kind, Refused, Upload, counts};
use crate::server;
use crate::state::Config;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;

/// Files of more rows than this get a progress bar while they are written.
const BAR_FROM: usize = 500;

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// What the file holds: `ledger` (the information-system ledger, S5.2.2-3: creates and
    /// updates services), `register` (the service usage register, S5.2.1-5) or `accounts`
    /// (official accounts of services in the ledger, S5.2.2-4)
    pub kind: String,
    /// The .xlsx or .csv file
    pub file: PathBuf,
    /// Who imports it (the CISO, an Information Security Manager, or an Information Manager
    /// for their own units); the audit trail names them
    #[arg(long = "as", value_name = "LOGIN")]
    pub as_login: String,
    /// Check every row and print what it would do; nothing is written
    #[arg(long)]
    pub check: bool,
    /// A CSV file's encoding: `auto` (UTF-8 when it reads as UTF-8, else Shift_JIS), `utf-8`
    /// or `shift_jis`
    #[arg(long, default_value = "auto")]
    pub encoding: String,
    /// Which column holds a field, e.g. `name=B` or `administrator=5`; repeat for each field.
    /// Without any, the mapping confirmed last for these headers, else the headers'
    #[arg(long = "map", value_name = "FIELD=COLUMN")]
    pub map: Vec<String>,
    /// Print every row, not only those with errors
    #[arg(long)]
    pub verbose: bool,
    /// Messages in this language (`ja` or `en`)
    #[arg(long, default_value = "ja")]
    pub lang: String,
    #[command(flatten)]
    pub db: DbArgs,
}

pub(super) async fn import(a: ImportArgs) -> anyhow::Result<i32> {
    let Some(kind) = Kind::parse(&a.kind) else {
        anyhow::bail!("unknown kind {:?}: ledger, register or accounts", a.kind);
    };
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
    let name = a
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let bytes = match read_bounded(std::fs::File::open(&a.file)?, &Limits::default()) {
        Ok(b) => b,
        Err(e) => anyhow::bail!("{name}: {}", t.error(e.code())),
    };
    let st = server::open(&a.db.url()?, Config::default()).await?;
    let user = crate::people::find_user(&st, &a.as_login)
        .await
        .map_err(app_err)?;
    let u = crate::auth::acting_as(&st, user.id)
        .await
        .map_err(app_err)?;
    let upload = Upload {
        name: &name,
        bytes: &bytes,
        encoding,
        map: &map,
    };
    let checked = crate::import::check(&st, &u, kind, &upload)
        .await
        .map_err(app_err)?;
    let checked = match checked {
        Ok(c) => c,
        Err(r) => return Ok(refused(&name, r, t)),
    };
    report(&name, kind, &checked, a.verbose || a.check, t);
    let [create, update, unchanged, errors] = counts(&checked.lines);
    if errors > 0 {
        println!(
            "{create} to create, {update} to update, {unchanged} unchanged, {errors} with errors — nothing written"
        );
        return Ok(1);
    }
    if a.check {
        println!(
            "{create} to create, {update} to update, {unchanged} unchanged — nothing written (--check)"
        );
        return Ok(0);
    }
    let bar = if create + update >= BAR_FROM {
        let b = ProgressBar::new((create + update) as u64);
        b.set_style(
            ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} rows {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        b
    } else {
        ProgressBar::hidden()
    };
    let tick = {
        let bar = bar.clone();
        move || bar.inc(1)
    };
    let (again, done) = crate::import::import(&st, &u, kind, &upload, &tick)
        .await
        .map_err(app_err)?;
    bar.finish_and_clear();
    match (again, done) {
        (_, Some(run)) => {
            println!(
                "imported #{}: {} created, {} updated, {unchanged} unchanged (sha256 {})",
                run.id, run.created, run.updated, run.sha256
            );
            Ok(0)
        }
        (Err(r), None) => Ok(refused(&name, r, t)),
        (Ok(c), None) => {
            // Changed between the check and the import: what it says now.
            report(&name, kind, &c, false, t);
            Ok(1)
        }
    }
}

fn refused(name: &str, r: Refused, t: Tr) -> i32 {
    match r {
        Refused::File(e) => {
            eprintln!("{name}: {}", t.error(e.code()));
            1
        }
        Refused::Mapping(errs, _) => {
            for e in errs {
                eprintln!(
                    "--map {}: {}",
                    e.field.trim_start_matches("map."),
                    t.error(e.code)
                );
            }
            2
        }
    }
}

/// The mapping in use and the rows: every row when `all`, else those with errors.
fn report(name: &str, kind: Kind, c: &Checked, all: bool, t: Tr) {
    println!("{name}: {} rows ({:?} mapping)", c.table.rows.len(), c.from);
    for target in kind.targets() {
        let place = c.mapping.place(&c.table, target.key);
        if !place.is_empty() {
            println!("  {} ← {place}", target.key);
        }
    }
    for l in &c.lines {
        match &l.what {
            Ok(Doing::Create(n)) if all => println!("row {}: create {n}", l.row),
            Ok(Doing::Update(id, n)) if all => println!("row {}: update #{id} {n}", l.row),
            Ok(Doing::Unchanged(id)) if all => println!("row {}: unchanged #{id}", l.row),
            Ok(_) => {}
            Err(errs) => {
                for e in errs {
                    println!(
                        "row {}: error in {}: {}",
                        l.row,
                        c.mapping.place(&c.table, e.field),
                        t.error(e.code)
                    );
                }
            }
        }
    }
}
