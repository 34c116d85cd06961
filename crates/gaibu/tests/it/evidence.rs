//! Evidence files: stored with size, type and SHA-256, refused when too large or not what they
//! claim to be, readable only by those who may read the application, kept in the snapshot.

use crate::class2_track::prepared;
use crate::harness::{TestApp, id_of, version_of};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

async fn upload(
    app: &TestApp,
    login: &str,
    id: i64,
    name: &str,
    ctype: &str,
    bytes: Vec<u8>,
    item: &str,
) -> (StatusCode, Value) {
    let c = app.api(login).await;
    let part = Part::bytes(bytes)
        .file_name(name.to_string())
        .mime_str(ctype)
        .expect("mime");
    let form = Form::new()
        .part("file", part)
        .text("item_key", item.to_string())
        .text("expires_on", "2027-09-30")
        .text("note", "第三者認証");
    let res = c
        .http
        .post(format!("{}/api/v1/applications/{id}/evidence", app.base))
        .bearer_auth(&c.token)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

// clause: S3.2c
pub async fn evidence_is_checked_and_kept(app: &TestApp) {
    let (id, _) = prepared(app, "im", "証跡つき申請").await;
    let pdf = b"%PDF-1.7\n% ISMAP registration certificate\n".to_vec();
    let (s, e) = upload(
        app,
        "im",
        id,
        "ismap-証明書.pdf",
        "application/pdf",
        pdf.clone(),
        "c2-certification",
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    assert_eq!(e["sha256"], hex::encode(Sha256::digest(&pdf)));
    assert_eq!(e["size_bytes"], pdf.len() as i64);
    assert_eq!(e["expires_on"], "2027-09-30");
    assert_eq!(e["filename"], "ismap-証明書.pdf");

    // Refused, nothing stored: a PNG calling itself a PDF, a program, a file over the limit.
    let png = b"\x89PNG\r\n\x1a\nrest".to_vec();
    let (s, body) = upload(app, "im", id, "cert.pdf", "application/pdf", png, "").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["fields"][0]["code"], "content_mismatch");
    let (s, body) = upload(
        app,
        "im",
        id,
        "tool.exe",
        "application/x-msdownload",
        b"MZ".to_vec(),
        "",
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"][0]["code"], "unsupported_type");
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(1024 * 1024 + 10, b'x');
    let (s, body) = upload(app, "im", id, "big.pdf", "application/pdf", big, "").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["fields"][0]["code"], "file_too_large");
    let (s, body) = upload(
        app,
        "im",
        id,
        "x.pdf",
        "application/pdf",
        pdf.clone(),
        "no-such-item",
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"][0]["code"], "unknown_item");
    let im = app.api("im").await;
    let (_, list) = im.get(&format!("/applications/{id}/evidence")).await;
    assert_eq!(list.as_array().map(Vec::len), Some(1));

    // The bytes come back as they went in; a stranger cannot have them.
    let eid = id_of(&e);
    let res = reqwest::Client::new()
        .get(format!("{}/api/v1/evidence/{eid}/content", app.base))
        .bearer_auth(&im.token)
        .send()
        .await
        .expect("download");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.expect("bytes").to_vec(), pdf);
    let infra = app.api("infra").await;
    let res = reqwest::Client::new()
        .get(format!("{}/api/v1/evidence/{eid}/content", app.base))
        .bearer_auth(&infra.token)
        .send()
        .await
        .expect("download");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // Through the page's form too (the CSRF token rides in the form's URL).
    let b = app.browser("im").await;
    let part = Part::bytes("SLA: 稼働率99.9%".as_bytes().to_vec())
        .file_name("sla.txt")
        .mime_str("text/plain")
        .expect("mime");
    let res = b
        .http
        .post(format!(
            "{}/applications/{id}/evidence?_csrf={}",
            app.base, b.csrf
        ))
        .multipart(
            Form::new()
                .part("file", part)
                .text("item_key", "evaluation.sla"),
        )
        .send()
        .await
        .expect("upload");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let part = Part::bytes(b"x".to_vec())
        .file_name("sla.txt")
        .mime_str("text/plain")
        .expect("mime");
    let res = b
        .http
        .post(format!("{}/applications/{id}/evidence", app.base))
        .multipart(Form::new().part("file", part))
        .send()
        .await
        .expect("upload");
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "no token, no upload");
    let (_, html) = b.get(&format!("/applications/{id}")).await;
    assert!(html.contains("ismap-証明書.pdf") && html.contains("sla.txt"));

    // Submitted: the snapshot names the evidence by hash; now frozen, no more uploads.
    let (_, a) = im.get(&format!("/applications/{id}")).await;
    let (s, a) = im
        .post(
            &format!("/applications/{id}/submit"),
            json!({"version": version_of(&a)}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let rounds = app.st.store.rounds(id).await.expect("rounds");
    let content: Value = serde_json::from_str(&rounds[0].content).expect("json");
    assert_eq!(content["evidence"].as_array().map(Vec::len), Some(2));
    assert_eq!(content["evidence"][0]["sha256"], e["sha256"]);
    let (s, _) = upload(app, "im", id, "late.pdf", "application/pdf", pdf, "").await;
    assert_eq!(s, StatusCode::CONFLICT, "frozen under review");
}
