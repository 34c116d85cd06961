//! `gaibu audit`: the hash chain verified, and signed checkpoints of it kept outside the
//! database (`crate::checkpoints`).

use super::DbArgs;
use crate::server;
use clap::Subcommand;
use gaibu_store::VerifyOutcome;
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Recompute the hash chain; exit 0 when intact, 1 naming the first broken event. With
    /// --checkpoints, also check every signed checkpoint against it: a rewrite of any event
    /// up to the last checkpoint fails, even with every later hash recomputed
    Verify {
        #[command(flatten)]
        db: DbArgs,
        /// A file of checkpoints (`gaibu audit checkpoint --out`)
        #[arg(long, requires = "public_key")]
        checkpoints: Option<PathBuf>,
        /// The public key that signs them: 64 hex digits, or the `.pub` file of `keygen`
        #[arg(long, env = "GAIBU_CHECKPOINT_PUBLIC_KEY")]
        public_key: Option<String>,
    },
    /// Sign the chain's head now (after verifying the chain) and print the checkpoint; with
    /// --out, also append it to that file
    Checkpoint {
        #[command(flatten)]
        db: DbArgs,
        /// The signing key (`gaibu audit keygen`), kept away from the database
        #[arg(long, env = "GAIBU_CHECKPOINT_KEY")]
        key: PathBuf,
        /// Append the checkpoint to this file (going on from its last checkpoint)
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Make a signing key for checkpoints at OUT (owner-readable) and its public key at
    /// OUT.pub; an existing file is never overwritten
    Keygen {
        #[arg(long)]
        out: PathBuf,
    },
}

pub(super) async fn audit(cmd: AuditCommand) -> anyhow::Result<i32> {
    use crate::checkpoints;
    match cmd {
        AuditCommand::Verify {
            db,
            checkpoints: file,
            public_key,
        } => {
            let store = server::connect(&db.url()?).await?;
            match store.verify_audit().await? {
                VerifyOutcome::Intact { events, .. } => {
                    println!("audit chain intact: {events} events");
                }
                VerifyOutcome::Broken(e) => {
                    eprintln!("audit chain BROKEN: {e}");
                    return Ok(1);
                }
            }
            let (Some(file), Some(key)) = (file, public_key) else {
                return Ok(0);
            };
            let key = checkpoints::verifying_key(&key)?;
            let all = checkpoints::read(&file)?;
            let found = checkpoints::check(&store, &all, &key).await?;
            for p in &found.problems {
                eprintln!("audit checkpoint FAILS: {p}");
            }
            if all.is_empty() {
                eprintln!("audit checkpoints: none in {}", file.display());
                return Ok(1);
            }
            if !found.problems.is_empty() {
                return Ok(1);
            }
            println!(
                "audit checkpoints hold: {} of {}, the chain unchanged up to event {}",
                found.held,
                all.len(),
                found.pinned_to
            );
            Ok(0)
        }
        AuditCommand::Checkpoint { db, key, out } => {
            let store = server::connect(&db.url()?).await?;
            let key = checkpoints::signing_key(&key)?;
            let last = match &out {
                Some(f) => checkpoints::read(f)?.into_iter().last(),
                None => None,
            };
            #[allow(clippy::disallowed_methods)] // the time the checkpoint is taken
            let now = jiff::Timestamp::now();
            let c = checkpoints::take(&store, &key, last.as_ref(), now).await?;
            if let Some(f) = &out {
                checkpoints::append(f, &c)?;
            }
            println!("{}", serde_json::to_string(&c)?);
            Ok(0)
        }
        AuditCommand::Keygen { out } => {
            let public = checkpoints::keygen(&out)?;
            println!(
                "signing key: {} (keep it away from the database)",
                out.display()
            );
            println!(
                "public key:  {public} (also in {})",
                out.with_extension("pub").display()
            );
            Ok(0)
        }
    }
}
