//! Persistence for gaibu: one `Store` over SQLite (embedded, the default) or PostgreSQL.
//!
//! Both backends are reached through sqlx's `Any` driver with run-time queries in `$n`
//! placeholders, which both understand. The schema keeps to portable column types (BIGINT,
//! TEXT), which sidesteps the driver's known gap with PostgreSQL timestamps and lets one set of
//! queries serve both; `codec` turns them into typed records (enums, `jiff` times, parsed
//! structures). Each backend has its own migrations, and the same test suite runs on both.
//!
//! Every governance write has one shape (`write`): one transaction that changes a record only
//! if it is still the version the writer saw and in a state that allows it, appends the audit
//! events and queues the notifications the domain decided. Writes come first in each
//! transaction, so that SQLite takes its write lock before reading.

mod accounts;
mod administrator;
mod applications;
mod audit;
mod batch;
mod blobs;
mod catalogue;
mod codec;
mod contractors;
pub mod credentials;
mod dashboard;
mod deadlines;
mod directory;
mod evidence;
mod imports;
pub mod ismap;
pub mod lists;
mod measures;
pub mod mfa;
mod migrations;
mod notifications;
mod org;
pub mod page;
mod policies;
mod rechecks;
mod register;
mod reminders;
mod review;
mod rotation;
mod rows;
mod scope;
mod search;
mod services;
mod settings;
mod signin;
pub mod sso;
mod terminations;
mod turn;
mod write;

pub use administrator::RegisterAdministrator;
pub use applications::{ApplicationContent, Reused};
pub use audit::{MAX_EVENT_BYTES, VerifyOutcome};
pub use blobs::{BlobObject, CHUNK_BYTES};
pub use catalogue::{CatalogueRow, CatalogueSearch};
pub use contractors::NewSubmission;
pub use dashboard::{DashboardCounts, DashboardQuery, ServiceCount, Waiting};
pub use evidence::StoredFile;
pub use imports::{ImportFile, ImportRow, LedgerStep, RegisterStep};
pub use measures::{CheckRow, MeasureRow, RuleRow};
pub use notifications::{About, MAX_ATTEMPTS, OutboxItem};
pub use org::{Credential, Identity, NewOrgUnit, NewUser};
pub use rechecks::{
    CheckOrderRow, CorrectiveActionRow, ExpiringCertificate, Judged, NewOrder, NewRecheck,
    OrderProgressRow, OrderTargetRow, OrderTargetView, ProviderRow, RecheckRow,
};
pub use register::RegisterFields;
pub use reminders::ReminderNotice;
pub use review::Approved;
pub use rotation::{
    AwaitingRow, LeaverAccountRow, MoveWrite, NewBatch, RotationApplied, RotationMoveRow,
    SuccessorFilter, SuccessorStep,
};
pub use rows::*;
pub use search::{Doc, normalise, query_words};
pub use terminations::{NewTermination, TerminationRow};

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The record changed since it was read (optimistic versioning).
    #[error("the record was changed by someone else")]
    Stale,
    #[error("not found")]
    NotFound,
    /// A named unique constraint refused the write.
    #[error("duplicate: {0}")]
    Duplicate(String),
    /// The record is in a state that does not allow the change (named).
    #[error("the record is {0}, which does not allow this change")]
    WrongState(String),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    /// An audit event would hold more than `audit::MAX_EVENT_BYTES`: the write is refused
    /// whole, so that nobody grows the trail without limit.
    #[error("the record is too large to audit ({bytes} bytes; at most {limit})")]
    TooLarge { bytes: usize, limit: usize },
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Maps a unique violation to `Duplicate` with the constraint (or column) it names.
pub(crate) fn map_unique(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(d) = &e
        && d.is_unique_violation()
    {
        let name = d
            .constraint()
            .map(str::to_string)
            .unwrap_or_else(|| d.message().to_string());
        return StoreError::Duplicate(name);
    }
    StoreError::Db(e)
}

/// Who is writing, for the audit trail.
#[derive(Debug, Clone)]
pub struct Who {
    pub user_id: Option<i64>,
    pub login: String,
}

impl Who {
    pub fn system() -> Self {
        Who {
            user_id: None,
            login: "system".into(),
        }
    }
}

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// Connections handed out by the pool: one per read, one per write's transaction.
    acquired: Arc<AtomicU64>,
    /// SQLite: this process's turn to write, which holds the one writing connection
    /// (`turn.rs`). `None` on PostgreSQL: any connection writes.
    writer: Option<turn::Writer>,
    /// PostgreSQL: a few connections that plan searches once, generically (`list_searched`).
    /// `None` on SQLite, whose planner has no such choice.
    generic: Option<AnyPool>,
}

/// Connections of the PostgreSQL pool for searches. A search's own plan costs more than its
/// execution (2.3 ms to plan the catalogue's query, 0.85 ms to run it, docs/benchmarks.md);
/// with `plan_cache_mode` set for the connection's life a prepared search is planned once,
/// and the per-query `SET`/`RESET` that did it before cost two round trips.
const GENERIC_PLAN_CONNECTIONS: u32 = 6;

/// SQLite connections that read, unless `GAIBU_SQLITE_READERS` says otherwise: one more than
/// the cores. At 50,000 services on 2 cores, 3 readers against the 8 of before: the
/// applications list 1,671 → 2,473 requests a second at 64 connections, the catalogue search
/// 1,468 → 2,035, p99 59 → 41 ms and 69 → 48 ms; 2 readers were worse again
/// (docs/benchmarks.md).
fn default_sqlite_readers() -> u32 {
    std::thread::available_parallelism()
        .map(|n| u32::try_from(n.get()).unwrap_or(u32::MAX))
        .unwrap_or(2)
        .saturating_add(1)
        .clamp(3, 17)
}

/// A connection idle longer than this is checked before it is handed out (the server may have
/// closed it); a busy one is not, which spares every query a second round trip.
const CHECK_IF_IDLE_FOR: Duration = Duration::from_secs(10);

impl Store {
    /// Connects to `url` (`sqlite://…` or `postgres://…`).
    pub async fn connect(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            return Err(StoreError::Db(sqlx::Error::Configuration(
                format!("unsupported database URL (use sqlite:// or postgres://): {url}").into(),
            )));
        };
        let opts = AnyConnectOptions::from_str(url)?;
        // `synchronous` stays SQLite's FULL (an fsync at every commit) unless the operator
        // chooses NORMAL: in WAL mode it cannot corrupt the database, but a power loss may undo
        // the last commits. See docs/benchmarks.md.
        let sync = match std::env::var("GAIBU_SQLITE_SYNCHRONOUS").as_deref() {
            Err(_) | Ok("") | Ok("full") => "FULL",
            Ok("normal") => "NORMAL",
            Ok(other) => {
                return Err(StoreError::Db(sqlx::Error::Configuration(
                    format!("GAIBU_SQLITE_SYNCHRONOUS: full or normal, not {other:?}").into(),
                )));
            }
        };
        let pragmas = format!(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = {sync}; \
             PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;"
        );
        // Readers: each SQLite connection is a thread of its own; more of them than the machine
        // has cores only take turns on the cores (docs/benchmarks.md measures the choice).
        let readers = match std::env::var("GAIBU_SQLITE_READERS").as_deref() {
            Err(_) | Ok("") => default_sqlite_readers(),
            Ok(n) => match n.parse::<u32>() {
                Ok(n) if (1..=64).contains(&n) => n,
                _ => {
                    return Err(StoreError::Db(sqlx::Error::Configuration(
                        format!("GAIBU_SQLITE_READERS: a number from 1 to 64, not {n:?}").into(),
                    )));
                }
            },
        };
        let acquired = Arc::new(AtomicU64::new(0));
        let (pool, writer, generic) = match backend {
            Backend::Sqlite => {
                let pool = Self::pool_of(&opts, &pragmas, &acquired, Some(readers)).await?;
                let writer = turn::Writer::new(turn::Opener { opts, pragmas });
                (pool, Some(writer), None)
            }
            Backend::Postgres => {
                let pool = Self::pool_of(&opts, "", &acquired, None).await?;
                let generic = Self::pool_of(
                    &opts,
                    "SET plan_cache_mode = force_generic_plan",
                    &acquired,
                    Some(GENERIC_PLAN_CONNECTIONS),
                )
                .await?;
                (pool, None, Some(generic))
            }
        };
        Ok(Store {
            pool,
            backend,
            acquired,
            writer,
            generic,
        })
    }

    /// A pool on `opts` whose connections count in `acquired`, each set up with `setup` (none
    /// when empty), at most `max` of them (sqlx's default when `None`).
    async fn pool_of(
        opts: &AnyConnectOptions,
        setup: &str,
        acquired: &Arc<AtomicU64>,
        max: Option<u32>,
    ) -> Result<AnyPool> {
        let (on_connect, on_acquire) = (acquired.clone(), acquired.clone());
        let setup = setup.to_string();
        let mut pool = AnyPoolOptions::new()
            .acquire_timeout(Duration::from_secs(10))
            .test_before_acquire(false)
            .before_acquire(move |conn, meta| {
                on_acquire.fetch_add(1, Ordering::Relaxed);
                Box::pin(async move {
                    if meta.idle_for > CHECK_IF_IDLE_FOR {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            });
        if let Some(max) = max {
            pool = pool.max_connections(max);
        }
        let pool = pool
            .after_connect(move |conn, _| {
                // A new connection is handed out at once: it counts as acquired.
                on_connect.fetch_add(1, Ordering::Relaxed);
                let setup = setup.clone();
                Box::pin(async move {
                    if !setup.is_empty() {
                        conn.execute(setup.as_str()).await?;
                    }
                    Ok(())
                })
            })
            .connect_with(opts.clone())
            .await?;
        Ok(pool)
    }

    /// How many connections the pool has handed out so far — each one a round trip or more to
    /// the database (a read is one; a write's transaction several). Tests count a page's
    /// queries with it.
    pub fn connections_acquired(&self) -> u64 {
        self.acquired.load(Ordering::Relaxed)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub async fn migrate(&self) -> Result<()> {
        migrations::migrator(self.backend).run(&self.pool).await?;
        Ok(())
    }

    /// Answers when the database answers (for `/healthz`).
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        if let Some(w) = &self.writer {
            w.close().await;
        }
        self.pool.close().await;
        if let Some(g) = &self.generic {
            g.close().await;
        }
    }

    /// A transaction that writes: on SQLite this process's turn to write, after the writers
    /// before it, on its one writing connection (`turn.rs`).
    pub(crate) async fn write_tx(&self) -> Result<turn::WriteTx> {
        self.acquired.fetch_add(1, Ordering::Relaxed);
        match &self.writer {
            Some(w) => w.begin().await,
            None => Ok(turn::WriteTx::postgres(self.pool.begin().await?)),
        }
    }

    /// PostgreSQL: `VACUUM (ANALYZE)` of the whole database, after a bulk load (answers true).
    /// SQLite: nothing (its plans do not depend on statistics it has not been given).
    pub async fn vacuum_analyze(&self) -> Result<bool> {
        if self.backend != Backend::Postgres {
            return Ok(false);
        }
        sqlx::query("VACUUM (ANALYZE)").execute(&self.pool).await?;
        Ok(true)
    }

    /// The options the embedded SQLite was compiled with (`PRAGMA compile_options`); empty on
    /// PostgreSQL.
    pub async fn sqlite_compile_options(&self) -> Result<Vec<String>> {
        if self.backend != Backend::Sqlite {
            return Ok(Vec::new());
        }
        let rows = sqlx::query("PRAGMA compile_options")
            .fetch_all(&self.pool)
            .await?;
        use sqlx::Row;
        rows.iter()
            .map(|r| r.try_get::<String, _>(0).map_err(StoreError::from))
            .collect()
    }
}

pub(crate) use codec::to_json;

#[cfg(test)]
mod tests {
    /// `.cargo/config.toml` builds the bundled SQLite with `SQLITE_DEFAULT_MEMSTATUS=0`: without
    /// memory statistics no allocation takes SQLite's global mutex (issue 8's profile).
    #[tokio::test]
    async fn sqlite_is_built_without_memstatus() {
        let store = super::Store::connect("sqlite::memory:")
            .await
            .expect("in-memory SQLite");
        let opts = store
            .sqlite_compile_options()
            .await
            .expect("compile options");
        assert!(
            opts.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"),
            "SQLite was built without LIBSQLITE3_FLAGS=-DSQLITE_DEFAULT_MEMSTATUS=0: {opts:?}"
        );
    }
}
