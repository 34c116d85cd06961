//! `gaibu directory sync [--check]` (issue 11): the city's directory read and compared with
//! gaibu's users; `--check` prints what would change and writes nothing, otherwise the changes
//! printed are applied (new users, names and mail, moves and leavers as a personnel rotation),
//! audited as the operator. A directory that cannot be read changes nothing and says why
//! (exit 2). Where the directory is and the bind credential are `LdapArgs`, as for `serve`.

use super::{DbArgs, operator};
use crate::directory::ldap::Connection;
use crate::directory::{self, DryRun};
use crate::i18n::{Lang, Tr};
use crate::server;
use crate::state::Config;
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// The city's directory, if any (`docs/directory.md`). The bind password is never a flag (it
/// would show in the process list): `GAIBU_LDAP_BIND_PASSWORD` or a file.
#[derive(Args, Debug, Clone)]
pub struct LdapArgs {
    /// The directory, e.g. ldaps://ad.city.lg.jp or ldap://127.0.0.1:389
    #[arg(long, env = "GAIBU_LDAP_URL")]
    pub ldap_url: Option<String>,
    /// The DN gaibu binds as (empty: anonymous), e.g. cn=gaibu,ou=サービス,o=本市
    #[arg(long, env = "GAIBU_LDAP_BIND_DN", default_value = "")]
    pub ldap_bind_dn: String,
    /// A file holding the bind password (else GAIBU_LDAP_BIND_PASSWORD)
    #[arg(long, env = "GAIBU_LDAP_BIND_PASSWORD_FILE")]
    pub ldap_bind_password_file: Option<PathBuf>,
    /// Upgrade ldap:// with StartTLS before binding
    #[arg(long, env = "GAIBU_LDAP_STARTTLS")]
    pub ldap_starttls: bool,
    /// How long connecting may take, in seconds (the whole read: ten times this)
    #[arg(long, env = "GAIBU_LDAP_TIMEOUT_SECONDS", default_value_t = 10)]
    pub ldap_timeout_seconds: u64,
}

impl LdapArgs {
    pub fn config(&self) -> anyhow::Result<Option<Connection>> {
        let Some(url) = &self.ldap_url else {
            return Ok(None);
        };
        if !(url.starts_with("ldap://") || url.starts_with("ldaps://")) {
            anyhow::bail!("--ldap-url: ldap://… or ldaps://…");
        }
        let bind_password = match &self.ldap_bind_password_file {
            Some(path) => std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("--ldap-bind-password-file {}: {e}", path.display()))?
                .trim_end_matches(['\r', '\n'])
                .to_string(),
            None => std::env::var("GAIBU_LDAP_BIND_PASSWORD").unwrap_or_default(),
        };
        Ok(Some(Connection {
            url: url.clone(),
            bind_dn: self.ldap_bind_dn.clone(),
            bind_password,
            starttls: self.ldap_starttls,
            timeout: std::time::Duration::from_secs(self.ldap_timeout_seconds.max(1)),
        }))
    }
}

#[derive(Subcommand, Debug)]
pub enum DirectoryCommand {
    /// Bring users in step with the directory: new users, names and mail, moves and leavers
    Sync {
        /// Print what would change; write nothing
        #[arg(long)]
        check: bool,
        /// Messages in this language (`ja` or `en`)
        #[arg(long, default_value = "ja")]
        lang: String,
        #[command(flatten)]
        ldap: LdapArgs,
        #[command(flatten)]
        db: DbArgs,
    },
}

pub(super) async fn run(command: DirectoryCommand) -> anyhow::Result<i32> {
    let DirectoryCommand::Sync {
        check,
        lang,
        ldap,
        db,
    } = command;
    let t = Tr::new(Lang::parse(&lang).ok_or_else(|| anyhow::anyhow!("--lang is ja or en"))?);
    let cfg = Config {
        directory: ldap.config()?,
        ..Config::default()
    };
    let st = server::open(&db.url()?, cfg).await?;
    let who = operator();
    let run = match directory::dry_run(&st, &who).await {
        Ok(r) => r,
        Err(e) => return Ok(refused(t, e)),
    };
    print(t, &run);
    if !run.is_clean() {
        eprintln!("{}", t.directory_rotation_errors());
        for (i, e) in run.rotation.plan.errors() {
            let login = run.rotation.moves.get(i).map(|m| m.login.as_str());
            eprintln!("  {}: {}", login.unwrap_or(""), t.error(e.code));
        }
        return Ok(1);
    }
    if check || run.plan.is_empty() {
        return Ok(0);
    }
    match directory::sync(&st, &who, Some(&run.fingerprint)).await {
        Ok(done) => {
            println!(
                "{}",
                t.directory_synced()
                    .replace("{created}", &done.created.to_string())
                    .replace("{updated}", &done.updated.to_string())
                    .replace("{moved}", &done.moved.to_string())
                    .replace("{deactivated}", &done.deactivated.to_string())
            );
            Ok(0)
        }
        Err(e) => Ok(refused(t, e)),
    }
}

/// Says why nothing was done; the exit code.
fn refused(t: Tr, e: directory::SyncError) -> i32 {
    let (e, detail) = e.app();
    match &e {
        crate::error::AppError::Refused(code) => eprintln!("{}", t.error(code.as_str())),
        crate::error::AppError::Invalid(errs) => {
            for f in errs {
                eprintln!("{}: {}", f.field, t.error(f.code));
            }
        }
        other => eprintln!("{other}"),
    }
    if let Some(d) = detail {
        eprintln!("{} {d}", t.directory_unreachable_hint());
    }
    2
}

fn print(t: Tr, run: &DryRun) {
    let p = &run.plan;
    for (label, n) in [
        (t.directory_count_entries(), p.entries),
        (t.directory_count_created(), p.creates.len()),
        (t.directory_count_updates(), p.updates.len()),
        (t.directory_count_moves(), p.moves.len()),
        (t.directory_count_leavers(), p.leavers.len()),
        (t.directory_count_unknown_units(), p.unknown_units.len()),
        (t.directory_count_problems(), p.problems.len()),
    ] {
        println!("{label}: {n}");
    }
    for c in &p.creates {
        let what = t.directory_count_created();
        println!(
            "+ {what}: {} {} {} {}",
            c.login, c.display_name, c.unit_code, c.position
        );
    }
    for u in &p.updates {
        let mut what = Vec::new();
        if let Some((a, b)) = &u.display_name {
            what.push(format!("{}: {a} → {b}", t.directory_change_name()));
        }
        if let Some((a, b)) = &u.email {
            what.push(format!("{}: {a} → {b}", t.directory_change_email()));
        }
        if u.link {
            what.push(t.directory_change_linked().to_string());
        }
        println!("~ {}: {}", u.login, what.join(", "));
    }
    for m in &p.moves {
        println!(
            "> {} {}: {} {} → {} {}",
            m.login, m.display_name, m.from_unit, m.from_position, m.to_unit, m.to_position
        );
    }
    for l in &p.leavers {
        println!(
            "- {} {} ({})",
            l.login,
            l.display_name,
            t.directory_count_leavers()
        );
    }
    for u in &p.unknown_units {
        let label = t.directory_count_unknown_units();
        println!("? {label}: {} ({})", u.value, u.logins.join(", "));
    }
    for e in &p.problems {
        println!("! {} {}: {}", e.login, e.dn, t.error(e.code));
    }
    if p.is_empty() {
        println!("{}", t.directory_no_changes());
    }
}
