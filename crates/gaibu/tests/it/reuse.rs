//! The catalogue ("may I use this service for this work?") and reuse of an approved evaluation.

use crate::flows::{file, has_item, prepared, submitted_and_approved};
use crate::harness::{TestApp, id_of, version_of};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The catalogue's entry for a service.
fn entry(hits: &Value, name: &str) -> Value {
    let hits = hits["items"].as_array().expect("entries");
    let found = hits.iter().find(|e| e["name"] == name);
    found.cloned().unwrap_or_else(|| panic!("{name} not found"))
}

// clause: S3.4c — the approved services, searchable by every member of staff
pub async fn catalogue_answers_may_i_use_it(app: &TestApp) {
    let staff = app.api("staff").await;
    // Two-character Japanese words find what they should.
    let (s, hits) = staff.get("/catalogue?q=%E4%BC%9A%E8%AD%B0&level=2").await; // 会議
    assert_eq!(s, StatusCode::OK, "{hits}");
    let hits = hits["items"].as_array().expect("entries").clone();
    let meeting = hits
        .iter()
        .find(|e| e["name"] == "Web会議サービス（デモ）")
        .expect("found by 会議");
    assert_eq!(meeting["usable"], false, "approved for class 1 only");
    assert!(
        meeting["administrator_email"]
            .as_str()
            .is_some_and(|m| m.contains('@'))
    );
    let (_, hits) = staff.get("/catalogue?q=%E6%96%87%E6%9B%B8&level=2").await; // 文書
    let cloud = entry(&hits, "文書共有クラウド（デモ）");
    assert_eq!(cloud["usable"], true);
    assert_eq!(cloud["approved_level"], "2");
    // Another department may not simply use it: it is offered a reuse.
    let (_, hits) = app
        .api("infra")
        .await
        .get("/catalogue?q=%E6%96%87%E6%9B%B8&level=1")
        .await;
    let other = entry(&hits, "文書共有クラウド（デモ）");
    assert_eq!(other["usable"], false);
    assert_eq!(other["reason"], "other_unit");
    let (_, hits) = staff
        .get("/catalogue?q=%E3%82%A2%E3%83%B3%E3%82%B1%E3%83%BC%E3%83%88")
        .await; // アンケート: retired
    assert_eq!(
        hits["items"].as_array().map(Vec::len),
        Some(0),
        "retired services are not offered"
    );
    assert_eq!(hits["next_cursor"], Value::Null);

    let b = app.browser("staff").await;
    let (s, html) = b.get("/catalogue?q=%E4%BC%9A%E8%AD%B0&level=2").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("この格付では利用できません"));
    assert!(
        html.contains("/applications/new?reuse="),
        "offers a reuse when the answer is no"
    );
    let (_, html) = b.get("/catalogue?q=zzzz").await;
    assert!(html.contains("id=\"catalogue-none\""));
}

// clause: S3.1, S3.2c — a second department starts from the approved evaluation
pub async fn reuse_copies_an_approved_evaluation(app: &TestApp) {
    // An approved class-2 service with evidence.
    let (id, _) = prepared(app, "im", "共同利用クラウド").await;
    let im = app.api("im").await;
    let soc2 = file(b"%PDF-1.7 soc2\n%%EOF", "soc2.pdf", "application/pdf");
    let path = format!("/applications/{id}/evidence");
    let res = im
        .upload(&path, soc2, &[("item_key", "c2-certification")])
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let (_, a) = im.get(&format!("/applications/{id}")).await;
    let (_, r) = submitted_and_approved(app, "im", id, version_of(&a)).await;
    let sid = id_of(&r["service"]);

    // Another person reuses it: everything copied, the source linked, nothing yet confirmed.
    let bsm = app.api("bsm").await;
    let (s, n) = bsm
        .post("/applications/reuse", json!({"service_id": sid}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{n}");
    let nid = id_of(&n);
    assert_ne!(nid, id);
    assert_eq!(n["applicant_id"], app.user_id("bsm").await);
    assert_eq!(n["state"], "draft");
    assert_eq!(n["fields"]["service_name"], "共同利用クラウド");
    assert_eq!(n["answers"], r["application"]["answers"]);
    assert_eq!(n["evaluation"], r["application"]["evaluation"]);
    let (_, ev) = bsm.get(&format!("/applications/{nid}/evidence")).await;
    assert_eq!(ev.as_array().map(Vec::len), Some(1));
    let row = app.application_row(nid).await;
    let info = &row.reuse;
    assert_eq!(info.source_application_id, Some(id));
    assert!(info.unconfirmed.contains(&"evaluation".to_string()));

    // Not submittable until each part is re-confirmed.
    let (s, body) = bsm.submit(nid, version_of(&n)).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(has_item(&body, "reuse_unconfirmed"));
    let (_, n) = bsm
        .self_check(nid, version_of(&n), n["answers"].clone())
        .await;
    let judged = json!({"tos_acceptability": "受容可能"});
    let (_, n) = bsm.evaluate(nid, version_of(&n), judged).await;
    let (_, n) = bsm.not_procured(nid, version_of(&n)).await;
    let (s, n) = bsm.submit(nid, version_of(&n)).await;
    assert_eq!(s, StatusCode::OK, "{n}");

    // A retired service is not reused.
    let retired = app
        .st
        .store
        .services()
        .await
        .expect("db")
        .into_iter()
        .find(|s| s.ledger_status == Some(gaibu_domain::ledger::LedgerStatus::Retired))
        .expect("demo retired service");
    let (s, body) = bsm
        .post("/applications/reuse", json!({"service_id": retired.id}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "service_retired");

    // Through the pages: a confirmation first (a GET changes nothing), then the copy.
    let before = app.st.store.applications().await.expect("db").len();
    let b = app.browser("staff").await;
    let (s, html) = b.get(&format!("/applications/new?reuse={sid}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"start-reuse\""));
    assert_eq!(app.st.store.applications().await.expect("db").len(), before);
    let (s, loc, _) = b
        .post("/applications/reuse", &[("service_id", &sid.to_string())])
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = b.get(&loc).await;
    assert!(html.contains("id=\"reused-from\""));
    let (_, html) = b.get(&format!("{loc}/self-check")).await;
    assert!(html.contains("複写した回答：確認してください"));
}
