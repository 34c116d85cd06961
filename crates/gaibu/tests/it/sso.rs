//! Sign-in through a real OpenID provider (npm `oidc-provider`, started on loopback by the test,
//! `e2e/oidc-provider.mjs`): the authorization code flow with PKCE signs a member of staff in;
//! a privileged user still gives their second factor; an unknown login, a damaged signature,
//! a token for another audience, an expired token and a replayed answer are refused and
//! audited; password sign-in can be switched off per user (issue 9).

use crate::harness::TestApp;
use reqwest::StatusCode;
use std::io::BufRead;
use std::process::{Command, Stdio};

/// The provider's process, stopped when dropped.
struct Provider {
    child: std::process::Child,
    issuer: String,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn e2e() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../e2e")
}

/// Whether node and the provider package are installed.
pub fn ready() -> bool {
    e2e().join("node_modules/oidc-provider").exists()
        && Command::new("node")
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
}

fn start_provider(redirect: &str) -> Provider {
    let mut child = Command::new("node")
        .arg("oidc-provider.mjs")
        .current_dir(e2e())
        .env("REDIRECT_URI", redirect)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the OpenID provider");
    let out = child.stdout.take().expect("stdout");
    let mut out = std::io::BufReader::new(out);
    let mut line = String::new();
    out.read_line(&mut line).expect("the provider's first line");
    // The rest is read and dropped: a closed pipe would stop the provider at its next line.
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    let issuer = line
        .trim()
        .strip_prefix("issuer ")
        .unwrap_or_else(|| panic!("not the provider's issuer: {line}"))
        .to_string();
    Provider { child, issuer }
}

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// Signs in as `login` at the provider (its development login form takes any password) from
/// gaibu's SSO button; answers the client and gaibu's answer to the provider's callback.
async fn through_provider(
    p: &Provider,
    base: &str,
    login: &str,
) -> (reqwest::Client, reqwest::Response) {
    let c = crate::harness::raw_client();
    let res = c
        .get(format!("{base}/login/sso?next=/services"))
        .send()
        .await
        .expect("start");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let mut next = location(&res);
    assert!(next.starts_with(&p.issuer), "to the provider: {next}");
    assert!(next.contains("code_challenge="), "PKCE: {next}");
    for _ in 0..12 {
        if next.starts_with(base) {
            let back = c.get(&next).send().await.expect("callback");
            return (c, back);
        }
        let res = c.get(&next).send().await.expect("provider");
        let res = if res.status() == StatusCode::OK {
            // The provider's login form.
            let page = res.text().await.expect("page");
            let action = page
                .split("action=\"")
                .nth(1)
                .and_then(|r| r.split('"').next())
                .expect("the login form")
                .to_string();
            c.post(action)
                .form(&[("prompt", "login"), ("login", login), ("password", "x")])
                .send()
                .await
                .expect("log in at the provider")
        } else {
            res
        };
        let to = location(&res);
        assert!(!to.is_empty(), "the provider stopped at {}", res.status());
        next = if to.starts_with('/') {
            format!("{}{to}", p.issuer)
        } else {
            to
        };
    }
    panic!("the provider never sent the browser back");
}

async fn mode(p: &Provider, m: &str) {
    let res = reqwest::Client::new()
        .post(format!("{}/__test/mode", p.issuer))
        .form(&[("mode", m)])
        .send()
        .await
        .expect("mode");
    assert_eq!(res.status(), StatusCode::OK);
}

/// Whether the client is signed in at gaibu.
async fn signed_in(c: &reqwest::Client, base: &str) -> StatusCode {
    c.get(format!("{base}/api/v1/me"))
        .send()
        .await
        .expect("me")
        .status()
}

async fn failed_with(app: &TestApp, outcome: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE action = 'session.sign_in_failed' AND after_json LIKE $1",
    )
    .bind(format!("%\"outcome\":\"{outcome}\"%"))
    .fetch_one(app.st.store.pool())
    .await
    .expect("count")
}

/// The last refused sign-in's detail, for a failing assertion's message.
async fn last_failure(app: &TestApp) -> String {
    sqlx::query_scalar::<_, Option<String>>(
        "SELECT after_json FROM audit_events WHERE action = 'session.sign_in_failed' ORDER BY seq DESC LIMIT 1",
    )
    .fetch_optional(app.st.store.pool())
    .await
    .expect("event")
    .flatten()
    .unwrap_or_default()
}

pub async fn sso_signs_in_through_a_real_openid_provider(app: &TestApp) {
    // gaibu's address comes first: the provider knows its callback.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let callback = format!("{base}/login/sso/callback");
    let p = start_provider(&callback);
    let cfg = gaibu::state::Config {
        sso: Some(gaibu::sso::SsoConfig {
            issuer: p.issuer.clone(),
            client_id: "gaibu".into(),
            client_secret: "gaibu-secret".into(),
            redirect_url: callback,
            login_claim: "preferred_username".into(),
        }),
        ..Default::default()
    };
    let base = app.instance_on(listener, cfg).await;
    let login_page = reqwest::get(format!("{base}/login"))
        .await
        .expect("login page")
        .text()
        .await
        .expect("body");
    assert!(login_page.contains("id=\"sso-login\""), "{login_page}");

    // A member of staff: signed in, and sent where they were going.
    let (c, back) = through_provider(&p, &base, "staff").await;
    assert_eq!(
        back.status(),
        StatusCode::SEE_OTHER,
        "{}",
        last_failure(app).await
    );
    assert_eq!(location(&back), "/services");
    let me: serde_json::Value = c
        .get(format!("{base}/api/v1/me"))
        .send()
        .await
        .expect("me")
        .json()
        .await
        .expect("json");
    assert_eq!(me["user"]["login"], "staff");
    let by_oidc: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE action = 'session.signed_in' AND after_json LIKE '%\"method\":\"oidc\"%'",
    )
    .fetch_one(app.st.store.pool())
    .await
    .expect("count");
    assert_eq!(by_oidc, 1);

    // A privileged user still gives their second factor.
    let (_, back) = through_provider(&p, &base, "ism").await;
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&back), "/login/mfa");

    // Someone the provider knows and gaibu does not: refused, audited.
    let (c, back) = through_provider(&p, &base, "stranger").await;
    assert_eq!(back.status(), StatusCode::FORBIDDEN);
    assert!(
        back.text()
            .await
            .expect("body")
            .contains("id=\"sso-failed\"")
    );
    assert_eq!(failed_with(app, "sso_unknown_user").await, 1);
    assert_eq!(signed_in(&c, &base).await, StatusCode::UNAUTHORIZED);

    // The provider's answer replayed: the request was used once.
    let c = crate::harness::raw_client();
    let res = c
        .get(format!("{base}/login/sso?next=/"))
        .send()
        .await
        .expect("start");
    let state = location(&res)
        .split("state=")
        .nth(1)
        .and_then(|s| s.split('&').next())
        .expect("state")
        .to_string();
    let forged = c
        .get(format!(
            "{base}/login/sso/callback?code=nothing&state=other{state}"
        ))
        .send()
        .await
        .expect("callback");
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(failed_with(app, "sso_unknown_request").await, 1);

    // A damaged signature, a token for another client: refused, audited.
    for m in ["badsig", "otheraud"] {
        mode(&p, m).await;
        let (c, back) = through_provider(&p, &base, "staff").await;
        assert_eq!(back.status(), StatusCode::FORBIDDEN, "{m}");
        assert_eq!(signed_in(&c, &base).await, StatusCode::UNAUTHORIZED, "{m}");
    }
    assert_eq!(failed_with(app, "sso_invalid_token").await, 2);
    let reasons: Vec<String> = sqlx::query_scalar(
        "SELECT after_json FROM audit_events WHERE action = 'session.sign_in_failed' \
         AND after_json LIKE '%sso_invalid_token%' ORDER BY seq",
    )
    .fetch_all(app.st.store.pool())
    .await
    .expect("reasons");
    let reasons = reasons.join("\n").to_lowercase();
    assert!(reasons.contains("signature"), "{reasons}");
    assert!(reasons.contains("audience"), "{reasons}");

    // Password sign-in switched off: the password no longer signs in; the provider does.
    mode(&p, "none").await;
    let staff = app.user_id("staff").await;
    let admin = app.api("admin").await;
    let (s, body) = admin
        .post(
            &format!("/users/{staff}/password-login"),
            serde_json::json!({ "on": false }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let res = crate::harness::raw_client()
        .post(format!("{base}/login"))
        .form(&[
            ("login", "staff"),
            ("password", gaibu::demo::DEMO_PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .expect("password sign-in");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(failed_with(app, "password_disabled").await, 1);
    let (_, back) = through_provider(&p, &base, "staff").await;
    assert_eq!(location(&back), "/services");

    // An expired ID token (it lives 60 s; the server's clock is 5 minutes on).
    mode(&p, "short").await;
    app.advance_minutes(5);
    let (_, back) = through_provider(&p, &base, "staff").await;
    assert_eq!(back.status(), StatusCode::FORBIDDEN);
    assert_eq!(failed_with(app, "sso_invalid_token").await, 3);
    let last = last_failure(app).await.to_lowercase();
    assert!(last.contains("expired"), "{last}");
}
