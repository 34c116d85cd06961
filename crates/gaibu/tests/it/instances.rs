//! Several stateless instances on one database, under concurrent writes: sessions are shared,
//! the audit chain stays one chain, and every instance reaches every evidence file.

use crate::flows::{file, prepared};
use crate::harness::{Api, TestApp, application_json, id_of};
use gaibu::state::{Config, EvidenceStore};
use reqwest::StatusCode;
use serde_json::Value;
use sha2::{Digest, Sha256};

pub async fn several_instances_share_one_database(app: &TestApp) {
    let second = app.second_instance().await;

    // A session opened on one instance works on the other.
    let b = app.browser("im").await;
    let res = b
        .http
        .get(format!("{second}/api/v1/me"))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), StatusCode::OK);

    // Concurrent writes through both instances.
    let im = app.api("im").await;
    let mut tasks = Vec::new();
    for i in 0..24 {
        let base = if i % 2 == 0 {
            app.base.clone()
        } else {
            second.clone()
        };
        let token = im.token.clone();
        tasks.push(tokio::spawn(async move {
            reqwest::Client::new()
                .post(format!("{base}/api/v1/applications"))
                .bearer_auth(token)
                .json(&application_json(&format!("同時申請{i}"), "1"))
                .send()
                .await
                .map(|r| r.status())
        }));
    }
    // `audit verify` while the writes go on: never a false alarm.
    for _ in 0..20 {
        match app.st.store.verify_audit().await.expect("verify") {
            gaibu_store::VerifyOutcome::Intact { .. } => {}
            broken => panic!("verify during writes: {broken:?}"),
        }
    }
    for t in tasks {
        assert_eq!(t.await.expect("join").expect("send"), StatusCode::CREATED);
    }
    match app.st.store.verify_audit().await.expect("verify") {
        gaibu_store::VerifyOutcome::Intact { events, .. } => assert!(events > 24),
        broken => panic!("{broken:?}"),
    }
}

/// 1 MiB and more of varied bytes that read as a PDF: five chunks of storage, the last short.
fn large_pdf() -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n% SOC 2 Type II report\n".to_vec();
    let mut x: u32 = 0x9e37_79b9;
    while bytes.len() < 1024 * 1024 + 70_000 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        bytes.push((x >> 8) as u8);
    }
    bytes.extend_from_slice(b"\n%%EOF\n");
    bytes
}

/// An instance on the app's database keeping evidence in the database (the default on
/// PostgreSQL; the setting says so on SQLite), with `dir` as its own directory.
async fn instance_on_database(app: &TestApp, dir: &std::path::Path) -> String {
    let store = match app.st.store.backend() {
        gaibu_store::Backend::Postgres => None,
        gaibu_store::Backend::Sqlite => Some(EvidenceStore::Database),
    };
    app.instance_with(Config {
        evidence_store: store,
        evidence_dir: dir.to_path_buf(),
        max_upload_bytes: 2 * 1024 * 1024,
        ..Config::default()
    })
    .await
}

/// Downloads evidence `id` through the instance at `base`: the status and the body, or the
/// error that broke it.
async fn download(base: &str, token: &str, id: i64) -> (StatusCode, Result<Vec<u8>, String>) {
    let res = reqwest::Client::new()
        .get(format!("{base}/api/v1/evidence/{id}/content"))
        .bearer_auth(token)
        .send()
        .await
        .expect("download");
    let status = res.status();
    let body = res.bytes().await.map(|b| b.to_vec());
    (status, body.map_err(|e| e.to_string()))
}

async fn count(app: &TestApp, sql: &str, sha: &str) -> i64 {
    sqlx::query_scalar(sql)
        .bind(sha)
        .fetch_one(app.st.store.pool())
        .await
        .expect("count")
}

fn files_in(dir: &std::path::Path) -> usize {
    walk(dir).len()
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// Issue 8: evidence uploaded on one instance is downloaded on another, byte for byte; the
/// same content uploaded on both at once is stored once; bytes that do not match their hash
/// are never served whole; files kept on disk before stay readable and can be copied in.
// clause: S3.2c
pub async fn evidence_reaches_every_instance(app: &TestApp) {
    let (dir_a, dir_b) = (tempdir(), tempdir());
    let a = instance_on_database(app, dir_a.path()).await;
    let b = instance_on_database(app, dir_b.path()).await;
    let im = app.api("im").await;
    let on = |base: &str| Api {
        http: reqwest::Client::new(),
        base: base.to_string(),
        token: im.token.clone(),
    };
    let (id, _) = prepared(app, "im", "複数インスタンスの証跡").await;
    let path = format!("/applications/{id}/evidence");
    let pdf = large_pdf();
    let sha = hex::encode(Sha256::digest(&pdf));

    // Uploaded on A and, meanwhile, the same content on B: both kept, the bytes stored once.
    let (on_a, on_b) = (on(&a), on(&b));
    let (ra, rb) = tokio::join!(
        on_a.upload(&path, file(&pdf, "soc2.pdf", "application/pdf"), &[]),
        on_b.upload(&path, file(&pdf, "soc2-copy.pdf", "application/pdf"), &[]),
    );
    assert_eq!(ra.status(), StatusCode::CREATED);
    assert_eq!(rb.status(), StatusCode::CREATED);
    let ea: Value = ra.json().await.expect("json");
    let eb: Value = rb.json().await.expect("json");
    assert_eq!(ea["sha256"], sha);
    assert_eq!(eb["sha256"], sha);
    let chunks = "SELECT COUNT(*) FROM evidence_chunks WHERE sha256 = $1";
    let objects = "SELECT COUNT(*) FROM evidence_objects WHERE sha256 = $1";
    assert_eq!(count(app, chunks, &sha).await, 5);
    assert_eq!(count(app, objects, &sha).await, 1);
    let stored = app.st.store.blob(&sha).await.expect("db").expect("whole");
    assert_eq!(stored.size_bytes, pdf.len() as i64);
    assert_eq!(stored.chunk_count, 5);
    assert_eq!(
        files_in(dir_a.path()) + files_in(dir_b.path()),
        0,
        "not on disk"
    );

    // Each instance serves what the other took in, byte for byte, with its length.
    let (s, body) = download(&b, &im.token, id_of(&ea)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(body.expect("whole body") == pdf, "A's upload read on B");
    let (s, body) = download(&a, &im.token, id_of(&eb)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(body.expect("whole body") == pdf, "B's upload read on A");

    // The same content once more, later, on B: a no-op for the storage.
    let res = on_b
        .upload(&path, file(&pdf, "soc2-again.pdf", "application/pdf"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(count(app, chunks, &sha).await, 5);
    assert_eq!(app.st.store.blob(&sha).await.expect("db"), Some(stored));

    // A file kept in a directory before (an instance set to `dir:`) is still served by an
    // instance on the database whose directory it is, and `gaibu evidence migrate` copies it
    // in for every instance.
    let old = tempdir();
    let local = app
        .instance_with(Config {
            evidence_store: Some(EvidenceStore::Dir(old.path().to_path_buf())),
            ..Config::default()
        })
        .await;
    let sla = "SLA: 稼働率99.95%、障害時4時間以内に復旧".as_bytes();
    let res = on(&local)
        .upload(&path, file(sla, "sla.txt", "text/plain"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let e_old: Value = res.json().await.expect("json");
    assert_eq!(files_in(old.path()), 1);
    let falls_back = instance_on_database(app, old.path()).await;
    let (s, body) = download(&falls_back, &im.token, id_of(&e_old)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body.as_deref(), Ok(sla));
    let (s, _) = download(&b, &im.token, id_of(&e_old)).await;
    assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR, "not in B's reach yet");
    let stray = old.path().join("zz").join("notes.txt");
    std::fs::create_dir_all(stray.parent().expect("parent")).expect("mkdir");
    std::fs::write(&stray, "not evidence").expect("write");
    let now = app.st.now();
    let done = gaibu::evidence::migrate_dir(&app.st.store, old.path(), now)
        .await
        .expect("migrate");
    assert_eq!((done.copied, done.present), (1, 0));
    assert_eq!(done.skipped, vec![stray]);
    let (s, body) = download(&b, &im.token, id_of(&e_old)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body.as_deref(), Ok(sla));
    let again = gaibu::evidence::migrate_dir(&app.st.store, old.path(), now)
        .await
        .expect("migrate again");
    assert_eq!((again.copied, again.present), (0, 1));

    // A chunk altered in the database: the download breaks off rather than end as if whole.
    let mut altered = pdf[2 * 256 * 1024..3 * 256 * 1024].to_vec();
    altered[1000] ^= 0xff;
    sqlx::query("UPDATE evidence_chunks SET bytes = $1 WHERE sha256 = $2 AND seq = 2")
        .bind(altered.as_slice())
        .bind(&sha)
        .execute(app.st.store.pool())
        .await
        .expect("tamper");
    let (s, body) = download(&a, &im.token, id_of(&ea)).await;
    assert_eq!(
        s,
        StatusCode::OK,
        "the head went out before the end was read"
    );
    assert!(body.is_err(), "a tampered file is not served whole");
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}
