//! The audit chain detects a past event altered directly in the database.

use crate::harness::{Api, TestApp, application_json};
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
    // Two instances append to one chain in turns: each holds the head its last write left, so
    // the other's appends in between must be noticed, not forked from.
    let here = app.api("im").await;
    let there = Api {
        base: app.second_instance().await,
        ..app.api("im").await
    };
    for (i, api) in [&here, &there, &here, &there, &here]
        .into_iter()
        .enumerate()
    {
        let (s, v) = api
            .post("/applications", application_json(&format!("連鎖{i}"), "1"))
            .await;
        assert_eq!(s, 201, "{v}");
    }
    let (code, out) = verify(app);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("intact"), "{out}");

    // The database refuses edits of audit events outright…
    let pool = app.st.store.pool();
    let refused = sqlx::query("UPDATE audit_events SET actor_login = 'mallory' WHERE seq = 3")
        .execute(pool)
        .await;
    assert!(refused.is_err(), "append-only trigger");

    // An event that does not follow the chain's head is refused: nobody forks or skips it.
    let head: (i64, String) = sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(pool)
        .await
        .expect("head");
    for (seq, prev) in [(head.0 + 2, head.1.clone()), (head.0 + 1, "0".repeat(64))] {
        let forged = sqlx::query(
            "INSERT INTO audit_events (seq, at_ms, actor_id, actor_login, action, entity, \
             entity_id, service_id, before_json, after_json, prev_hash, hash) \
             VALUES ($1, 0, NULL, 'mallory', 'x', 'x', NULL, NULL, NULL, NULL, $2, $3)",
        )
        .bind(seq)
        .bind(&prev)
        .bind("f".repeat(64))
        .execute(pool)
        .await;
        assert!(forged.is_err(), "forged event {seq} after {prev}");
    }

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
