//! The audit chain detects a past event altered directly in the database.

use crate::harness::{Api, TestApp, application_json};
use std::process::Command;

fn verify(app: &TestApp) -> (i32, String) {
    gaibu(&["audit", "verify", "--database-url", &app.db_url])
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

/// Runs `gaibu` with `args`; answers its exit code and what it printed.
fn gaibu(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gaibu"))
        .args(args)
        .env("GAIBU_LOG", "error")
        .output()
        .expect("run gaibu");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// Someone with the database's own rights rewrites an event and recomputes every later hash
/// and the head: the chain alone then says "intact", but a checkpoint signed before with a key
/// the database does not hold finds the rewrite (issue 9).
pub async fn a_rewritten_chain_fails_against_signed_checkpoints(app: &TestApp) {
    let api = app.api("im").await;
    for i in 0..3 {
        let (s, v) = api
            .post("/applications", application_json(&format!("署名{i}"), "1"))
            .await;
        assert_eq!(s, 201, "{v}");
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let key = dir.path().join("audit.key");
    let file = dir.path().join("checkpoints.jsonl");
    let (key_s, file_s) = (key.display().to_string(), file.display().to_string());
    let public = key.with_extension("pub").display().to_string();
    let db = app.db_url.as_str();
    let (code, out) = gaibu(&["audit", "keygen", "--out", &key_s]);
    assert_eq!(code, 0, "{out}");
    // A key is never overwritten.
    let (code, _) = gaibu(&["audit", "keygen", "--out", &key_s]);
    assert_ne!(code, 0);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).expect("key").permissions().mode();
        assert_eq!(mode & 0o077, 0, "the signing key is its owner's alone");
    }
    let cp = [
        "audit",
        "checkpoint",
        "--database-url",
        db,
        "--key",
        &key_s,
        "--out",
        &file_s,
    ];
    let (code, out) = gaibu(&cp);
    assert_eq!(code, 0, "{out}");
    let checked = [
        "audit",
        "verify",
        "--database-url",
        db,
        "--checkpoints",
        &file_s,
        "--public-key",
        &public,
    ];
    let (code, out) = gaibu(&checked);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("checkpoints hold"), "{out}");

    // More events, and a second checkpoint that goes on from the first.
    let (s, _) = api
        .post("/applications", application_json("署名後", "1"))
        .await;
    assert_eq!(s, 201);
    let (code, out) = gaibu(&cp);
    assert_eq!(code, 0, "{out}");
    let kept = gaibu::checkpoints::read(&file).expect("read");
    assert_eq!(kept.len(), 2);
    assert!(kept[1].seq > kept[0].seq);

    // The rewrite: past the triggers, event 3 changed and every hash after it recomputed.
    let pool = app.st.store.pool();
    let drop_trigger = match app.st.store.backend() {
        gaibu_store::Backend::Sqlite => "DROP TRIGGER audit_events_no_update",
        gaibu_store::Backend::Postgres => "DROP TRIGGER audit_events_no_update ON audit_events",
    };
    sqlx::query(drop_trigger).execute(pool).await.expect("drop");
    let head: i64 = sqlx::query_scalar("SELECT seq FROM audit_head WHERE id = 1")
        .fetch_one(pool)
        .await
        .expect("head");
    let mut prev = app
        .st
        .store
        .audit_event(2)
        .await
        .expect("read")
        .expect("event 2")
        .hash;
    for seq in 3..=head {
        let mut e = app
            .st
            .store
            .audit_event(seq)
            .await
            .expect("read")
            .expect("event");
        if seq == 3 {
            e.actor_login = "mallory".into();
        }
        e.prev_hash = prev.clone();
        e.hash = gaibu_domain::audit::event_hash(&e);
        sqlx::query(
            "UPDATE audit_events SET actor_login = $1, prev_hash = $2, hash = $3 WHERE seq = $4",
        )
        .bind(&e.actor_login)
        .bind(&e.prev_hash)
        .bind(&e.hash)
        .bind(seq)
        .execute(pool)
        .await
        .expect("rewrite");
        prev = e.hash;
    }
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&prev)
        .execute(pool)
        .await
        .expect("head");
    // The chain alone is fooled…
    let (code, out) = verify(app);
    assert_eq!(code, 0, "{out}");
    // …the checkpoints are not, and a new checkpoint does not bless the rewrite.
    let (code, out) = gaibu(&checked);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("rewritten"), "{out}");
    let (code, out) = gaibu(&cp);
    assert_ne!(code, 0, "{out}");
    // A checkpoint signed by another key is not trusted.
    let other = dir.path().join("other.key");
    gaibu(&["audit", "keygen", "--out", &other.display().to_string()]);
    let other_pub = other.with_extension("pub").display().to_string();
    let (code, out) = gaibu(&[
        "audit",
        "verify",
        "--database-url",
        db,
        "--checkpoints",
        &file_s,
        "--public-key",
        &other_pub,
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("not signed by the trusted key"), "{out}");
}
