//! The `gaibu` command line.

use crate::people::{self, OrgUnitInput};
use crate::server;
use crate::state::{Config, EvidenceStore};
use clap::{Args, Parser, Subcommand};
use gaibu_store::Who;
use std::path::PathBuf;

mod audit;
mod bench;
pub use bench::BenchCommand;
mod directory;
pub use directory::{DirectoryCommand, LdapArgs};
mod export;
mod import;
mod ismap;
pub use ismap::IsmapCommand;
mod policy;
mod rotation;
mod serve_args;
pub use serve_args::{CheckpointArgs, SsoArgs};
mod user;
pub use audit::AuditCommand;
use audit::audit;
pub use policy::PolicyCommand;
use policy::policy;
pub use user::UserCommand;
use user::user;

#[derive(Parser, Debug)]
#[command(
    name = "gaibu",
    version,
    about = "外部サービス利用基準の運用 — governance of the external services a city uses"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone)]
pub struct DbArgs {
    /// sqlite://… or postgres://… (default: an SQLite file in the data dir)
    #[arg(long, env = "GAIBU_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Where the embedded database lives
    #[arg(long, env = "GAIBU_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
}

#[derive(Args, Debug, Clone)]
pub struct MailArgs {
    /// SMTP relay for notification e-mail, e.g. smtp://relay.city.lg.jp:25 (none: in-app only)
    #[arg(long, env = "GAIBU_SMTP_URL")]
    pub smtp_url: Option<String>,
    /// Sender address of notification e-mail
    #[arg(long, env = "GAIBU_MAIL_FROM", default_value = "gaibu@localhost")]
    pub mail_from: String,
    /// The address users reach the server at, for links in e-mail (default: http://LISTEN)
    #[arg(long, env = "GAIBU_PUBLIC_URL")]
    pub public_url: Option<String>,
}

impl MailArgs {
    pub fn config(&self, listen: &str) -> Option<crate::mail::MailConfig> {
        self.smtp_url.as_ref().map(|url| crate::mail::MailConfig {
            smtp_url: url.clone(),
            from: self.mail_from.clone(),
            public_url: self
                .public_url
                .clone()
                .unwrap_or_else(|| format!("http://{listen}")),
        })
    }
}

impl DbArgs {
    pub fn url(&self) -> anyhow::Result<String> {
        server::database_url(self.database_url.as_deref(), &self.data_dir)
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the web UI and the JSON API
    Serve {
        #[arg(long, env = "GAIBU_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        #[command(flatten)]
        db: DbArgs,
        /// Mark cookies Secure (when served over TLS, e.g. behind a load balancer)
        #[arg(long, env = "GAIBU_SECURE_COOKIES")]
        secure_cookies: bool,
        /// The largest evidence file accepted, in MB
        #[arg(long, env = "GAIBU_MAX_UPLOAD_MB", default_value_t = 20)]
        max_upload_mb: usize,
        /// Where evidence files are kept: `database` (every instance reaches them; the default
        /// on PostgreSQL) or `dir:/path` (the default on SQLite: DATA_DIR/evidence). With
        /// `database`, files not in it are still read from DATA_DIR/evidence.
        #[arg(long, env = "GAIBU_EVIDENCE_STORE")]
        evidence_store: Option<EvidenceStore>,
        /// A session unused this long ends, in minutes
        #[arg(long, env = "GAIBU_SESSION_IDLE_MINUTES", default_value_t = 60)]
        session_idle_minutes: i64,
        /// How long a session lasts at most, in hours
        #[arg(long, env = "GAIBU_SESSION_HOURS", default_value_t = 10)]
        session_hours: i64,
        /// How long an API token lives unless its maker says, in days
        #[arg(long, env = "GAIBU_TOKEN_DAYS", default_value_t = 90)]
        token_days: i64,
        /// The longest an API token may live, in days
        #[arg(long, env = "GAIBU_TOKEN_MAX_DAYS", default_value_t = 365)]
        token_max_days: i64,
        /// A connection is closed unless it sends a whole request header within this many
        /// seconds of the server waiting for one (slow or idle clients)
        #[arg(long, env = "GAIBU_HEADER_TIMEOUT_SECONDS", default_value_t = 30)]
        header_timeout_seconds: u64,
        #[command(flatten)]
        checkpoints: CheckpointArgs,
        #[command(flatten)]
        sso: SsoArgs,
        /// Boxed: `Serve` is the largest command already.
        #[command(flatten)]
        ldap: Box<LdapArgs>,
        #[command(flatten)]
        mail: MailArgs,
    },
    /// Run the server on a new demo database with demo users for every role
    Demo {
        #[arg(long, env = "GAIBU_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        /// A directory to try the sync with (`docs/directory.md`)
        #[command(flatten)]
        ldap: Box<LdapArgs>,
        #[command(flatten)]
        mail: MailArgs,
    },
    /// The audit trail
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Users, roles, passwords and API tokens (for administrators without the UI)
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Organisation units
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Policy versions (classification scheme, requirement sheets, account rules)
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// Evidence files' storage
    Evidence {
        #[command(subcommand)]
        command: EvidenceCommand,
    },
    /// The full-text search index
    Search {
        #[command(subcommand)]
        command: SearchCommand,
    },
    /// The load benchmark: fill a database with a city (see docs/benchmarks.md)
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// A list (ledger, usage register, applications, periodic checks due) to an .xlsx or CSV
    /// file, as a user sees it, with the page's filters; audited
    Export(export::ExportArgs),
    /// Check a ledger file (.xlsx or CSV) row by row against the city's data: what each row
    /// would create or update, and every error with its row and column (`--check`)
    Import(import::ImportArgs),
    /// The city's LDAP directory: bring users in step with it (`sync`, `--check` for a dry run)
    Directory {
        #[command(subcommand)]
        command: DirectoryCommand,
    },
    /// The ISMAP and ISMAP-LIU lists: import a downloaded list as a dated version, and
    /// cross-check the services that claim a registration
    Ismap {
        #[command(subcommand)]
        command: IsmapCommand,
    },
    /// The April personnel rotation from an .xlsx or CSV file: every move with what it changes
    /// and every error with its row and column; applied in one transaction unless `--check`
    Rotation(rotation::RotationArgs),
    /// Send the reminders of what falls due now (`serve` does this every five minutes)
    Reminders {
        /// Send them as they are due on this day (YYYY-MM-DD), e.g. to rehearse a date ahead
        #[arg(long)]
        as_of: Option<jiff::civil::Date>,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum EvidenceCommand {
    /// Copy the files of an evidence directory into the database (each checked against its
    /// hash), so that every instance reaches them; running it again copies nothing
    Migrate {
        /// The directory (default: DATA_DIR/evidence)
        #[arg(long)]
        from: Option<PathBuf>,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum SearchCommand {
    /// Build the search index afresh from the records (one transaction)
    Reindex {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Merge the search index's segments into one (SQLite; what `serve` does every few
    /// minutes), e.g. after a bulk load
    Merge {
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum OrgCommand {
    /// Add an org unit
    Add {
        #[arg(long)]
        code: String,
        #[arg(long)]
        name_ja: String,
        #[arg(long)]
        name_en: String,
        /// Parent code or id
        #[arg(long, default_value = "")]
        parent: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

fn operator() -> Who {
    let user = std::env::var("USER").unwrap_or_else(|_| "operator".into());
    Who {
        user_id: None,
        login: format!("cli:{user}"),
    }
}

fn app_err(e: crate::error::AppError) -> anyhow::Error {
    match e {
        crate::error::AppError::Invalid(f) => anyhow::anyhow!(
            "invalid input: {}",
            f.iter()
                .map(|f| format!("{} ({})", f.field, crate::i18n::error_msg(f.code).en()))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => anyhow::anyhow!("{other}"),
    }
}

/// Runs a command; returns the process exit code.
pub async fn run(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Serve {
            listen,
            db,
            secure_cookies,
            max_upload_mb,
            evidence_store,
            session_idle_minutes,
            session_hours,
            token_days,
            token_max_days,
            header_timeout_seconds,
            checkpoints,
            sso,
            ldap,
            mail,
        } => {
            if !(1 <= token_days && token_days <= token_max_days) {
                anyhow::bail!("--token-days must be from 1 to --token-max-days ({token_max_days})");
            }
            if session_idle_minutes < 1 || session_hours < 1 {
                anyhow::bail!("--session-idle-minutes and --session-hours must be 1 or more");
            }
            let public_url = mail
                .public_url
                .clone()
                .unwrap_or_else(|| format!("http://{listen}"));
            let sso = sso.config(&public_url)?;
            let url = db.url()?;
            let st = server::open(
                &url,
                Config {
                    secure_cookies,
                    evidence_store,
                    evidence_dir: db.data_dir.join("evidence"),
                    max_upload_bytes: max_upload_mb * 1024 * 1024,
                    session_idle_minutes,
                    session_hours,
                    token_days,
                    token_max_days,
                    header_timeout: std::time::Duration::from_secs(header_timeout_seconds.max(1)),
                    sso,
                    directory: ldap.config()?,
                    ..Config::default()
                },
            )
            .await?;
            if let (Some(key), Some(file)) =
                (&checkpoints.checkpoint_key, checkpoints.checkpoint_file)
            {
                let key = crate::checkpoints::signing_key(key)?;
                let every =
                    std::time::Duration::from_secs(60 * checkpoints.checkpoint_minutes.max(1));
                println!(
                    "audit checkpoints: {} every {} minutes",
                    file.display(),
                    every.as_secs() / 60
                );
                tokio::spawn(crate::checkpoints::every(
                    st.store.clone(),
                    key,
                    file,
                    every,
                ));
            }
            if st.store.count_users().await? == 0 {
                print_first_admin_help(&db);
            }
            let listener = server::bind(&listen).await?;
            let evidence = crate::evidence::storage(&st);
            println!(
                "gaibu: http://{} ({}; evidence: {evidence:?})",
                listener.local_addr()?,
                server::redact(&url)
            );
            if st.store.backend() == gaibu_store::Backend::Postgres
                && matches!(evidence, crate::evidence::EvidenceStorage::Local(_))
            {
                tracing::warn!(
                    "evidence is kept on this machine's disk: other instances reach it only if \
                     they mount the same directory (GAIBU_EVIDENCE_STORE=database keeps it in \
                     the database)"
                );
            }
            server::serve(st, listener, mail.config(&listen)).await?;
            Ok(0)
        }
        Command::Demo { listen, ldap, mail } => {
            crate::demo::run(&listen, mail.config(&listen), ldap.config()?)
                .await
                .map(|_| 0)
        }
        Command::Audit { command } => audit(command).await,
        Command::User { command } => user(command).await,
        Command::Org {
            command:
                OrgCommand::Add {
                    code,
                    name_ja,
                    name_en,
                    parent,
                    db,
                },
        } => {
            let st = server::open(&db.url()?, Config::default()).await?;
            let row = people::create_org_unit(
                &st,
                &operator(),
                &OrgUnitInput {
                    parent,
                    code,
                    name_ja,
                    name_en,
                },
            )
            .await
            .map_err(app_err)?;
            println!("org unit {} created (id {})", row.code, row.id);
            Ok(0)
        }
        Command::Policy { command } => policy(command).await,
        Command::Evidence {
            command: EvidenceCommand::Migrate { from, db },
        } => {
            let store = server::connect(&db.url()?).await?;
            let dir = from.unwrap_or_else(|| db.data_dir.join("evidence"));
            #[allow(clippy::disallowed_methods)] // the time a file was copied in
            let now = jiff::Timestamp::now();
            let done = crate::evidence::migrate_dir(&store, &dir, now).await?;
            for path in &done.skipped {
                eprintln!("skipped (its name is not its SHA-256): {}", path.display());
            }
            println!(
                "evidence from {}: {} copied into the database, {} there already, {} skipped",
                dir.display(),
                done.copied,
                done.present,
                done.skipped.len()
            );
            Ok(if done.skipped.is_empty() { 0 } else { 1 })
        }
        Command::Search {
            command: SearchCommand::Reindex { db },
        } => {
            let store = server::connect(&db.url()?).await?;
            let n = store.reindex_all().await?;
            println!("search index rebuilt: {n} documents");
            Ok(0)
        }
        Command::Search {
            command: SearchCommand::Merge { db },
        } => {
            let store = server::connect(&db.url()?).await?;
            server::merge_search_index(&store).await;
            for (doc, n) in store.search_segments().await? {
                println!("{}: {n} segment(s)", doc.as_str());
            }
            Ok(0)
        }
        Command::Bench { command } => bench::run(command).await,
        Command::Export(a) => export::export(a).await,
        Command::Import(a) => import::import(a).await,
        Command::Directory { command } => directory::run(command).await,
        Command::Rotation(a) => rotation::rotation(a).await,
        Command::Ismap { command } => ismap::ismap(command).await,
        Command::Reminders { as_of, db } => {
            let st = server::open(&db.url()?, Config::default()).await?;
            let today = as_of.unwrap_or_else(|| st.today());
            let moved = crate::rotation::apply_due(&st, today)
                .await
                .map_err(app_err)?;
            if moved > 0 {
                println!("{moved} scheduled rotation moves applied as of {today}");
            }
            let sent = crate::reminders::run(&st, today).await.map_err(app_err)?;
            println!("{sent} reminders sent as of {today}");
            Ok(0)
        }
    }
}

fn print_first_admin_help(db: &DbArgs) {
    let db_flag = match &db.database_url {
        Some(_) => " --database-url \"$GAIBU_DATABASE_URL\"".to_string(),
        None => format!(" --data-dir {}", db.data_dir.display()),
    };
    println!(
        "No users yet. Create the first System Administrator (a password is generated and shown once):\n  \
         gaibu org add --code CITY --name-ja 本市 --name-en City{db_flag}\n  \
         gaibu user create --login admin --name 'システム管理者' --org-unit CITY --role system_administrator{db_flag}"
    );
}
