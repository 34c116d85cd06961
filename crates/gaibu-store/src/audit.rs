//! The audit chain's storage: append in the caller's transaction, read, verify.

use crate::batch::Batch;
use crate::{Result, Store, StoreError, Who};
use gaibu_domain::audit::{AuditEvent, ChainError, ChainVerifier, event_hash};
use sqlx::{AnyConnection, Row};

/// What an audit event says; the chain fields are filled in by `append`.
pub(crate) struct Event<'a> {
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub service_id: Option<i64>,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The most that one audit event may hold (its before and after together). An application's
/// event is a few KB (about 4.3 KB a row at 50,000 services); the inputs' own bounds keep
/// events far below this, and a write whose event would still be larger is refused whole
/// (issue 9: one application had written a 1.9 MB event).
pub const MAX_EVENT_BYTES: usize = 1024 * 1024;

impl Event<'_> {
    /// Refuses an event over `MAX_EVENT_BYTES`.
    pub(crate) fn bounded(self) -> Result<Self> {
        let bytes = self.before.as_ref().map_or(0, String::len)
            + self.after.as_ref().map_or(0, String::len);
        if bytes > MAX_EVENT_BYTES {
            return Err(StoreError::TooLarge {
                bytes,
                limit: MAX_EVENT_BYTES,
            });
        }
        Ok(self)
    }
}

/// The chain's last event: its number and its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Head {
    pub seq: i64,
    pub hash: String,
}

/// Reads the chain's head. On PostgreSQL it also takes the head row's lock until the
/// transaction ends, so concurrent appenders queue instead of forking the chain (on SQLite the
/// write turn and SQLite's own write lock do).
pub(crate) async fn head(conn: &mut AnyConnection) -> Result<Head> {
    let sql = if conn.backend_name() == "PostgreSQL" {
        "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE"
    } else {
        "SELECT seq, hash FROM audit_head WHERE id = 1"
    };
    let row = sqlx::query(sql).fetch_one(&mut *conn).await?;
    Ok(Head {
        seq: row.try_get("seq")?,
        hash: row.try_get("hash")?,
    })
}

/// Whether an append was refused because the chain's head is not the one the writer held
/// (another process appended since): read the head again and append after it.
pub(crate) fn head_moved(e: &StoreError) -> bool {
    matches!(e, StoreError::Db(sqlx::Error::Database(d)) if d.message().contains("audit chain head moved"))
}

/// Adds to `batch` the statements that append `events` after `head`, one statement each: the
/// database's trigger (migration 0021) refuses an event that does not follow its head and moves
/// the head to it. Answers the head they lead to.
pub(crate) fn chain_into(
    batch: &mut Batch,
    who: &Who,
    at_ms: i64,
    mut head: Head,
    events: &[Event<'_>],
) -> Head {
    for ev in events {
        let mut e = AuditEvent {
            seq: head.seq + 1,
            at_ms,
            actor_id: who.user_id,
            actor_login: who.login.clone(),
            action: ev.action.into(),
            entity: ev.entity.into(),
            entity_id: ev.entity_id,
            service_id: ev.service_id,
            before: ev.before.clone(),
            after: ev.after.clone(),
            prev_hash: head.hash,
            hash: String::new(),
        };
        e.hash = event_hash(&e);
        head = Head {
            seq: e.seq,
            hash: e.hash.clone(),
        };
        batch.push(
            "INSERT INTO audit_events (seq, at_ms, actor_id, actor_login, action, entity, \
             entity_id, service_id, before_json, after_json, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            vec![
                e.seq.into(),
                e.at_ms.into(),
                e.actor_id.into(),
                e.actor_login.into(),
                e.action.into(),
                e.entity.into(),
                e.entity_id.into(),
                e.service_id.into(),
                e.before.into(),
                e.after.into(),
                e.prev_hash.into(),
                e.hash.into(),
            ],
        );
    }
    head
}

/// Appends one event after the head as the database holds it now.
pub(crate) async fn append(
    conn: &mut AnyConnection,
    who: &Who,
    at_ms: i64,
    ev: Event<'_>,
) -> Result<i64> {
    let ev = ev.bounded()?;
    let h = head(conn).await?;
    let mut batch = Batch::default();
    let end = chain_into(&mut batch, who, at_ms, h, &[ev]);
    batch.run(conn).await?;
    Ok(end.seq)
}

const COLUMNS: &str = "seq, at_ms, actor_id, actor_login, action, entity, entity_id, service_id, \
                       before_json, after_json, prev_hash, hash";

fn decode(r: &sqlx::any::AnyRow) -> Result<AuditEvent> {
    Ok(AuditEvent {
        seq: r.try_get("seq")?,
        at_ms: r.try_get("at_ms")?,
        actor_id: r.try_get("actor_id")?,
        actor_login: r.try_get("actor_login")?,
        action: r.try_get("action")?,
        entity: r.try_get("entity")?,
        entity_id: r.try_get("entity_id")?,
        service_id: r.try_get("service_id")?,
        before: r.try_get("before_json")?,
        after: r.try_get("after_json")?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

#[derive(Debug)]
pub enum VerifyOutcome {
    /// Intact up to the head, event `events` with hash `head_hash`.
    Intact {
        events: i64,
        head_hash: String,
    },
    Broken(ChainError),
}

impl Store {
    /// Writes an audit event on its own, e.g. for a refused request (a 403 is audited).
    pub async fn audit_alone(
        &self,
        who: &Who,
        now: jiff::Timestamp,
        action: gaibu_domain::audit::Action,
        entity: gaibu_domain::audit::Entity,
        entity_id: Option<i64>,
        detail: Option<String>,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        // It appends to the chain outside `Write`: the head the turn kept is no longer it.
        tx.take_head();
        append(
            &mut tx,
            who,
            now.as_millisecond(),
            Event {
                action: action.as_str(),
                entity: entity.as_str(),
                entity_id,
                service_id: None,
                before: None,
                after: detail,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// One page of a service's timeline, newest first: its own events and those of the
    /// application it came from, older than `before` (a `seq`; `None` for the newest), at
    /// most `limit`. Each half reads its index in `seq` order and stops at the page's end;
    /// `UNION` keeps an event that is in both halves once.
    pub async fn service_timeline(
        &self,
        service_id: i64,
        application_id: i64,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditEvent>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM (\
             SELECT * FROM (SELECT {COLUMNS} FROM audit_events WHERE service_id = $1 AND seq < $3 \
             ORDER BY seq DESC LIMIT $4) own \
             UNION \
             SELECT * FROM (SELECT {COLUMNS} FROM audit_events WHERE entity = 'application' \
             AND entity_id = $2 AND seq < $3 ORDER BY seq DESC LIMIT $4) app\
             ) timeline ORDER BY seq DESC LIMIT $4"
        ))
        .bind(service_id)
        .bind(application_id)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode).collect()
    }

    pub async fn entity_history(&self, entity: &str, id: i64) -> Result<Vec<AuditEvent>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM audit_events WHERE entity = $1 AND entity_id = $2 ORDER BY seq"
        ))
        .bind(entity)
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode).collect()
    }

    /// The newest events, newest first.
    pub async fn recent_audit(&self, limit: i64) -> Result<Vec<AuditEvent>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM audit_events ORDER BY seq DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode).collect()
    }

    /// The number of the last audit event. Every governance write appends one in its own
    /// transaction, so an unchanged number means no record changed: a cache keyed by it stays
    /// correct beside other instances.
    pub async fn audit_seq(&self) -> Result<i64> {
        let r = sqlx::query("SELECT seq FROM audit_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        Ok(r.try_get("seq")?)
    }

    /// Recomputes the whole chain, in pages so that a long history does not fill memory. The
    /// chain is checked up to the head read first, so appends while it runs do not disturb it.
    pub async fn verify_audit(&self) -> Result<VerifyOutcome> {
        self.verify_audit_from(None).await
    }

    /// Recomputes the chain from event `from.0`, which must be there with hash `from.1` (a
    /// checkpoint's), to the head; from the start when `None`.
    pub async fn verify_audit_from(&self, from: Option<(i64, &str)>) -> Result<VerifyOutcome> {
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::Corrupt("audit_head row missing".into()))?;
        let head_seq: i64 = head.try_get("seq")?;
        let head_hash: String = head.try_get("hash")?;
        let mut chain = match from {
            None | Some((0, _)) => ChainVerifier::default(),
            Some((seq, hash)) => {
                let at = self.audit_event(seq).await?;
                match at {
                    Some(e) if e.hash == hash && event_hash(&e) == e.hash => {
                        ChainVerifier::resume(seq, hash)
                    }
                    Some(_) => return Ok(VerifyOutcome::Broken(ChainError::Hash { seq })),
                    None => {
                        return Ok(VerifyOutcome::Broken(ChainError::Head {
                            last: seq,
                            head: head_seq,
                        }));
                    }
                }
            }
        };
        loop {
            let rows = sqlx::query(&format!(
                "SELECT {COLUMNS} FROM audit_events WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT 2000"
            ))
            .bind(chain.last_seq())
            .bind(head_seq)
            .fetch_all(&self.pool)
            .await?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                if let Err(e) = chain.push(&decode(r)?) {
                    return Ok(VerifyOutcome::Broken(e));
                }
            }
        }
        Ok(match chain.finish((head_seq, &head_hash)) {
            Ok(events) => VerifyOutcome::Intact { events, head_hash },
            Err(e) => VerifyOutcome::Broken(e),
        })
    }

    /// One event of the chain by its number.
    pub async fn audit_event(&self, seq: i64) -> Result<Option<AuditEvent>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM audit_events WHERE seq = $1"
        ))
        .bind(seq)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(decode).transpose()
    }
}
