//! `gaibu ismap import FILE` and `gaibu ismap cross-check`: the ISMAP and ISMAP-LIU lists
//! (issue 11). An import reads an .xlsx or CSV file, maps its columns (from its headers, or
//! `--map field=COLUMN`), checks every row and prints the mapping and every error with its row
//! and column; with `--check` nothing is written, else the file is kept whole as a new dated
//! version (nothing at all when a row has an error) and the cross-check runs.

use super::{DbArgs, app_err, operator};
use crate::i18n::{Lang, Tr};
use crate::import::Refused;
use crate::import::table::{Encoding, Limits, read_bounded};
use crate::ismap::{self, Checked, Summary};
use crate::server;
use crate::state::Config;
use clap::{Args, Subcommand};
use gaibu_domain::ismap::{FIELDS, ListKind};
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum IsmapCommand {
    /// Import a downloaded ISMAP or ISMAP-LIU list (.xlsx or .csv) as a new dated version, then
    /// cross-check the services that claim a registration; `--check` only reads and checks it
    Import(IsmapImportArgs),
    /// Cross-check every service in operation that claims a registration against the newest
    /// lists: each new flag opens a re-check of the service (S6.1)
    CrossCheck {
        /// Check as of this day (YYYY-MM-DD), e.g. to rehearse a date ahead
        #[arg(long)]
        as_of: Option<jiff::civil::Date>,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Args, Debug)]
pub struct IsmapImportArgs {
    /// The .xlsx or .csv file as downloaded
    pub file: PathBuf,
    /// Which list it is: `ismap` or `ismap-liu`
    #[arg(long, default_value = "ismap")]
    pub kind: String,
    /// Which column holds a field, e.g. `number=A` or `valid_until=7`; repeat for each field
    /// (number, service_name, provider, scope, registered_on, audit_period, valid_until,
    /// status). Without any, the columns are taken from the headers
    #[arg(long = "map", value_name = "FIELD=COLUMN")]
    pub map: Vec<String>,
    /// Read and check every row, print the mapping and the errors; write nothing
    #[arg(long)]
    pub check: bool,
    /// A CSV file's encoding: `auto`, `utf-8` or `shift_jis`
    #[arg(long, default_value = "auto")]
    pub encoding: String,
    /// Messages in this language (`ja` or `en`)
    #[arg(long, default_value = "ja")]
    pub lang: String,
    #[command(flatten)]
    pub db: DbArgs,
}

pub async fn ismap(c: IsmapCommand) -> anyhow::Result<i32> {
    match c {
        IsmapCommand::Import(a) => import(a).await,
        IsmapCommand::CrossCheck { as_of, db } => {
            let st = server::open(&db.url()?, Config::default()).await?;
            let today = as_of.unwrap_or_else(|| st.today());
            let s = ismap::cross_check(&st, &operator(), today)
                .await
                .map_err(app_err)?;
            print_summary(&s);
            Ok(0)
        }
    }
}

async fn import(a: IsmapImportArgs) -> anyhow::Result<i32> {
    let Some(kind) = ListKind::parse(&a.kind) else {
        anyhow::bail!("--kind is ismap or ismap-liu");
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
    let checked = match ismap::check(&st, kind, &name, &bytes, encoding, &map)
        .await
        .map_err(app_err)?
    {
        Ok(c) => c,
        Err(Refused::File(e)) => anyhow::bail!("{name}: {}", t.error(e.code())),
        Err(Refused::Mapping(errs, _)) => {
            for e in errs {
                let field = e.field.trim_start_matches("map.");
                eprintln!("--map {field}: {}", t.error(e.code));
            }
            return Ok(2);
        }
    };
    print_check(&checked, t);
    if !checked.is_clean() {
        println!("nothing imported: correct the rows above");
        return Ok(1);
    }
    if a.check {
        println!("nothing written (--check)");
        return Ok(0);
    }
    let (list, summary) = ismap::import(&st, &operator(), &checked)
        .await
        .map_err(app_err)?;
    println!(
        "{}: version #{} kept ({} registrations, sha256 {})",
        ismap::kind_label(t, list.kind),
        list.id,
        list.row_count,
        list.sha256
    );
    print_summary(&summary);
    Ok(0)
}

fn print_check(c: &Checked, t: Tr) {
    println!("{}: {} rows", c.file_name, c.rows.len());
    for (key, _) in FIELDS {
        let place = c.place(key);
        if !place.is_empty() {
            println!("  {key} ← {place}");
        }
    }
    for (row, place, code) in c.row_errors() {
        println!("row {row}: error in {place}: {}", t.error(code));
    }
    println!("{} rows with errors", c.errors());
}

fn print_summary(s: &Summary) {
    if s.no_list {
        println!("no ISMAP list imported yet: nothing cross-checked");
        return;
    }
    for r in &s.raised {
        println!(
            "service #{}: {} {} — re-check #{} opened",
            r.service_id,
            r.number,
            r.finding.as_str(),
            r.recheck_id
        );
    }
    println!(
        "cross-checked {} services: {} ok, {} newly flagged, {} still flagged, {} cleared",
        s.checked,
        s.ok,
        s.raised.len(),
        s.kept,
        s.cleared
    );
}
