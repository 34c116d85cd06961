//! `gaibu rotation FILE --as LOGIN [--check]` (issue 11): the April personnel rotation from an
//! .xlsx or CSV file, as the System Administrator applies it on the page: every move printed
//! with what it changes (roles, services, applications, official accounts) and every error
//! with its row and column. Without `--check` a clean file is applied in one transaction; a
//! file with one bad row applies nothing and exits 1.

use super::{DbArgs, app_err};
use crate::i18n::{Lang, Tr};
use crate::import::Refused;
use crate::import::table::{Encoding, Limits, read_bounded};
use crate::rotation::{file, view};
use crate::server;
use crate::state::Config;
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct RotationArgs {
    /// The .xlsx or .csv file: login (staff number), new org unit (code or name), position,
    /// effective date (Western or Japanese era) and whether the person leaves the city
    pub file: PathBuf,
    /// The System Administrator who applies it; the audit trail names them
    #[arg(long = "as", value_name = "LOGIN")]
    pub as_login: String,
    /// Check every row and print what it would do; nothing is written
    #[arg(long)]
    pub check: bool,
    /// A CSV file's encoding: `auto`, `utf-8` or `shift_jis`
    #[arg(long, default_value = "auto")]
    pub encoding: String,
    /// Which column holds a field (`login`, `org_unit`, `position`, `effective_on`,
    /// `leaves`), e.g. `login=A`; repeat for each field
    #[arg(long = "map", value_name = "FIELD=COLUMN")]
    pub map: Vec<String>,
    /// Messages in this language (`ja` or `en`)
    #[arg(long, default_value = "ja")]
    pub lang: String,
    #[command(flatten)]
    pub db: DbArgs,
}

pub(super) async fn rotation(a: RotationArgs) -> anyhow::Result<i32> {
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
    crate::people::require_system_administrator(&st, &u, "rotation.apply")
        .await
        .map_err(app_err)?;
    let checked = file::check(&st, &name, &bytes, encoding, &map, st.today())
        .await
        .map_err(app_err)?;
    let checked = match checked {
        Ok(c) => c,
        Err(Refused::File(e)) => {
            eprintln!("{name}: {}", t.error(e.code()));
            return Ok(1);
        }
        Err(Refused::Mapping(errs, _)) => {
            for e in errs {
                eprintln!("{name}: {}: {}", e.field, t.error(e.code));
            }
            return Ok(1);
        }
    };
    let units = crate::auth::org_units(&st).await.map_err(app_err)?;
    for v in view::views(t, &units, &checked.preview, Some(&checked)) {
        print_move(&v, t);
    }
    if !checked.is_clean() {
        println!("{}", t.rotation_errors());
        return Ok(1);
    }
    if a.check {
        println!("{}", t.rotation_clean());
        return Ok(0);
    }
    let done = file::apply(&st, &u.who(), &name, &checked)
        .await
        .map_err(app_err)?;
    println!(
        "{}",
        t.rotation_applied()
            .replace("{applied}", &done.applied.to_string())
            .replace("{scheduled}", &done.scheduled.to_string())
    );
    Ok(0)
}

fn print_move(v: &view::MoveView, t: Tr) {
    let row = v
        .row
        .map(|r| format!("{} {r}: ", t.import_row()))
        .unwrap_or_default();
    if !v.errors.is_empty() {
        for e in &v.errors {
            println!("{row}{} [{}] {}", v.login, e.column, e.message);
        }
        return;
    }
    let when = match (v.unchanged, v.scheduled) {
        (true, _) => format!(" ({})", t.rotation_unchanged()),
        (false, true) => format!(" ({})", t.rotation_scheduled()),
        _ => String::new(),
    };
    println!(
        "{row}{} {}: {} → {} [{}]{when}",
        v.login, v.name, v.from, v.to, v.effective_on
    );
    for r in &v.roles_ended {
        println!("    - {}: {r}", t.rotation_roles_ended());
    }
    for r in &v.roles_added {
        println!("    + {}: {r}", t.rotation_roles_added());
    }
    for s in &v.services {
        println!(
            "    {}: {} ({})",
            t.rotation_services(),
            s.name,
            s.concern_label
        );
    }
    for s in &v.applications {
        println!(
            "    {}: {} ({})",
            t.rotation_applications(),
            s.name,
            s.concern_label
        );
    }
    for acc in &v.accounts {
        println!(
            "    {}: {} ({})",
            t.rotation_accounts(),
            acc.account_id,
            acc.service_name
        );
    }
}
