//! What `gaibu serve` takes beyond the database: the city's identity provider and the audit
//! chain's checkpoints.

use clap::Args;
use std::path::PathBuf;

/// Sign-in through the city's OpenID provider, if any (`docs/security.md`).
#[derive(Args, Debug, Clone)]
pub struct SsoArgs {
    /// The provider's issuer URL, e.g. https://idp.city.lg.jp/realms/staff
    #[arg(long, env = "GAIBU_OIDC_ISSUER", requires = "oidc_client_id")]
    pub oidc_issuer: Option<String>,
    #[arg(long, env = "GAIBU_OIDC_CLIENT_ID")]
    pub oidc_client_id: Option<String>,
    #[arg(
        long,
        env = "GAIBU_OIDC_CLIENT_SECRET",
        hide_env_values = true,
        default_value = ""
    )]
    pub oidc_client_secret: String,
    /// The ID token's claim that holds the gaibu login: preferred_username, email or sub
    #[arg(
        long,
        env = "GAIBU_OIDC_LOGIN_CLAIM",
        default_value = "preferred_username"
    )]
    pub oidc_login_claim: String,
    /// gaibu's callback as registered at the provider (default: PUBLIC_URL/login/sso/callback)
    #[arg(long, env = "GAIBU_OIDC_REDIRECT_URL")]
    pub oidc_redirect_url: Option<String>,
}

impl SsoArgs {
    pub fn config(&self, public_url: &str) -> anyhow::Result<Option<crate::sso::SsoConfig>> {
        let (Some(issuer), Some(client_id)) = (&self.oidc_issuer, &self.oidc_client_id) else {
            return Ok(None);
        };
        if !matches!(
            self.oidc_login_claim.as_str(),
            "preferred_username" | "email" | "sub"
        ) {
            anyhow::bail!("--oidc-login-claim: preferred_username, email or sub");
        }
        Ok(Some(crate::sso::SsoConfig {
            issuer: issuer.clone(),
            client_id: client_id.clone(),
            client_secret: self.oidc_client_secret.clone(),
            redirect_url: self.oidc_redirect_url.clone().unwrap_or_else(|| {
                format!("{}/login/sso/callback", public_url.trim_end_matches('/'))
            }),
            login_claim: self.oidc_login_claim.clone(),
        }))
    }
}

/// Where `serve` signs checkpoints of the audit chain, if anywhere.
#[derive(Args, Debug, Clone)]
pub struct CheckpointArgs {
    /// Sign a checkpoint of the audit chain with this key at start and every
    /// --checkpoint-minutes (see `gaibu audit keygen`)
    #[arg(long, env = "GAIBU_CHECKPOINT_KEY", requires = "checkpoint_file")]
    pub checkpoint_key: Option<PathBuf>,
    /// The file the checkpoints are appended to
    #[arg(long, env = "GAIBU_CHECKPOINT_FILE")]
    pub checkpoint_file: Option<PathBuf>,
    #[arg(long, env = "GAIBU_CHECKPOINT_MINUTES", default_value_t = 60)]
    pub checkpoint_minutes: u64,
}
