//! Signed checkpoints of the audit chain: the chain's head (an event's number and hash), signed
//! with an Ed25519 key that the database does not hold and kept where the city chooses. The
//! chain alone proves only that it is consistent with itself: whoever can write to the
//! database can rewrite an event and recompute every later hash. A checkpoint pins the chain
//! up to its event, so `gaibu audit verify --checkpoints` finds any rewrite before the last
//! one (docs/security.md says what an auditor does with them, and what they do not prove).
//!
//! A checkpoint is one line of JSON; a file of them is appended to and never rewritten.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use gaibu_domain::audit::checkpoint_message;
use gaibu_store::{Store, VerifyOutcome};
use serde::{Deserialize, Serialize};
use std::io::Write as _;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    #[error("{0}: not a key written by `gaibu audit keygen` (64 hex digits)")]
    BadKey(String),
    #[error("{path} line {line}: not a checkpoint ({why})")]
    BadLine {
        path: String,
        line: usize,
        why: String,
    },
    #[error("the audit chain is broken, so it is not signed: {0}")]
    Broken(gaibu_domain::audit::ChainError),
    #[error(transparent)]
    Store(#[from] gaibu_store::StoreError),
}

type Result<T> = std::result::Result<T, CheckpointError>;

/// One signed checkpoint.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Checkpoint {
    /// The format's version.
    pub v: u8,
    /// The event the chain had reached, and its hash.
    pub seq: i64,
    pub hash: String,
    /// When it was taken (epoch milliseconds; `at` says the same for people).
    pub at_ms: i64,
    pub at: String,
    /// The public key that signs it (hex), and the signature (hex).
    pub key: String,
    pub sig: String,
}

impl Checkpoint {
    /// Whether `key` signed exactly this.
    pub fn signed_by(&self, key: &VerifyingKey) -> bool {
        let Ok(sig) = hex::decode(&self.sig) else {
            return false;
        };
        let Ok(sig) = <[u8; 64]>::try_from(sig.as_slice()) else {
            return false;
        };
        let msg = checkpoint_message(self.seq, &self.hash, self.at_ms);
        hex::encode(key.to_bytes()) == self.key
            && key
                .verify_strict(msg.as_bytes(), &Signature::from_bytes(&sig))
                .is_ok()
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> CheckpointError + '_ {
    move |e| CheckpointError::Io(path.display().to_string(), e)
}

/// Makes a new signing key at `path` (readable by its owner only, never overwritten) and its
/// public half at `path.pub`; answers the public key in hex.
pub fn keygen(path: &Path) -> Result<String> {
    let mut seed = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut seed);
    let key = SigningKey::from_bytes(&seed);
    let public = hex::encode(key.verifying_key().to_bytes());
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(path).map_err(io(path))?;
    writeln!(f, "{}", hex::encode(seed)).map_err(io(path))?;
    let pub_path = path.with_extension("pub");
    std::fs::write(&pub_path, format!("{public}\n")).map_err(io(&pub_path))?;
    Ok(public)
}

fn hex32(text: &str, what: &str) -> Result<[u8; 32]> {
    hex::decode(text.trim())
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
        .ok_or_else(|| CheckpointError::BadKey(what.to_string()))
}

/// The signing key kept at `path`.
pub fn signing_key(path: &Path) -> Result<SigningKey> {
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    Ok(SigningKey::from_bytes(&hex32(
        &text,
        &path.display().to_string(),
    )?))
}

/// A public key given as 64 hex digits or as the file that holds them.
pub fn verifying_key(given: &str) -> Result<VerifyingKey> {
    let text = match hex32(given, given) {
        Ok(_) => given.to_string(),
        Err(_) => std::fs::read_to_string(given).map_err(io(Path::new(given)))?,
    };
    VerifyingKey::from_bytes(&hex32(&text, given)?)
        .map_err(|_| CheckpointError::BadKey(given.into()))
}

/// Every checkpoint in a file (none when it does not exist yet).
pub fn read(path: &Path) -> Result<Vec<Checkpoint>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(path)(e)),
    };
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| CheckpointError::BadLine {
                path: path.display().to_string(),
                line: i + 1,
                why: e.to_string(),
            })
        })
        .collect()
}

/// Appends a checkpoint to a file, as one line.
pub fn append(path: &Path, c: &Checkpoint) -> Result<()> {
    let line = serde_json::to_string(c).map_err(|e| io(path)(e.into()))?;
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(io(path))?;
    writeln!(f, "{line}").map_err(io(path))
}

/// Verifies the chain — from `after` (the last checkpoint this key signed, trusted) or from
/// the start — and signs its head as it is at `now`. A broken chain is not signed.
pub async fn take(
    store: &Store,
    key: &SigningKey,
    after: Option<&Checkpoint>,
    now: jiff::Timestamp,
) -> Result<Checkpoint> {
    let from = after
        .filter(|c| c.signed_by(&key.verifying_key()))
        .map(|c| (c.seq, c.hash.as_str()));
    let (seq, hash) = match store.verify_audit_from(from).await? {
        VerifyOutcome::Intact { events, head_hash } => (events, head_hash),
        VerifyOutcome::Broken(e) => return Err(CheckpointError::Broken(e)),
    };
    let at_ms = now.as_millisecond();
    let sig = key.sign(checkpoint_message(seq, &hash, at_ms).as_bytes());
    Ok(Checkpoint {
        v: 1,
        seq,
        hash,
        at_ms,
        at: now.to_string(),
        key: hex::encode(key.verifying_key().to_bytes()),
        sig: hex::encode(sig.to_bytes()),
    })
}

/// What the checkpoints say of the chain as the database holds it now.
#[derive(Debug, Default)]
pub struct Findings {
    /// Checkpoints signed by the trusted key whose event is in the chain with that hash.
    pub held: usize,
    /// The furthest event a held checkpoint pins.
    pub pinned_to: i64,
    /// Every checkpoint that does not hold, and why.
    pub problems: Vec<String>,
}

/// Checks each checkpoint against the chain: signed by `key`, and its event still there with
/// the hash it had. (The chain itself is verified by `Store::verify_audit`.)
pub async fn check(
    store: &Store,
    checkpoints: &[Checkpoint],
    key: &VerifyingKey,
) -> Result<Findings> {
    let mut f = Findings::default();
    for (i, c) in checkpoints.iter().enumerate() {
        let n = i + 1;
        if !c.signed_by(key) {
            f.problems.push(format!(
                "checkpoint {n} (event {}): not signed by the trusted key",
                c.seq
            ));
            continue;
        }
        match store.audit_event(c.seq).await? {
            None => f.problems.push(format!(
                "checkpoint {n}: event {} of {} is missing from the chain",
                c.seq, c.at
            )),
            Some(e) if e.hash != c.hash => f.problems.push(format!(
                "checkpoint {n}: event {} does not have the hash signed at {} — the chain up \
                 to it was rewritten",
                c.seq, c.at
            )),
            Some(_) => {
                f.held += 1;
                f.pinned_to = f.pinned_to.max(c.seq);
            }
        }
    }
    Ok(f)
}

/// `serve`'s checkpoints: one at start and then every `every`, appended to `file`, each going
/// on from the last one in the file. A broken chain is logged, not signed.
pub async fn every(
    store: Store,
    key: SigningKey,
    file: std::path::PathBuf,
    every: std::time::Duration,
) {
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        let last = match read(&file) {
            Ok(all) => all.into_iter().last(),
            Err(e) => {
                tracing::error!(error = %e, "audit checkpoints: the file cannot be read");
                continue;
            }
        };
        #[allow(clippy::disallowed_methods)] // the time the checkpoint is taken
        let now = jiff::Timestamp::now();
        match take(&store, &key, last.as_ref(), now).await {
            Ok(c)
                if last
                    .as_ref()
                    .is_some_and(|l| l.seq == c.seq && l.hash == c.hash) => {}
            Ok(c) => match append(&file, &c) {
                Ok(()) => tracing::info!(seq = c.seq, "audit checkpoint written"),
                Err(e) => tracing::error!(error = %e, "audit checkpoint not written"),
            },
            Err(e) => tracing::error!(error = %e, "audit checkpoint not taken"),
        }
    }
}
