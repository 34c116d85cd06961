//! The transaction a write runs in (`WriteTx`), and on SQLite this process's turn to write.
//!
//! SQLite takes one writer at a time. The writers of this process queue on a mutex (a second
//! writer that met SQLite's lock would sleep in its busy handler, 1, 2, 5 … 100 ms), and the
//! mutex holds the one connection that writes, outside any pool: its page cache stays warm from
//! one write to the next, and no pool hands it out and takes it back (sqlx pings a connection
//! as it comes back, a round trip that the next writer waited for). Every statement is a
//! hand-off to the connection's thread and back, and the turn lasts for all of them (issue 8:
//! seeding rate), so the connection waits between writes inside a deferred `BEGIN`: the
//! write's last batch ends `COMMIT; BEGIN`, and the next write starts without a round trip. A
//! deferred `BEGIN` takes no lock and no snapshot until the first statement, so the waiting
//! connection holds nothing that other connections or processes wait for.
//!
//! On PostgreSQL any pooled connection writes, in an ordinary transaction.

use crate::audit::Head;
use crate::batch::Batch;
use crate::{Result, StoreError};
use sqlx::any::AnyConnectOptions;
use sqlx::{AnyConnection, Connection, Executor};
use std::sync::Arc;

/// What the turn keeps between writes.
#[derive(Default)]
pub(crate) struct Slot {
    /// The audit chain's head as the last write left it (`None`: read it again).
    head: Option<Head>,
    /// The writing connection, inside a deferred `BEGIN` (`None`: open one).
    conn: Option<AnyConnection>,
}

/// This process's turn to write on SQLite.
pub(crate) type Turn = tokio::sync::OwnedMutexGuard<Slot>;

/// How to open the writing connection: its options and the pragmas it starts with.
pub(crate) struct Opener {
    pub opts: AnyConnectOptions,
    pub pragmas: String,
}

/// The writer's turn of a SQLite store.
#[derive(Clone)]
pub(crate) struct Writer {
    slot: Arc<tokio::sync::Mutex<Slot>>,
    opener: Arc<Opener>,
}

impl Writer {
    pub(crate) fn new(opener: Opener) -> Writer {
        Writer {
            slot: Default::default(),
            opener: Arc::new(opener),
        }
    }

    /// Waits for the turn, and answers its transaction (the connection opened if need be).
    pub(crate) async fn begin(&self) -> Result<WriteTx> {
        let mut turn = self.slot.clone().lock_owned().await;
        let conn = match turn.conn.take() {
            Some(c) => c,
            None => {
                // A new connection: nothing of the chain's head is known to it.
                turn.head = None;
                let mut c = AnyConnection::connect_with(&self.opener.opts).await?;
                c.execute(self.opener.pragmas.as_str()).await?;
                c.execute("BEGIN").await?;
                c
            }
        };
        Ok(WriteTx {
            inner: Inner::Sqlite(Some((turn, conn))),
            committed: false,
        })
    }

    /// Closes the writing connection (its waiting `BEGIN` ends with it).
    pub(crate) async fn close(&self) {
        let conn = self.slot.lock().await.conn.take();
        if let Some(c) = conn {
            let _ = c.close().await;
        }
    }
}

enum Inner {
    Postgres(Option<sqlx::Transaction<'static, sqlx::Any>>),
    Sqlite(Option<(Turn, AnyConnection)>),
}

/// A transaction that writes. It ends with `commit_with`; dropped before that, it is rolled
/// back (on SQLite by a task that holds the turn until the connection waits in a fresh `BEGIN`).
pub(crate) struct WriteTx {
    inner: Inner,
    committed: bool,
}

impl WriteTx {
    pub(crate) fn postgres(tx: sqlx::Transaction<'static, sqlx::Any>) -> WriteTx {
        WriteTx {
            inner: Inner::Postgres(Some(tx)),
            committed: false,
        }
    }

    /// SQLite: takes the audit chain's head the last write left (`None` on PostgreSQL, or when
    /// it must be read again). The turn forgets it until the write commits with `keep_head`.
    pub(crate) fn take_head(&mut self) -> Option<Head> {
        match &mut self.inner {
            Inner::Sqlite(Some((turn, _))) => turn.head.take(),
            _ => None,
        }
    }

    /// SQLite: the head this write leaves, for the next write (kept only if it commits).
    pub(crate) fn keep_head(&mut self, head: Option<Head>) {
        if let Inner::Sqlite(Some((turn, _))) = &mut self.inner {
            turn.head = head;
        }
    }

    /// Runs `batch` and commits, on SQLite in one call that also opens the next write's `BEGIN`.
    pub(crate) async fn commit_with(&mut self, mut batch: Batch) -> Result<()> {
        match &mut self.inner {
            Inner::Postgres(tx) => {
                // Taken only to commit: a batch that fails leaves the transaction usable.
                let Some(t) = tx.as_mut() else {
                    return Err(ended());
                };
                batch.run(t).await?;
                if let Some(t) = tx.take() {
                    t.commit().await?;
                }
            }
            Inner::Sqlite(Some((_, conn))) => {
                batch.push("COMMIT", Vec::new());
                batch.push("BEGIN", Vec::new());
                batch.run(conn).await?;
            }
            Inner::Sqlite(None) => return Err(ended()),
        }
        self.committed = true;
        Ok(())
    }

    /// Commits what the transaction holds.
    pub(crate) async fn commit(mut self) -> Result<()> {
        self.commit_with(Batch::default()).await
    }
}

fn ended() -> StoreError {
    StoreError::Corrupt("a write used after it ended".into())
}

impl std::ops::Deref for WriteTx {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        match &self.inner {
            Inner::Postgres(Some(tx)) => tx,
            Inner::Sqlite(Some((_, conn))) => conn,
            // Both are `None` only once the write has ended, when nothing can reach it.
            _ => unreachable!("a write used after it ended"),
        }
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match &mut self.inner {
            Inner::Postgres(Some(tx)) => tx,
            Inner::Sqlite(Some((_, conn))) => conn,
            _ => unreachable!("a write used after it ended"),
        }
    }
}

impl Drop for WriteTx {
    fn drop(&mut self) {
        // PostgreSQL: the `Transaction` rolls itself back when dropped.
        let Inner::Sqlite(held) = &mut self.inner else {
            return;
        };
        let Some((mut turn, mut conn)) = held.take() else {
            return;
        };
        if self.committed {
            turn.conn = Some(conn);
            return;
        }
        turn.head = None;
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            // No runtime to roll back on: the connection closes (SQLite rolls back), and the
            // next write opens another.
            return;
        };
        // The turn is held until the connection waits in a fresh `BEGIN` again; if that
        // fails, the connection is dropped and the next write opens another.
        rt.spawn(async move {
            let _ = conn.execute("ROLLBACK").await;
            if conn.execute("BEGIN").await.is_ok() {
                turn.conn = Some(conn);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn insert(code: &str) -> String {
        format!(
            "INSERT INTO org_units (code, name_ja, name_en, created_at) \
             VALUES ('t-{code}', 'x', 'x', 0)"
        )
    }

    async fn codes(store: &crate::Store) -> Vec<String> {
        sqlx::query_scalar("SELECT code FROM org_units WHERE code LIKE 't-%' ORDER BY code")
            .fetch_all(store.pool())
            .await
            .unwrap()
    }

    /// The writing connection waits in a `BEGIN` between writes: a write dropped before it
    /// commits, or whose last batch fails half-way, leaves nothing, and the next write still
    /// commits and is seen by the readers at once.
    #[tokio::test]
    async fn a_write_that_does_not_commit_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/t.db?mode=rwc", dir.path().display());
        let store = crate::Store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();

        let mut tx = store.write_tx().await.unwrap();
        (&mut *tx)
            .execute(insert("dropped").as_str())
            .await
            .unwrap();
        drop(tx);
        let mut tx = store.write_tx().await.unwrap();
        (&mut *tx).execute(insert("kept").as_str()).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(codes(&store).await, ["t-kept"]);

        // The batch's second statement breaks a unique key: its first is undone with it.
        let mut tx = store.write_tx().await.unwrap();
        (&mut *tx).execute(insert("half").as_str()).await.unwrap();
        let mut b = Batch::default();
        b.push(insert("also-half"), Vec::new());
        b.push(insert("kept"), Vec::new());
        assert!(tx.commit_with(b).await.is_err());
        drop(tx);
        let mut tx = store.write_tx().await.unwrap();
        (&mut *tx).execute(insert("after").as_str()).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(codes(&store).await, ["t-after", "t-kept"]);
        store.close().await;
    }
}
