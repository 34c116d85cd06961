//! What some tests need beyond the app itself, decided once at start-up: a test whose need is
//! missing here is *ignored* (and said so, with the reason and how to turn it on) unless the
//! need is required, in which case it runs and fails with the reason.

use std::process::{Command, Stdio};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// A PostgreSQL server at `GAIBU_TEST_POSTGRES_URL` (a new database per test).
    Postgres,
    /// Debian's `chromium` and npm `playwright-core` in `e2e/`.
    Browser,
    /// Python's aiosmtpd, started by the e-mail test as its SMTP server.
    Smtp,
    /// Node.js and npm `oidc-provider` in `e2e/`, started by the SSO test as the city's
    /// identity provider.
    Oidc,
    /// Debian's `slapd` (OpenLDAP), started by the directory test as the city's directory.
    Slapd,
}

impl Need {
    pub const ALL: [Need; 5] = [
        Need::Postgres,
        Need::Browser,
        Need::Smtp,
        Need::Oidc,
        Need::Slapd,
    ];

    /// Why it cannot be had here, or `None` when it can.
    fn missing(self) -> Option<&'static str> {
        let ok = match self {
            Need::Postgres => std::env::var_os("GAIBU_TEST_POSTGRES_URL").is_some(),
            Need::Browser => crate::browser::ready(),
            Need::Smtp => Command::new("python3")
                .args(["-c", "import aiosmtpd"])
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success()),
            Need::Oidc => crate::sso::ready(),
            Need::Slapd => crate::ldap::ready(),
        };
        (!ok).then_some(match self {
            Need::Postgres => "GAIBU_TEST_POSTGRES_URL is not set",
            Need::Browser => "chromium or e2e/node_modules/playwright-core is missing",
            Need::Smtp => "python3 cannot import aiosmtpd",
            Need::Oidc => "node or e2e/node_modules/oidc-provider is missing",
            Need::Slapd => "slapd (OpenLDAP) or its mdb backend is missing",
        })
    }

    /// Whether a missing need fails the tests rather than skipping them (as `.ci/run` sets).
    fn required(self) -> bool {
        let var = match self {
            Need::Postgres => return false,
            Need::Browser => "GAIBU_REQUIRE_BROWSER",
            Need::Smtp => "GAIBU_REQUIRE_SMTP",
            Need::Oidc => "GAIBU_REQUIRE_OIDC",
            Need::Slapd => "GAIBU_REQUIRE_SLAPD",
        };
        std::env::var(var).is_ok_and(|v| v == "1")
    }

    /// How to turn it on.
    pub fn how(self) -> &'static str {
        match self {
            Need::Postgres => {
                "set GAIBU_TEST_POSTGRES_URL to a server, \
                 e.g. postgres://postgres@127.0.0.1:5432/postgres"
            }
            Need::Browser => {
                "apt-get install chromium, then `npm ci` in e2e/ \
                 (GAIBU_REQUIRE_BROWSER=1 makes a missing browser a failure)"
            }
            Need::Smtp => {
                "pip install aiosmtpd (GAIBU_REQUIRE_SMTP=1 makes a missing one a failure)"
            }
            Need::Oidc => {
                "`npm ci` in e2e/ (GAIBU_REQUIRE_OIDC=1 makes a missing provider a failure)"
            }
            Need::Slapd => {
                "apt-get install slapd ldap-utils (GAIBU_REQUIRE_SLAPD=1 makes a missing one a \
                 failure)"
            }
        }
    }
}

/// What this machine has, looked at once.
pub struct Here {
    missing: Vec<(Need, &'static str)>,
}

impl Here {
    /// Looked at on the first call, the same answer after.
    pub fn get() -> &'static Here {
        static HERE: std::sync::OnceLock<Here> = std::sync::OnceLock::new();
        HERE.get_or_init(Here::detect)
    }

    fn detect() -> Here {
        Here {
            missing: Need::ALL
                .into_iter()
                .filter_map(|n| n.missing().map(|why| (n, why)))
                .collect(),
        }
    }

    pub fn why_missing(&self, need: Need) -> Option<&'static str> {
        self.missing
            .iter()
            .find(|(n, _)| *n == need)
            .map(|(_, why)| *why)
    }

    /// Whether a test with this need is ignored here.
    pub fn skips(&self, need: Need) -> bool {
        self.why_missing(need).is_some() && !need.required()
    }

    /// Panics with the reason when a need of a test that is run anyway is missing.
    pub fn check(&self, needs: &[Need]) {
        for &need in needs {
            if let Some(why) = self.why_missing(need) {
                panic!(
                    "this test cannot run here: {why}; to run it, {}",
                    need.how()
                );
            }
        }
    }
}
