//! The class-1 track through the JSON API, as the demo Information Manager would take it.

use crate::flows::each;
use crate::harness::{TestApp, id_of, version_of};
use reqwest::StatusCode;
use serde_json::json;

// clause: S2.2, S5.2.2-1, S5.2.2-2, S5.2.2-3, S5.2.2-4, S7.2
pub async fn class1_track_through_the_api(app: &TestApp) {
    let im = app.api("im").await;
    let im_id = app.user_id("im").await;

    // 1. The application, routed to the class-1 track by its classification (S2.2).
    let (s, a) = im.create_application("チャットサービス", "1").await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    assert_eq!(a["track"], "class1");
    assert_eq!(a["state"], "draft");
    // clause: S5.1.2 — the Information Manager may approve class 1 alone; nobody submits it.
    let caps = &a["capabilities"];
    assert_eq!(
        (&caps["edit"], &caps["self_approve"], &caps["submit"]),
        (&json!(true), &json!(true), &json!(false)),
        "{a}"
    );
    let id = id_of(&a);

    // 2. The self-check against the class-1 sheet (S5.2.2-1).
    let answers = app.met_answers().await;
    let (s, a) = im.self_check(id, version_of(&a), answers).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert!(
        a["sheet_policy_id"].as_i64().is_some(),
        "records the sheet version (S1.3)"
    );

    // The procurement record, checked at self-approval (S4.3a–b): used under its terms.
    let (s, a) = im.not_procured(id, version_of(&a)).await;
    assert_eq!(s, StatusCode::OK, "{a}");

    // 3. Self-approval: the approver becomes the External Service Administrator (S5.2.2-2).
    let (s, r) = im.approve(id, version_of(&a)).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["application"]["state"], "approved");
    assert_eq!(r["application"]["capabilities"]["edit"], false);
    assert_eq!(r["application"]["approved_by"], im_id);
    assert_eq!(r["service"]["administrator_id"], im_id);
    assert!(
        r["application"]["snapshot_sha256"]
            .as_str()
            .is_some_and(|h| h.len() == 64)
    );
    let snapshot = app
        .application_row(id)
        .await
        .approval_snapshot
        .expect("snapshot kept");
    let snap: serde_json::Value = serde_json::from_str(&snapshot).expect("snapshot json");
    assert_eq!(snap["fields"]["service_name"], "チャットサービス");
    assert_eq!(snap["answers"]["c1-official-accounts"]["value"], "yes");
    let svc = r["service"].clone();
    let sid = id_of(&svc);
    assert!(
        svc["ledger_status"].is_null(),
        "not in the ledger until registered"
    );

    // 4. The ledger entry, 稼働中 (S5.2.2-3).
    let (s, svc) = im
        .register(sid, version_of(&svc), "チャットサービス", "2026-12-01")
        .await;
    assert_eq!(s, StatusCode::OK, "{svc}");
    assert_eq!(svc["ledger_status"], "in_operation");

    // 5. Two official accounts; a private one is refused with its reason (S5.2.2-4).
    let org = svc["org_unit_id"].as_i64().expect("org");
    for (acct, kind) in [
        ("chat-admin@city.example.lg.jp", "admin"),
        ("chat-shared@city.example.lg.jp", "shared"),
    ] {
        let (s, body) = im
            .post(
                &format!("/services/{sid}/accounts"),
                json!({"account_id": acct, "kind": kind, "holder_org_unit": org, "holder_position": "係長",
                       "created_on": "2026-12-01", "purpose": "運用"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
    }
    let (s, body) = im
        .post(
            &format!("/services/{sid}/accounts"),
            json!({"account_id": "taro.yamada@gmail.com", "kind": "user", "holder_org_unit": org,
                   "holder_position": "主事", "created_on": "2026-12-01", "purpose": "個人利用"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "account_id");
    assert_eq!(body["error"]["fields"][0]["code"], "private_account");
    assert!(
        body["error"]["fields"][0]["message"]["ja"]
            .as_str()
            .is_some_and(|m| m.contains("私用アカウント"))
    );
    assert!(
        body["error"]["fields"][0]["message"]["en"]
            .as_str()
            .is_some_and(|m| m.contains("Private"))
    );
    let (_, accounts) = im.get(&format!("/services/{sid}/accounts")).await;
    assert_eq!(accounts["items"].as_array().map(Vec::len), Some(2));

    // 6. Retirement: 稼働中 → 廃止済み with date and reason (S7.2).
    let (s, svc) = im
        .post(
            &format!("/services/{sid}/retire"),
            json!({"version": version_of(&svc), "retired_on": "2027-03-31", "reason": "契約満了"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{svc}");
    assert_eq!(svc["ledger_status"], "retired");
    assert_eq!(svc["retired_on"], "2027-03-31");

    // The service's history tells the whole story, and the chain is intact.
    let (_, history) = im.get(&format!("/services/{sid}/history")).await;
    assert!(history["next_cursor"].is_null(), "one page: {history}");
    let actions = each(&history["items"], "action");
    for a in [
        "application.created",
        "application.self_checked",
        "application.approved",
        "service.approved",
        "ledger.registered",
        "account.registered",
        "ledger.retired",
    ] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
    assert!(matches!(
        app.st.store.verify_audit().await.expect("verify"),
        gaibu_store::VerifyOutcome::Intact { .. }
    ));
}
