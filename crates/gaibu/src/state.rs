//! What every request shares.

use gaibu_store::Store;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct Config {
    /// Mark cookies `Secure` (behind TLS, e.g. a load balancer).
    pub secure_cookies: bool,
    /// How long a session lasts without signing in again.
    pub session_hours: i64,
    /// A session unused this long ends (the idle timeout).
    pub session_idle_minutes: i64,
    /// How long an API token lives when its maker does not say.
    pub token_days: i64,
    /// The longest an API token may live.
    pub token_max_days: i64,
    /// Where evidence files are kept: `None` is the database on PostgreSQL (every instance
    /// reaches them) and `evidence_dir` on SQLite (one instance).
    pub evidence_store: Option<EvidenceStore>,
    /// The directory of evidence files on this machine's disk (content-addressed by SHA-256):
    /// the store on SQLite by default, and where files kept before are still read from when
    /// the store is the database.
    pub evidence_dir: std::path::PathBuf,
    /// The largest evidence file accepted.
    pub max_upload_bytes: usize,
    /// How sign-in attempts are slowed down and locked.
    pub throttle: gaibu_domain::signin::ThrottlePolicy,
    /// A connection must finish a request's header within this of starting to wait for it
    /// (a slow header, or an idle keep-alive connection, is closed).
    pub header_timeout: std::time::Duration,
    /// Sign-in through the city's OpenID provider, when configured.
    pub sso: Option<crate::sso::SsoConfig>,
    /// The city's LDAP directory and the credential gaibu reads it with, when configured.
    pub directory: Option<crate::directory::ldap::Connection>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            secure_cookies: false,
            session_hours: 10,
            session_idle_minutes: 60,
            token_days: 90,
            token_max_days: 365,
            evidence_store: None,
            evidence_dir: std::env::temp_dir().join("gaibu-evidence"),
            max_upload_bytes: 20 * 1024 * 1024,
            throttle: Default::default(),
            header_timeout: std::time::Duration::from_secs(30),
            sso: None,
            directory: None,
        }
    }
}

/// The evidence store setting (`GAIBU_EVIDENCE_STORE`): `database` or `dir:/path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvidenceStore {
    /// In the database, in chunks: every instance behind it reaches every file.
    Database,
    /// In a directory of this machine (or one that every instance mounts).
    Dir(std::path::PathBuf),
}

impl std::str::FromStr for EvidenceStore {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "database" => Ok(EvidenceStore::Database),
            other => match other.strip_prefix("dir:") {
                Some(dir) if !dir.trim().is_empty() => Ok(EvidenceStore::Dir(dir.trim().into())),
                _ => Err(format!(
                    "unknown evidence store {other:?}: use `database` or `dir:/path`"
                )),
            },
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
    /// Parsed classification schemes by policy version (a version never changes).
    pub schemes: crate::catalogue::SchemeCache,
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
            schemes: Default::default(),
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

#[cfg(test)]
mod tests {
    use super::EvidenceStore;

    #[test]
    fn the_evidence_store_setting_is_read() {
        assert_eq!("database".parse(), Ok(EvidenceStore::Database));
        assert_eq!(
            "dir:/srv/gaibu/evidence".parse(),
            Ok(EvidenceStore::Dir("/srv/gaibu/evidence".into()))
        );
        assert!("dir:".parse::<EvidenceStore>().is_err());
        assert!("s3://bucket".parse::<EvidenceStore>().is_err());
    }
}
