//! The audit trail: append-only events chained by SHA-256, so that editing, deleting or
//! reordering any past event is detectable.

mod catalogue;

pub use catalogue::{Action, Entity};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The hash that precedes the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One event as stored. `before` and `after` are JSON texts kept byte for byte, so that the
/// hash can be recomputed exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub seq: i64,
    pub at_ms: i64,
    pub actor_id: Option<i64>,
    pub actor_login: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub service_id: Option<i64>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of an event over its content and its predecessor's hash. Fields are length-prefixed
/// so that no two different events can encode alike.
pub fn event_hash(e: &AuditEvent) -> String {
    let mut h = Sha256::new();
    let mut field = |s: &str| {
        h.update((s.len() as u64).to_be_bytes());
        h.update(s.as_bytes());
    };
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    field(&e.seq.to_string());
    field(&e.at_ms.to_string());
    field(&opt(e.actor_id));
    field(&e.actor_login);
    field(&e.action);
    field(&e.entity);
    field(&opt(e.entity_id));
    field(&opt(e.service_id));
    field(e.before.as_deref().unwrap_or("\u{0}null"));
    field(e.after.as_deref().unwrap_or("\u{0}null"));
    field(&e.prev_hash);
    hex::encode(h.finalize())
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("event {seq}: expected sequence number {expected}")]
    Gap { seq: i64, expected: i64 },
    #[error("event {seq}: does not follow the previous event's hash")]
    Link { seq: i64 },
    #[error("event {seq}: content does not match its hash")]
    Hash { seq: i64 },
    #[error("the chain ends at event {last} but its head records {head}")]
    Head { last: i64, head: i64 },
}

/// Verifies a chain event by event, in sequence order from seq 1, so that a long history can
/// be streamed through it page by page.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    prev: String,
    last: i64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            prev: GENESIS.to_string(),
            last: 0,
        }
    }
}

impl ChainVerifier {
    /// A verifier that goes on from an event already trusted (e.g. one a signed checkpoint
    /// names): the next event must be `seq + 1` and link to `hash`.
    pub fn resume(seq: i64, hash: &str) -> Self {
        Self {
            prev: hash.to_string(),
            last: seq,
        }
    }

    pub fn last_seq(&self) -> i64 {
        self.last
    }

    /// The hash of the last event pushed (the genesis hash before any).
    pub fn last_hash(&self) -> &str {
        &self.prev
    }

    pub fn push(&mut self, e: &AuditEvent) -> Result<(), ChainError> {
        let expected = self.last + 1;
        if e.seq != expected {
            return Err(ChainError::Gap {
                seq: e.seq,
                expected,
            });
        }
        if e.prev_hash != self.prev {
            return Err(ChainError::Link { seq: e.seq });
        }
        if event_hash(e) != e.hash {
            return Err(ChainError::Hash { seq: e.seq });
        }
        self.prev.clone_from(&e.hash);
        self.last = e.seq;
        Ok(())
    }

    /// `head` is the last (seq, hash) recorded apart from the events, so that a truncated tail
    /// is found too. Returns the number of events.
    pub fn finish(self, head: (i64, &str)) -> Result<i64, ChainError> {
        if head.0 != self.last || head.1 != self.prev {
            return Err(ChainError::Head {
                last: self.last,
                head: head.0,
            });
        }
        Ok(self.last)
    }
}

/// What a checkpoint of the chain signs: that event `seq` had `hash` when it was taken at
/// `at_ms`. Anyone who rewrites an event up to `seq` changes that hash (every later hash links
/// to it), so a checkpoint signed by a key the database does not hold pins the chain up to
/// there.
pub fn checkpoint_message(seq: i64, hash: &str, at_ms: i64) -> String {
    format!("gaibu-audit-checkpoint/v1\n{seq}\n{hash}\n{at_ms}")
}

/// Verifies a whole chain held in memory.
pub fn verify<'a>(
    events: impl IntoIterator<Item = &'a AuditEvent>,
    head: (i64, &str),
) -> Result<i64, ChainError> {
    let mut v = ChainVerifier::default();
    for e in events {
        v.push(e)?;
    }
    v.finish(head)
}

#[cfg(test)]
mod tests;
