//! One end-to-end test in a real headless Chromium (Debian `chromium`, driven by npm
//! `playwright-core`): sign in as the demo Information Manager and take a service through the
//! class-1 track. Ignored when the browser or the driver is missing, unless
//! `GAIBU_REQUIRE_BROWSER=1` (as `.ci/run` sets), which makes a missing browser a failure
//! (see `needs.rs`).

use crate::harness::TestApp;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn chromium() -> String {
    std::env::var("GAIBU_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into())
}

/// Whether the browser and its driver are installed.
pub fn ready() -> bool {
    Path::new(&chromium()).exists() && root().join("e2e/node_modules/playwright-core").exists()
}

/// Runs `e2e/<script>` against `app` and answers what it printed; fails on a non-zero exit.
async fn node(app: &TestApp, script: &str) -> String {
    let root = root();
    let e2e = root.join("e2e");
    let chromium = chromium();
    let shots = root.join("target/e2e");
    let base = app.base.clone();
    // The privileged users sign in with a second factor: the script holds their secrets as
    // an app would.
    let mut secrets = serde_json::Map::new();
    for login in ["ism", "ciso", "admin"] {
        let id = app.user_id(login).await;
        if let Some(totp) = app.st.store.totp_of(id).await.expect("db") {
            secrets.insert(login.into(), totp.secret.into());
        }
    }
    let secrets = serde_json::Value::Object(secrets).to_string();
    let script = script.to_string();
    let out = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(&script)
            .current_dir(&e2e)
            .env("GAIBU_BASE_URL", &base)
            .env("GAIBU_CHROMIUM", &chromium)
            .env("GAIBU_SHOTS", &shots)
            .env("GAIBU_TOTP_SECRETS", &secrets)
            .output()
    })
    .await
    .expect("join")
    .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "browser scenario failed\n{stdout}\n{stderr}"
    );
    stdout
}

/// Issue 10: every page each demo role reaches passes axe-core (no serious or critical
/// violation of WCAG 2.1 A/AA, which JIS X 8341-3:2016 AA follows), the pages it reads first
/// reflow at 390 and 320 CSS px, and an application prints as an A4 record.
pub async fn pages_pass_axe_core_in_chromium(app: &TestApp) {
    let stdout = node(app, "a11y.mjs").await;
    assert!(stdout.contains("a11y done"), "{stdout}");
    assert!(stdout.contains("A4 page"), "{stdout}");
}

pub async fn class1_track_in_chromium(app: &TestApp) {
    let stdout = node(app, "class1.mjs").await;
    assert!(stdout.contains("class-1 track done"), "{stdout}");
    assert!(stdout.contains("class-2 review done"), "{stdout}");
    assert!(stdout.contains("class-2 termination done"), "{stdout}");
    let reg = app.st.store.register_entries().await.expect("db");
    assert!(
        reg.iter()
            .any(|e| e.service_name == "オンライン予約サービス（デモ）"),
        "approved in the browser"
    );
    // clause: S7.1-1, S7.1-6 — the class-2 service was terminated in the browser.
    let booked = app
        .st
        .store
        .services()
        .await
        .expect("db")
        .into_iter()
        .find(|s| s.name == "オンライン予約サービス（デモ）")
        .expect("the reviewed service");
    assert_eq!(
        booked.ledger_status,
        Some(gaibu_domain::ledger::LedgerStatus::Retired)
    );
    // What the browser did is in the database and the chain holds.
    let services = app.st.store.services().await.expect("db");
    let s = services
        .iter()
        .find(|s| s.name == "ブラウザ会議サービス")
        .expect("service made in the browser");
    assert_eq!(
        s.ledger_status,
        Some(gaibu_domain::ledger::LedgerStatus::Retired)
    );
    assert_eq!(app.st.store.accounts(s.id).await.expect("db").len(), 2);
    assert!(matches!(
        app.st.store.verify_audit().await.expect("verify"),
        gaibu_store::VerifyOutcome::Intact { .. }
    ));
}
