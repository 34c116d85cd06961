//! What every request shares.

use gaibu_store::Store;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct Config {
    /// Mark cookies `Secure` (behind TLS, e.g. a load balancer).
    pub secure_cookies: bool,
    /// How long a session lasts without signing in again.
    pub session_hours: i64,
    /// Where evidence files are kept (local disk; content-addressed by SHA-256).
    pub evidence_dir: std::path::PathBuf,
    /// The largest evidence file accepted.
    pub max_upload_bytes: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            secure_cookies: false,
            session_hours: 10,
            evidence_dir: std::env::temp_dir().join("gaibu-evidence"),
            max_upload_bytes: 20 * 1024 * 1024,
        }
    }
}

pub type Clock = Arc<dyn Fn() -> jiff::Timestamp + Send + Sync>;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub cfg: Arc<Config>,
    /// This instance's caches (the org tree, parsed policies), safe beside other instances.
    pub caches: Arc<crate::cache::Caches>,
    clock: Clock,
}

impl AppState {
    #[allow(clippy::disallowed_methods)] // the one clock of the running server
    pub fn new(store: Store, cfg: Config) -> Self {
        Self::with_clock(store, cfg, Arc::new(jiff::Timestamp::now))
    }

    /// Tests pass their own clock; the rules never read one.
    pub fn with_clock(store: Store, cfg: Config, clock: Clock) -> Self {
        AppState {
            store,
            cfg: Arc::new(cfg),
            caches: Arc::default(),
            clock,
        }
    }

    pub fn now(&self) -> jiff::Timestamp {
        (self.clock)()
    }

    /// Today in the city's time zone (Asia/Tokyo), for date defaults.
    pub fn today(&self) -> jiff::civil::Date {
        let tz = jiff::tz::TimeZone::get("Asia/Tokyo")
            .unwrap_or(jiff::tz::TimeZone::fixed(jiff::tz::offset(9)));
        self.now().to_zoned(tz).date()
    }
}
