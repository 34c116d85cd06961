//! The audit chain detects a past event altered directly in the database.

use crate::harness::TestApp;
use std::process::Command;

fn verify(app: &TestApp) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gaibu"))
        .args(["audit", "verify", "--database-url", &app.db_url])
        .env("GAIBU_LOG", "error")
        .output()
        .expect("run gaibu audit verify");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

pub async fn tampering_with_the_audit_chain_is_detected(app: &TestApp) {
    let (code, out) = verify(app);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("intact"), "{out}");

    // The database refuses edits of audit events outright…
    let pool = app.st.store.pool();
    let refused = sqlx::query("UPDATE audit_events SET actor_login = 'mallory' WHERE seq = 3")
        .execute(pool)
        .await;
    assert!(refused.is_err(), "append-only trigger");

    // …and whoever gets past that (drops the trigger) is caught by the chain.
    let drop_trigger = match app.st.store.backend() {
        gaibu_store::Backend::Sqlite => "DROP TRIGGER audit_events_no_update",
        gaibu_store::Backend::Postgres => "DROP TRIGGER audit_events_no_update ON audit_events",
    };
    sqlx::query(drop_trigger)
        .execute(pool)
        .await
        .expect("drop trigger");
    sqlx::query("UPDATE audit_events SET after_json = '{\"login\":\"mallory\"}' WHERE seq = 3")
        .execute(pool)
        .await
        .expect("tamper");
    let (code, out) = verify(app);
    assert_ne!(code, 0, "{out}");
    assert!(
        out.contains("event 3"),
        "names the first broken event: {out}"
    );
}
