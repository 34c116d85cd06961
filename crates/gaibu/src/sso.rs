//! Sign-in through the city's identity provider over OpenID Connect (issue 9): the
//! authorization code flow with PKCE, the provider's discovery document and keys read from the
//! city's network (nothing else is fetched), the ID token verified — signature against the
//! provider's keys, issuer, audience, expiry (by the server's clock) and nonce — and one of its
//! claims mapped to a gaibu login. The `openidconnect` crate does the protocol.

use crate::auth::{random_token, token_hash};
use crate::state::AppState;
use gaibu_store::sso::SsoRequest;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};

/// How gaibu reaches the city's provider.
#[derive(Debug, Clone)]
pub struct SsoConfig {
    /// The provider's issuer URL (its discovery document is at
    /// `<issuer>/.well-known/openid-configuration`).
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// gaibu's callback as the provider knows it: `<public URL>/login/sso/callback`.
    pub redirect_url: String,
    /// The ID token's claim that holds the gaibu login: `preferred_username`, `email` or `sub`.
    pub login_claim: String,
}

/// How long a sign-in may take at the provider.
const REQUEST_MINUTES: i64 = 10;

#[derive(Debug, thiserror::Error)]
pub enum SsoError {
    #[error("the provider cannot be reached or described itself wrongly: {0}")]
    Provider(String),
    #[error("the sign-in came back unknown, expired or from another browser")]
    UnknownRequest,
    #[error("the provider refused the sign-in: {0}")]
    Refused(String),
    #[error("the provider's answer did not verify: {0}")]
    Invalid(String),
    #[error("the ID token has no {0} claim")]
    NoClaim(String),
    #[error(transparent)]
    Store(#[from] gaibu_store::StoreError),
}

impl SsoError {
    /// A short stable name for the audit trail.
    pub fn outcome(&self) -> &'static str {
        match self {
            SsoError::Provider(_) => "sso_provider_unreachable",
            SsoError::UnknownRequest => "sso_unknown_request",
            SsoError::Refused(_) => "sso_refused",
            SsoError::Invalid(_) => "sso_invalid_token",
            SsoError::NoClaim(_) => "sso_no_login_claim",
            SsoError::Store(_) => "sso_error",
        }
    }
}

/// An error with its causes, as one line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}

fn http() -> Result<openidconnect::reqwest::Client, SsoError> {
    // Redirects are not followed: a provider's answer is read where it was asked for.
    openidconnect::reqwest::ClientBuilder::new()
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .map_err(|e| SsoError::Provider(e.to_string()))
}

/// The client of the provider as its discovery document describes it now (keys included, so a
/// rotated key is seen at the next sign-in).
async fn client(
    cfg: &SsoConfig,
    http: &openidconnect::reqwest::Client,
) -> Result<
    CoreClient<
        openidconnect::EndpointSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointMaybeSet,
        openidconnect::EndpointMaybeSet,
    >,
    SsoError,
> {
    let issuer =
        IssuerUrl::new(cfg.issuer.clone()).map_err(|e| SsoError::Provider(e.to_string()))?;
    let meta = CoreProviderMetadata::discover_async(issuer, http)
        .await
        .map_err(|e| SsoError::Provider(chain(&e)))?;
    let redirect = RedirectUrl::new(cfg.redirect_url.clone())
        .map_err(|e| SsoError::Provider(e.to_string()))?;
    Ok(CoreClient::from_provider_metadata(
        meta,
        ClientId::new(cfg.client_id.clone()),
        Some(ClientSecret::new(cfg.client_secret.clone())),
    )
    .set_redirect_uri(redirect))
}

/// Starts a sign-in: answers the provider's address to send the browser to and the token the
/// browser keeps until it comes back.
pub async fn start(
    st: &AppState,
    cfg: &SsoConfig,
    next: &str,
) -> Result<(String, String), SsoError> {
    let http = http()?;
    let client = client(cfg, &http).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    let token = random_token();
    let now = st.now();
    let expires = now
        .checked_add(jiff::SignedDuration::from_mins(REQUEST_MINUTES))
        .map_err(|e| SsoError::Provider(e.to_string()))?;
    let request = SsoRequest {
        state: state.secret().clone(),
        nonce: nonce.secret().clone(),
        pkce_verifier: verifier.secret().clone(),
        next_path: next.to_string(),
    };
    st.store
        .create_sso_request(&token_hash(&token), &request, expires, now)
        .await?;
    Ok((url.to_string(), token))
}

/// Finishes a sign-in that came back with `state` and `code` to the browser holding `token`:
/// answers the login the ID token names and where the user was going.
pub async fn finish(
    st: &AppState,
    cfg: &SsoConfig,
    token: &str,
    state: &str,
    code: &str,
) -> Result<(String, String), SsoError> {
    let now = st.now();
    let request = st
        .store
        .take_sso_request(&token_hash(token), now)
        .await?
        .ok_or(SsoError::UnknownRequest)?;
    if !crate::auth::ct_eq(request.state.as_bytes(), state.as_bytes()) {
        return Err(SsoError::UnknownRequest);
    }
    let http = http()?;
    let client = client(cfg, &http).await?;
    let answer = client
        .exchange_code(AuthorizationCode::new(code.to_string()))
        .map_err(|e| SsoError::Provider(e.to_string()))?
        .set_pkce_verifier(PkceCodeVerifier::new(request.pkce_verifier))
        .request_async(&http)
        .await
        .map_err(|e| SsoError::Refused(chain(&e)))?;
    let id_token = answer
        .id_token()
        .ok_or_else(|| SsoError::Invalid("no ID token".into()))?;
    // Expiry is judged by the server's clock (the rules' one), not the machine's.
    let at =
        chrono::DateTime::from_timestamp(now.as_second(), now.subsec_nanosecond().max(0) as u32)
            .ok_or_else(|| SsoError::Invalid("the time".into()))?;
    let verifier = client.id_token_verifier().set_time_fn(move || at);
    let claims = id_token
        .claims(&verifier, &Nonce::new(request.nonce))
        .map_err(|e| SsoError::Invalid(chain(&e)))?;
    let login = match cfg.login_claim.as_str() {
        "sub" => Some(claims.subject().as_str().to_string()),
        "email" => claims.email().map(|e| e.as_str().to_string()),
        _ => claims.preferred_username().map(|u| u.as_str().to_string()),
    };
    let login = login.ok_or_else(|| SsoError::NoClaim(cfg.login_claim.clone()))?;
    Ok((login.trim().to_lowercase(), request.next_path))
}
