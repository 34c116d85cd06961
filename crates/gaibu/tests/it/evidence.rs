//! Evidence files: stored with size, type and SHA-256, refused when too large or not what they
//! claim to be, readable only by those who may read the application, kept in the snapshot.

use crate::flows::{file, prepared, send_file};
use crate::harness::{TestApp, id_of, version_of};
use reqwest::StatusCode;
use reqwest::multipart::Part;
use serde_json::Value;
use sha2::{Digest, Sha256};

const PDF: &str = "application/pdf";

/// Uploads `file` for `item` (none when empty) of application `id` as the demo IM.
async fn upload(app: &TestApp, id: i64, file: Part, item: &str) -> (StatusCode, Value) {
    let fields = [
        ("item_key", item),
        ("expires_on", "2027-09-30"),
        ("note", "第三者認証"),
    ];
    let path = format!("/applications/{id}/evidence");
    let res = app.api("im").await.upload(&path, file, &fields).await;
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

// clause: S3.2c
pub async fn evidence_is_checked_and_kept(app: &TestApp) {
    let (id, _) = prepared(app, "im", "証跡つき申請").await;
    let pdf = b"%PDF-1.7\n% ISMAP registration certificate\n%%EOF\n".to_vec();
    let ismap = file(&pdf, "ismap-証明書.pdf", PDF);
    let (s, e) = upload(app, id, ismap, "c2-certification").await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    assert_eq!(e["sha256"], hex::encode(Sha256::digest(&pdf)));
    assert_eq!(e["size_bytes"], pdf.len() as i64);
    assert_eq!(e["expires_on"], "2027-09-30");
    assert_eq!(e["filename"], "ismap-証明書.pdf");

    // Refused, nothing stored: a PNG calling itself a PDF, a program, a file over the limit.
    let png = file(b"\x89PNG\r\n\x1a\nrest", "cert.pdf", PDF);
    let (s, body) = upload(app, id, png, "").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["fields"][0]["code"], "content_mismatch");
    let program = file(b"MZ", "tool.exe", "application/x-msdownload");
    let (s, body) = upload(app, id, program, "").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"][0]["code"], "unsupported_type");
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(1024 * 1024 + 10, b'x');
    let (s, body) = upload(app, id, file(&big, "big.pdf", PDF), "").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["fields"][0]["code"], "file_too_large");
    let (s, body) = upload(app, id, file(&pdf, "x.pdf", PDF), "no-such-item").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"][0]["code"], "unknown_item");
    let im = app.api("im").await;
    let (_, list) = im.get(&format!("/applications/{id}/evidence")).await;
    assert_eq!(list.as_array().map(Vec::len), Some(1));

    // The bytes come back as they went in; a stranger cannot have them.
    let content = format!("{}/api/v1/evidence/{}/content", app.base, id_of(&e));
    let download = |token: String| {
        let req = reqwest::Client::new().get(&content).bearer_auth(token);
        async move { req.send().await.expect("download") }
    };
    let res = download(im.token.clone()).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.expect("bytes").to_vec(), pdf);
    let res = download(app.api("infra").await.token).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // A file of many chunks streams in and out whole: spooled as it arrives (characters cut
    // between chunks are still text), kept in chunks, read back equal; no spool file stays.
    let long = "第三者認証の報告書：稼働率99.9%。\n"
        .repeat(15_000)
        .into_bytes();
    assert!(long.len() > 2 * gaibu_store::CHUNK_BYTES);
    let (other, _) = prepared(app, "im", "長い証跡つき申請").await;
    let (s, e2) = upload(app, other, file(&long, "report.txt", "text/plain"), "").await;
    assert_eq!(s, StatusCode::CREATED, "{e2}");
    assert_eq!(e2["sha256"], hex::encode(Sha256::digest(&long)));
    let content2 = format!("{}/api/v1/evidence/{}/content", app.base, id_of(&e2));
    let res = reqwest::Client::new()
        .get(&content2)
        .bearer_auth(im.token.clone())
        .send()
        .await
        .expect("download");
    assert_eq!(res.bytes().await.expect("bytes").to_vec(), long);
    let spool = crate::evidence::spool_entries(app);
    assert_eq!(spool, 0, "uploads leave no spool file behind");

    // Through the page's form too (the CSRF token rides in the form's URL).
    let b = app.browser("im").await;
    let page = format!("{}/applications/{id}/evidence", app.base);
    let sla = file("SLA: 稼働率99.9%".as_bytes(), "sla.txt", "text/plain");
    let with_token = b.http.post(format!("{page}?_csrf={}", b.csrf));
    let res = send_file(with_token, sla, &[("item_key", "evaluation.sla")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let sla = file(b"x", "sla.txt", "text/plain");
    let res = send_file(b.http.post(&page), sla, &[]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "no token, no upload");
    let (_, html) = b.get(&format!("/applications/{id}")).await;
    assert!(html.contains("ismap-証明書.pdf") && html.contains("sla.txt"));

    // Submitted: the snapshot names the evidence by hash; now frozen, no more uploads.
    let (_, a) = im.get(&format!("/applications/{id}")).await;
    let (s, a) = im.submit(id, version_of(&a)).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let rounds = app.st.store.rounds(id).await.expect("rounds");
    let content = &rounds[0].content;
    assert_eq!(content["evidence"].as_array().map(Vec::len), Some(2));
    assert_eq!(content["evidence"][0]["sha256"], e["sha256"]);
    let (s, _) = upload(app, id, file(&pdf, "late.pdf", PDF), "").await;
    assert_eq!(s, StatusCode::CONFLICT, "frozen under review");
}

/// Files left in the upload spool of the app's evidence directory.
pub fn spool_entries(app: &TestApp) -> usize {
    let dir = gaibu::evidence::spool_dir(&app.st);
    std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
}
