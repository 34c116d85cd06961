//! The end of use (S7.1, S7.2, S3.7): a class-2+ service terminated through the ISM with proof
//! of disposal and every account closed; a class-1 service retired with its accounts.

use crate::flows::{checked_class1, each, file, prepared, send_file, submitted_and_approved};
use crate::harness::{Api, TestApp, id_of, version_of};
use gaibu_domain::classification::Track;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A class-2 service of `login` (its administrator), in the ledger, with two official
/// accounts. Returns its id.
async fn class2_service(app: &TestApp, login: &str, name: &str, conf: &str) -> i64 {
    let c = app.api(login).await;
    let (id, v) = if conf == "2" {
        prepared(app, login, name).await
    } else {
        let (s, a) = c.create_application(name, conf).await;
        assert_eq!(s, StatusCode::CREATED, "{a}");
        let answers = app.met_answers_for(Track::Class2Plus).await;
        let (_, a) = c.self_check(id_of(&a), version_of(&a), answers).await;
        let judged = json!({"tos_acceptability": "規約の条件は受容可能"});
        let (_, a) = c.evaluate(id_of(&a), version_of(&a), judged).await;
        let (s, a) = c.not_procured(id_of(&a), version_of(&a)).await;
        assert_eq!(s, StatusCode::OK, "{a}");
        (id_of(&a), version_of(&a))
    };
    let (_, r) = submitted_and_approved(app, login, id, v).await;
    let sid = id_of(&r["service"]);
    let (_, svc) = c.get(&format!("/services/{sid}")).await;
    let (s, svc) = c.register(sid, version_of(&svc), name, "2026-12-01").await;
    assert_eq!(s, StatusCode::OK, "{svc}");
    let org = svc["org_unit_id"].as_i64().expect("org");
    for acct in ["ops-admin", "ops-shared"] {
        let (s, body) = c
            .post(
                &format!("/services/{sid}/accounts"),
                json!({"account_id": format!("{acct}-{sid}@city.example.lg.jp"), "kind": "admin",
                       "holder_org_unit": org, "holder_position": "係長",
                       "created_on": "2026-12-01", "purpose": "運用"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
    }
    sid
}

async fn termination(api: &Api, sid: i64) -> Value {
    let (s, v) = api.get(&format!("/services/{sid}/termination")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

fn tversion(v: &Value) -> i64 {
    v["termination"]["version"]
        .as_i64()
        .expect("termination version")
}

/// Posts a step of the termination with its current version.
async fn step(api: &Api, sid: i64, path: &str, body: Value) -> (StatusCode, Value) {
    let v = termination(api, sid).await;
    let mut body = body;
    body["version"] = json!(tversion(&v));
    api.post(&format!("/services/{sid}/termination/{path}"), body)
        .await
}

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("")
}

fn field_codes(body: &Value) -> Vec<&str> {
    each(&body["error"]["fields"], "code")
}

// clause: S7.1-1, S7.1-2, S7.1-3, S7.1-4, S7.1-5, S7.1-6, S3.7-2
pub async fn class2_termination_with_proof(app: &TestApp) {
    let im = app.api("im").await;
    let ism = app.api("ism").await;
    let bsm = app.api("bsm").await;
    let sid = class2_service(app, "im", "文書共有クラウド（終了）", "2").await;

    // A class-2+ service is not retired directly: it goes through the ISM (S7.1-2).
    let (_, svc) = im.get(&format!("/services/{sid}")).await;
    let (s, body) = im
        .post(
            &format!("/services/{sid}/retire"),
            json!({"version": version_of(&svc), "retired_on": "2027-03-31", "reason": "終了"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert_eq!(code(&body), "termination_required");

    let v = termination(&im, sid).await;
    assert_eq!(v["termination"], Value::Null);
    assert_eq!(v["capabilities"]["request"], true);
    assert_eq!(v["next"], "next_administrator_request");
    assert_eq!(v["open_accounts"].as_array().map(Vec::len), Some(2));
    // The end-of-use measures of the policy are shown (S3.7-1a–c).
    let clauses = each(&v["measures"], "clause");
    for c in ["S3.7-1a", "S3.7-1b", "S3.7-1c"] {
        assert!(clauses.contains(&c), "{clauses:?}");
    }

    // S7.1-1: only the administrator applies; a wrong person's try is refused and audited.
    let req = json!({"reason": "後継システムへ移行", "planned_end_on": "2027-03-31"});
    let (s, body) = bsm
        .post(&format!("/services/{sid}/termination"), req.clone())
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(code(&body), "administrator_required");
    assert!(
        app.history("service", sid)
            .await
            .contains(&"access.denied".to_string())
    );
    let (s, body) = im
        .post(
            &format!("/services/{sid}/termination"),
            json!({"reason": "", "planned_end_on": "2020-01-01"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field_codes(&body), vec!["required", "in_the_past"]);
    let (s, v) = im
        .post(&format!("/services/{sid}/termination"), req.clone())
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["termination"]["state"], "requested");
    assert_eq!(v["next"], "next_ism_decide");
    let (s, body) = im
        .post(&format!("/services/{sid}/termination"), req.clone())
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(code(&body), "termination_already_requested");

    // The ISM is told, and finds it in their list (paged).
    let (_, n) = ism.get("/notifications").await;
    assert_eq!(n["items"][0]["kind"], "termination_requested", "{n}");
    assert_eq!(n["items"][0]["service_id"], sid);
    let (s, list) = ism.get("/terminations?page=1").await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert!(
        list["items"]
            .as_array()
            .is_some_and(|i| i.iter().any(|r| r["service_id"] == sid)),
        "{list}"
    );
    let (_, none) = bsm.get("/terminations").await;
    assert_eq!(
        none["items"],
        serde_json::json!([]),
        "only the ISM's own units"
    );

    // Nothing moves before the ISM accepts.
    let (s, body) = step(&im, sid, "ledger", json!({"on": "2027-03-31"})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert_eq!(code(&body), "termination_not_accepted");
    // The administrator does not decide; the ISM returns with a reason, then accepts.
    let (s, body) = step(&im, sid, "decision", json!({"decision": "accept"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(code(&body), "responsible_ism_required");
    let (s, body) = step(&ism, sid, "decision", json!({"decision": "return"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (s, v) = step(
        &ism,
        sid,
        "decision",
        json!({"decision": "return", "reason": "廃棄方法を具体的に"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["termination"]["state"], "returned");
    let (_, n) = im.get("/notifications").await;
    assert_eq!(n["items"][0]["kind"], "termination_returned", "{n}");
    let (s, v) = im
        .post(&format!("/services/{sid}/termination"), req.clone())
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["termination"]["state"], "requested");
    let (s, v) = step(&ism, sid, "decision", json!({"decision": "accept"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["termination"]["state"], "accepted");
    let (_, n) = im.get("/notifications").await;
    assert_eq!(n["items"][0]["kind"], "termination_accepted", "{n}");
    assert_eq!(v["next"], "next_administrator_steps");

    // Completion names what is missing, in the standard's order (S7.1-6).
    let (s, body) = step(&im, sid, "complete", json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert_eq!(code(&body), "termination_ledger_not_retired");

    // S7.1-3 after S7.1-2: the register waits for the ledger.
    let (s, body) = step(&ism, sid, "register", json!({"on": "2027-03-31"})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert_eq!(code(&body), "termination_ledger_not_retired");

    // S7.1-2: the administrator changes the ledger to 廃止済み.
    let (s, body) = step(&ism, sid, "ledger", json!({"on": "2027-03-31"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    let (s, v) = step(&im, sid, "ledger", json!({"on": "2027-03-31"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["ledger_status"], "retired");
    assert_eq!(v["termination"]["ledger_retired_on"], "2027-03-31");
    let (_, svc) = im.get(&format!("/services/{sid}")).await;
    assert_eq!(svc["ledger_status"], "retired");
    assert_eq!(svc["retired_on"], "2027-03-31");
    assert_eq!(v["next"], "next_ism_register");

    // S7.1-3: the ISM marks the register entry ended, with the date.
    let (s, body) = step(&im, sid, "register", json!({"on": "2027-03-31"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(code(&body), "responsible_ism_required");
    let (s, v) = step(&ism, sid, "register", json!({"on": "2027-03-31"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["register_ended_on"], "2027-03-31");
    let entry = app
        .st
        .store
        .register_entry_of_service(sid)
        .await
        .expect("db")
        .expect("entry");
    assert_eq!(
        entry.ended_on.map(|d| d.to_string()).as_deref(),
        Some("2027-03-31")
    );
    let (_, e) = ism.get(&format!("/register/{}", entry.id)).await;
    assert_eq!(e["ended_on"], "2027-03-31", "{e}");

    let (s, body) = step(&im, sid, "complete", json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert_eq!(code(&body), "termination_disposal_missing");

    // S7.1-4: a return of the data is not a disposal; a certificate needs its file.
    let (s, body) = step(
        &im,
        sid,
        "disposal",
        json!({"method": "data_return", "disposed_on": "2027-03-31"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field_codes(&body), vec!["return_is_not_disposal"]);
    let (s, body) = step(
        &im,
        sid,
        "disposal",
        json!({"method": "provider_certificate", "disposed_on": "2027-03-31"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field_codes(&body), vec!["deletion_certificate_required"]);
    // The provider's deletion certificate as the proof, with the data's return recorded too.
    let pdf = b"%PDF-1.4\n% deletion certificate\n%%EOF\n".to_vec();
    let version = tversion(&termination(&im, sid).await).to_string();
    let res = im
        .upload(
            &format!("/services/{sid}/termination/disposal/certificate"),
            file(&pdf, "消去証明書.pdf", "application/pdf"),
            &[
                ("version", &version),
                ("method", "provider_certificate"),
                ("disposed_on", "2027-03-31"),
                ("data_returned_on", "2027-03-20"),
                ("data_return_note", "CSVで返却"),
            ],
        )
        .await;
    let s = res.status();
    let v: Value = res.json().await.expect("json");
    assert_eq!(s, StatusCode::OK, "{v}");
    let d = &v["termination"]["disposal"];
    assert_eq!(d["method"], "provider_certificate");
    assert_eq!(d["data_returned_on"], "2027-03-20");
    assert_eq!(v["termination"]["proof"]["filename"], "消去証明書.pdf");
    let res = reqwest::Client::new()
        .get(format!(
            "{}/api/v1/services/{sid}/termination/proof",
            app.base
        ))
        .bearer_auth(&im.token)
        .send()
        .await
        .expect("proof");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.expect("bytes").to_vec(), pdf);

    // S7.1-5: not complete while an account is open; each is closed.
    let (s, body) = step(&im, sid, "complete", json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert_eq!(code(&body), "termination_accounts_open");
    let (_, accounts) = im.get(&format!("/services/{sid}/accounts")).await;
    for a in accounts["items"].as_array().expect("accounts") {
        // Not closed before it was made (issue 9).
        let (s, body) = im
            .post(
                &format!("/accounts/{}/close", id_of(a)),
                json!({"version": version_of(a), "closed_on": "2001-01-01"}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.to_string().contains("closed_before_created"), "{body}");
        let (s, body) = im
            .post(
                &format!("/accounts/{}/close", id_of(a)),
                json!({"version": version_of(a), "closed_on": "2027-03-31"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
    }
    let v = termination(&im, sid).await;
    assert_eq!(v["open_accounts"].as_array().map(Vec::len), Some(0));

    // S3.7-2: every end-of-use measure is checked and recorded.
    let (s, body) = step(&im, sid, "complete", json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert_eq!(code(&body), "termination_measures_missing");
    let ids: Vec<String> = each(&v["measures"], "id")
        .into_iter()
        .map(String::from)
        .collect();
    let first = ids[0].clone();
    let (s, body) = step(
        &im,
        sid,
        "measures",
        json!({"measures": {first.clone(): {"status": "not_applicable"}}}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field_codes(&body), vec!["reason_required"]);
    let (s, v) = step(
        &im,
        sid,
        "measures",
        json!({"measures": {first.clone(): {"status": "implemented", "note": "手順どおり"}}}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(
        v["missing"]
            .as_array()
            .is_some_and(|m| m.contains(&json!("termination_measures_missing")))
    );
    let all: serde_json::Map<String, Value> = ids
        .iter()
        .map(|id| (id.clone(), json!({"status": "implemented"})))
        .collect();
    let (s, v) = step(&im, sid, "measures", json!({"measures": all})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(
        v["measures"]
            .as_array()
            .is_some_and(|m| m.iter().all(|m| m["status"] == "implemented"))
    );
    assert_eq!(v["missing"], json!([]));

    // S7.1-6: the completion record; a wrong person is refused.
    let (s, _) = step(&ism, sid, "complete", json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = step(&im, sid, "complete", json!({"note": "廃棄と廃止を確認"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["termination"]["state"], "completed");
    assert_eq!(v["next"], "next_none");
    let (s, body) = step(
        &im,
        sid,
        "measures",
        json!({"measures": {first: {"status": "partly"}}}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert_eq!(code(&body), "termination_completed");

    // The history tells it step by step.
    let (_, history) = im.get(&format!("/services/{sid}/history?limit=200")).await;
    let actions = each(&history["items"], "action");
    for a in [
        "termination.requested",
        "termination.returned",
        "termination.accepted",
        "ledger.retired",
        "register.ended",
        "termination.disposal_recorded",
        "account.closed",
        "termination.end_of_use_recorded",
        "termination.completed",
    ] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
}

// clause: S3.7-3
pub async fn highly_confidential_data_is_crypto_shredded(app: &TestApp) {
    let im = app.api("im").await;
    let ism = app.api("ism").await;
    // Confidentiality 3: highly confidential information (住民情報等).
    let sid = class2_service(app, "im", "住民情報システム（終了）", "3").await;
    let req = json!({"reason": "制度改正により終了", "planned_end_on": "2027-03-31"});
    let (s, v) = im.post(&format!("/services/{sid}/termination"), req).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["highly_confidential"], true);
    let (s, _) = step(&ism, sid, "decision", json!({"decision": "accept"})).await;
    assert_eq!(s, StatusCode::OK);

    // The record must say that the data was stored encrypted; crypto-shredding needs it and
    // names the key.
    let (s, body) = step(
        &im,
        sid,
        "disposal",
        json!({"method": "key_deletion", "disposed_on": "2027-03-31"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let codes = field_codes(&body);
    for c in [
        "required",
        "key_deletion_needs_encryption",
        "encryption_statement_required",
    ] {
        assert!(codes.contains(&c), "{c} in {codes:?}");
    }
    let version = tversion(&termination(&im, sid).await).to_string();
    let res = im
        .upload(
            &format!("/services/{sid}/termination/disposal/certificate"),
            file(b"%PDF-1.4\n%%EOF\n", "cert.pdf", "application/pdf"),
            &[
                ("version", &version),
                ("method", "provider_certificate"),
                ("disposed_on", "2027-03-31"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.expect("json");
    assert_eq!(field_codes(&body), vec!["encryption_statement_required"]);
    let (s, v) = step(
        &im,
        sid,
        "disposal",
        json!({"method": "key_deletion", "disposed_on": "2027-03-31",
               "key_reference": "kms://city/keys/juumin-2026", "stored_encrypted": "yes"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let d = &v["termination"]["disposal"];
    assert_eq!(d["method"], "key_deletion");
    assert_eq!(d["stored_encrypted"], true);
    assert_eq!(d["key_reference"], "kms://city/keys/juumin-2026");
    assert!(
        !v["missing"]
            .as_array()
            .is_some_and(|m| m.contains(&json!("termination_disposal_missing")))
    );
}

// clause: S7.1-1, S7.1-5, S3.7-3 — the demo hook terminates a class-2 service end to end with
// a crypto-shredding record and every account closed
pub async fn demo_hook_terminates_with_crypto_shredding(app: &TestApp) {
    let sid = class2_service(app, "im", "デモ終了サービス", "2").await;
    let admin = gaibu::auth::acting_as(&app.st, app.user_id("im").await)
        .await
        .expect("im");
    let ism = gaibu::auth::acting_as(&app.st, app.user_id("ism").await)
        .await
        .expect("ism");
    let on = jiff::civil::Date::constant(2027, 3, 31);
    let t = gaibu::terminations::demo_terminate(&app.st, &admin, &ism, sid, on)
        .await
        .expect("terminated");
    assert_eq!(t.state.as_str(), "completed");
    let d = t.disposal.expect("disposal");
    assert_eq!(d.method.as_str(), "key_deletion");
    let accounts = app.st.store.accounts(sid).await.expect("db");
    assert!(accounts.iter().all(|a| a.status.as_str() == "closed"));
}

// clause: S7.2 — a class-1 service is retired directly, its open accounts closed with it
pub async fn class1_retirement_closes_accounts(app: &TestApp) {
    let im = app.api("im").await;
    let (id, a) = checked_class1(app, "im", "アンケートツール（終了）").await;
    let (s, r) = im.approve(id, version_of(&a)).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let sid = id_of(&r["service"]);
    let (_, svc) = im.get(&format!("/services/{sid}")).await;
    let (s, svc) = im
        .register(sid, version_of(&svc), "アンケート", "2026-12-01")
        .await;
    assert_eq!(s, StatusCode::OK, "{svc}");
    let org = svc["org_unit_id"].as_i64().expect("org");
    for acct in ["survey-a", "survey-b"] {
        let (s, body) = im
            .post(
                &format!("/services/{sid}/accounts"),
                json!({"account_id": format!("{acct}@city.example.lg.jp"), "kind": "user",
                       "holder_org_unit": org, "holder_position": "主事",
                       "created_on": "2026-12-01", "purpose": "集計"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
    }
    // A class-1 service has no termination request.
    let (s, body) = im
        .post(
            &format!("/services/{sid}/termination"),
            json!({"reason": "x", "planned_end_on": "2027-03-31"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert_eq!(code(&body), "termination_class1_retires");
    // Someone else may not retire it (403).
    let (s, _) = app
        .api("bsm")
        .await
        .post(
            &format!("/services/{sid}/retire"),
            json!({"version": version_of(&svc), "retired_on": "2027-03-31", "reason": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, svc) = im
        .post(
            &format!("/services/{sid}/retire"),
            json!({"version": version_of(&svc), "retired_on": "2027-03-31", "reason": "年度末で終了"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{svc}");
    assert_eq!(svc["ledger_status"], "retired");
    let (_, accounts) = im.get(&format!("/services/{sid}/accounts")).await;
    for a in accounts["items"].as_array().expect("accounts") {
        assert_eq!(a["status"], "closed", "{a}");
        assert_eq!(a["closed_on"], "2027-03-31", "{a}");
    }
    let (_, history) = im.get(&format!("/services/{sid}/history?limit=200")).await;
    let closed = each(&history["items"], "action")
        .into_iter()
        .filter(|a| *a == "account.closed")
        .count();
    assert_eq!(closed, 2, "each closure audited");
}

// clause: S7.1-1, S7.1-6 — the termination page shows each step, what is missing and who acts
// next; forms keep the input on error; the ISM's list links to it
pub async fn termination_through_html_pages(app: &TestApp) {
    let sid = class2_service(app, "im", "HTML終了サービス", "2").await;
    let im = app.browser("im").await;
    let ism = app.browser("ism").await;
    let (s, html) = im.get(&format!("/services/{sid}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains(&format!("/services/{sid}/termination")));
    let (s, html) = im.get(&format!("/services/{sid}/termination")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"request-form\""), "{html}");
    assert!(html.contains("利用中止を申請します"));
    // Refused input comes back with the input kept and the field's error.
    let (s, _, html) = im
        .post(
            &format!("/services/{sid}/termination"),
            &[("reason", ""), ("planned_end_on", "2027-03-31")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("value=\"2027-03-31\""), "{html}");
    assert!(html.contains("field-error"));
    let (s, to, _) = im
        .post(
            &format!("/services/{sid}/termination"),
            &[("reason", "移行"), ("planned_end_on", "2027-03-31")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(to, format!("/services/{sid}/termination"));
    let (_, html) = ism.get("/terminations").await;
    assert!(
        html.contains(&format!("/services/{sid}/termination")),
        "{html}"
    );
    // The ISM's lists are in the ISM's menu, and only there.
    assert!(html.contains("id=\"nav-terminations\"") && html.contains("id=\"nav-check-orders\""));
    let (_, mine) = im.get("/").await;
    assert!(!mine.contains("id=\"nav-terminations\""));
    let (_, html) = ism.get(&format!("/services/{sid}/termination")).await;
    assert!(html.contains("id=\"decision-form\""));
    let v = termination(&app.api("ism").await, sid).await;
    let version = tversion(&v).to_string();
    let (s, _, _) = ism
        .post(
            &format!("/services/{sid}/termination/decision"),
            &[("decision", "accept"), ("version", &version)],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    // After acceptance the page names what is missing.
    let (_, html) = im.get(&format!("/services/{sid}/termination")).await;
    assert!(
        html.contains("data-code=\"termination_accounts_open\""),
        "{html}"
    );
    assert!(html.contains("data-code=\"termination_disposal_missing\""));
    assert!(html.contains("id=\"disposal-form\""));
    // The disposal form carries the certificate (multipart, CSRF in the query).
    let v = termination(&app.api("im").await, sid).await;
    let version = tversion(&v).to_string();
    let url = format!(
        "{}/services/{sid}/termination/disposal?_csrf={}",
        app.base, im.csrf
    );
    let res = send_file(
        im.http.post(url),
        file(b"%PDF-1.4\n%%EOF\n", "certificate.pdf", "application/pdf"),
        &[
            ("version", &version),
            ("method", "provider_certificate"),
            ("disposed_on", "2027-03-31"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = im.get(&format!("/services/{sid}/termination")).await;
    assert!(html.contains("id=\"proof-link\""), "{html}");
    assert!(!html.contains("data-code=\"termination_disposal_missing\""));
    // Refused: the form comes back with its input and the reason on the field.
    let v = termination(&app.api("im").await, sid).await;
    let version = tversion(&v).to_string();
    let url = format!(
        "{}/services/{sid}/termination/disposal?_csrf={}",
        app.base, im.csrf
    );
    let form = reqwest::multipart::Form::new()
        .text("version", version)
        .text("method", "key_deletion")
        .text("disposed_on", "2027-03-31")
        .text("note", "鍵を削除");
    let res = im
        .http
        .post(url)
        .multipart(form)
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("body");
    assert!(html.contains("value=\"鍵を削除\""), "{html}");
    assert!(html.contains("field-error"));
    // Completing now: a 409 error page naming the first missing step.
    let v = termination(&app.api("im").await, sid).await;
    let version = tversion(&v).to_string();
    let (s, _, html) = im
        .post(
            &format!("/services/{sid}/termination/complete"),
            &[("version", &version)],
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(html.contains("台帳"), "{html}");
}
