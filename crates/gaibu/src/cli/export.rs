//! `gaibu export`: a list to a file, as a user sees it on its page (their scope, language and
//! date style), with the page's filters; audited like a download.

use super::{DbArgs, app_err};
use crate::export::{Format, Job, ListKind, RowCx, Taken};
use crate::i18n::{Lang, Tr};
use crate::server;
use crate::state::Config;
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// The list: `services` (the ledger), `register` (the usage register), `applications`,
    /// `checks` (the periodic checks due), `rechecks`, `corrective-actions`, `terminations`,
    /// `check-orders` or `accounts` (a service's official accounts: with `--service`)
    pub list: String,
    /// The service whose list it is (`accounts`)
    #[arg(long, value_name = "ID")]
    pub service: Option<i64>,
    /// `xlsx`, `csv` (UTF-8 with a byte-order mark) or `csv-sjis` (Shift_JIS, CP932: a character
    /// it cannot hold is written as its closest form or `?`, and counted)
    #[arg(long, default_value = "xlsx")]
    pub format: String,
    /// A filter as in the list page's URL, e.g. `status=in_operation`; repeat for more
    #[arg(long = "filter", value_name = "KEY=VALUE")]
    pub filters: Vec<String>,
    /// The list as this user sees it: their units, their language and date style
    #[arg(long = "as", value_name = "LOGIN")]
    pub as_login: String,
    /// Headers in this language (`ja` or `en`) instead of the user's
    #[arg(long)]
    pub lang: Option<String>,
    /// The file to write
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub db: DbArgs,
}

pub(super) async fn export(a: ExportArgs) -> anyhow::Result<i32> {
    let Some(kind) = ListKind::parse(&a.list) else {
        let known: Vec<&str> = ListKind::ALL.iter().map(|k| k.as_str()).collect();
        anyhow::bail!("unknown list {:?}: one of {}", a.list, known.join(", "));
    };
    let Some(format) = Format::parse(&a.format) else {
        anyhow::bail!("unknown format {:?}: xlsx, csv or csv-sjis", a.format);
    };
    let mut pairs = Vec::new();
    for f in &a.filters {
        let Some((k, v)) = f.split_once('=') else {
            anyhow::bail!("a filter is KEY=VALUE: {f:?}");
        };
        pairs.push((k.trim().to_string(), v.to_string()));
    }
    let qs = serde_urlencoded::to_string(&pairs)?;
    let st = server::open(&a.db.url()?, Config::default()).await?;
    let user = crate::people::find_user(&st, &a.as_login)
        .await
        .map_err(app_err)?;
    let u = crate::auth::acting_as(&st, user.id)
        .await
        .map_err(app_err)?;
    // The same rules as the pages: a contractor's person sees their own sheets only, and a
    // System Administrator takes no business list (separation of duties).
    if u.user.contractor_id.is_some() || u.has_role(gaibu_domain::role::Role::SystemAdministrator) {
        anyhow::bail!(
            "{} may not take this list (a contractor's person or a System Administrator)",
            a.as_login
        );
    }
    let lang = match a.lang.as_deref() {
        None => u.lang,
        Some(l) => Lang::parse(l).ok_or_else(|| anyhow::anyhow!("--lang is ja or en"))?,
    };
    let t = Tr::new(lang).with_dates(u.date_style);
    if kind.of_record() && a.service.is_none() {
        anyhow::bail!("{} is a service's list: give --service ID", kind.as_str());
    }
    let job = Job::open(&st, &u, kind, a.service, &qs)
        .await
        .map_err(app_err)?;
    let (kind, filters) = (job.kind, job.filters.clone());
    let rc = RowCx::load(&st, t).await.map_err(app_err)?;
    let written = crate::export::write(&st, job, &rc, format, &a.out)
        .await
        .map_err(app_err)?;
    Taken {
        who: u.who(),
        kind,
        filters,
        format,
        via: "cli",
        rows: written.rows,
        replaced: written.replaced,
    }
    .record(&st, true)
    .await
    .map_err(app_err)?;
    println!(
        "{}: {} rows of {} as {}",
        a.out.display(),
        written.rows,
        kind.as_str(),
        format.as_str()
    );
    if written.replaced > 0 {
        eprintln!(
            "{} characters Shift_JIS cannot hold were written as their closest form or '?'",
            written.replaced
        );
    }
    Ok(0)
}
