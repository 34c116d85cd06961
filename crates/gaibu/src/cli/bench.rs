//! `gaibu bench`: a seeded city for the load benchmark, and a ledger file for the import's.

use super::{DbArgs, app_err};
use crate::server;
use crate::state::Config;
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum BenchCommand {
    /// Fill an empty database with a city: org tree, users in every role, services in every
    /// state made through the real operations; prints a login, a password and an API token
    Seed {
        /// How many services to make
        #[arg(long)]
        services: usize,
        /// The seed of the random content (the same seed makes the same city)
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// How many services are made at once
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
        /// No progress bar
        #[arg(long)]
        quiet: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Write a ledger .xlsx file of ROWS services in the units LOGIN oversees, each naming an
    /// administrator there, for `gaibu import ledger` (the import benchmark, the demo)
    LedgerFile {
        #[arg(long)]
        rows: usize,
        /// Whose units the services are of
        #[arg(long = "as", value_name = "LOGIN")]
        as_login: String,
        /// The services' names start with this
        #[arg(long, default_value = "既存サービス")]
        prefix: String,
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
}

pub(super) async fn run(command: BenchCommand) -> anyhow::Result<i32> {
    match command {
        BenchCommand::Seed {
            services,
            seed,
            concurrency,
            quiet,
            db,
        } => {
            let opts = crate::bench::Options {
                services,
                seed,
                concurrency,
                progress: !quiet,
            };
            crate::bench::run_seed(&db.url()?, db.data_dir.join("evidence"), opts).await?;
            Ok(0)
        }
        BenchCommand::LedgerFile {
            rows,
            as_login,
            prefix,
            out,
            db,
        } => {
            let st = server::open(&db.url()?, Config::default()).await?;
            let user = crate::people::find_user(&st, &as_login)
                .await
                .map_err(app_err)?;
            let u = crate::auth::acting_as(&st, user.id)
                .await
                .map_err(app_err)?;
            let bytes = crate::import::sample::ledger_file(&st, &u, rows, &prefix, st.today())
                .await
                .map_err(app_err)?;
            std::fs::write(&out, bytes)?;
            println!("{rows} services written to {}", out.display());
            Ok(0)
        }
    }
}
