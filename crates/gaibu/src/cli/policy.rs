//! `gaibu policy`: load the city's own version of a policy file, pending the CISO's approval
//! (S1.3), and list the versions.

use super::{DbArgs, app_err, operator};
use crate::server;
use crate::state::Config;
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum PolicyCommand {
    /// Load a policy file as a pending version (a CISO approves it in the UI)
    Load {
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List policy versions
    List {
        #[command(flatten)]
        db: DbArgs,
    },
}

pub(super) async fn policy(cmd: PolicyCommand) -> anyhow::Result<i32> {
    match cmd {
        PolicyCommand::Load { file, db } => {
            let text = std::fs::read_to_string(&file)?;
            let st = server::open(&db.url()?, Config::default()).await?;
            let (row, new) = crate::policies::load_text(&st, &operator(), &text)
                .await
                .map_err(app_err)?;
            if new {
                println!(
                    "loaded {} {} as policy {} (pending CISO approval)",
                    row.kind, row.version, row.id
                );
            } else {
                println!(
                    "already loaded as policy {} ({})",
                    row.id,
                    row.status.as_str()
                );
            }
            Ok(0)
        }
        PolicyCommand::List { db } => {
            let st = server::open(&db.url()?, Config::default()).await?;
            for p in st.store.policies().await? {
                println!("{}\t{}\t{}\t{}", p.id, p.kind, p.version, p.status.as_str());
            }
            Ok(0)
        }
    }
}
