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

pub async fn class1_track_in_chromium(app: &TestApp) {
    let root = root();
    let e2e = root.join("e2e");
    let chromium = chromium();
    let shots = root.join("target/e2e");
    let base = app.base.clone();
    // The ISM signs in with a second factor: the script holds their secret as an app would.
    let ism = app.user_id("ism").await;
    let totp = app
        .st
        .store
        .totp_of(ism)
        .await
        .expect("db")
        .expect("the ISM is enrolled");
    let secrets = serde_json::json!({ "ism": totp.secret }).to_string();
    let out = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg("class1.mjs")
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
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "browser scenario failed\n{stdout}\n{stderr}"
    );
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
