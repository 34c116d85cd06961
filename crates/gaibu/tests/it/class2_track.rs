//! The class-2+ track through the API: evaluation, submission to the ISM, return and
//! resubmission, rejection, approval with designation and the usage-register entry.

use crate::flows::{each, has_item, prepared, with};
use crate::harness::{TestApp, id_of, version_of};
use reqwest::StatusCode;
use serde_json::json;

// clause: S3.1, S3.2a, S3.2d, S3.4a, S3.4b, S3.4c, S5.1.1, S5.2.1-1, S5.2.1-2, S5.2.1-3, S5.2.1-5
pub async fn class2_track_return_resubmit_approve(app: &TestApp) {
    let im = app.api("im").await;
    let ism = app.api("ism").await;
    let im_id = app.user_id("im").await;

    // An incomplete evaluation cannot be submitted: every missing item is named.
    let (_, a) = im.create_application("未評価の申請", "2").await;
    let (s, body) = im.submit(id_of(&a), version_of(&a)).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "submission_incomplete");
    let items = each(&body["error"]["items"], "item");
    assert!(items.contains(&"evaluation.security_design"), "{items:?}");
    assert!(items.contains(&"c2-exit-plan"), "{items:?}");
    assert!(items.contains(&"procurement.procured"), "{items:?}");

    let (id, v) = prepared(app, "im", "文書共有クラウド").await;
    // Unchangeable terms without a judgement are refused at submission (S3.2d).
    let (_, a) = im.evaluate(id, v, json!({})).await;
    let (s, body) = im.submit(id, version_of(&a)).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(has_item(&body, "tos_judgement_required"));
    let agreed = json!({"special_agreement": "報告義務を定める特約を締結"});
    let (_, a) = im.evaluate(id, version_of(&a), agreed.clone()).await;

    // Submitted to the ISM of the applicant's unit (S3.4a): frozen, and the ISM is told.
    let (s, a) = im.submit(id, version_of(&a)).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["state"], "submitted");
    assert_eq!(a["round"], 1);
    let (s, _) = im
        .put(
            &format!("/applications/{id}/evaluation"),
            json!({"version": version_of(&a), "sla": "変更"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "frozen while under review");
    // clause: S5.1.1 — the API says who may decide: the responsible ISM, not the applicant.
    assert_eq!(a["capabilities"]["decide"], false, "{a}");
    assert_eq!(a["capabilities"]["edit"], false);
    let (_, seen) = ism.get(&format!("/applications/{id}")).await;
    assert_eq!(seen["capabilities"]["decide"], true, "{seen}");
    let (_, n) = ism.get("/notifications").await;
    assert!(n["unread"].as_i64().unwrap_or(0) >= 1);
    assert_eq!(n["items"][0]["kind"], "submitted");
    assert_eq!(n["items"][0]["application_id"], id);

    // The ISM returns it with reasons and a comment on one item (S3.4b).
    let v = version_of(&a);
    let (s, body) = ism.decide(id, v, "return", json!({"reason": ""})).await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a return needs reasons: {body}"
    );
    let reasons = json!({"reason": "SLAの記載が不足",
        "comments": {"evaluation.sla": "RTOを明記してください", "c2-backup-level": ""}});
    let (s, r) = ism.decide(id, v, "return", reasons).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let a = r["application"].clone();
    assert_eq!(a["state"], "returned");
    assert_eq!(a["decision_reason"], "SLAの記載が不足");
    let (_, n) = im.get("/notifications").await;
    assert_eq!(n["items"][0]["kind"], "returned");

    // Revised and resubmitted: round 2; both rounds kept with their content and comments.
    let revised = with(agreed, json!({"sla": "稼働率99.9%、RTO 4時間"}));
    let (s, a) = im.evaluate(id, version_of(&a), revised).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let (s, a) = im.submit(id, version_of(&a)).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["round"], 2);
    let (_, rounds) = im.get(&format!("/applications/{id}/rounds")).await;
    let rounds = rounds.as_array().expect("rounds").clone();
    assert_eq!(rounds.len(), 2);
    assert_eq!(rounds[0]["decision"], "return");
    let c0 = &rounds[0]["comments"];
    assert_eq!(c0["evaluation.sla"], "RTOを明記してください");
    assert!(
        c0.get("c2-backup-level").is_none(),
        "empty comments are not kept"
    );
    let (first, second) = (&rounds[0]["content"], &rounds[1]["content"]);
    assert_eq!(first["evaluation"]["sla"], "稼働率99.9%");
    assert_eq!(second["evaluation"]["sla"], "稼働率99.9%、RTO 4時間");

    // Approved: the service, the designation of the applicant and the register entry, at once.
    let (s, r) = ism.decide(id, version_of(&a), "approve", json!({})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["application"]["state"], "approved");
    assert_eq!(r["application"]["approved_by"], app.user_id("ism").await);
    let svc = r["service"].clone();
    assert_eq!(
        svc["administrator_id"], im_id,
        "the applicant is designated (S3.4c)"
    );
    let (_, n) = im.get("/notifications").await;
    let kinds = each(&n["items"], "kind");
    assert!(
        kinds.contains(&"approved") && kinds.contains(&"designated"),
        "{kinds:?}"
    );
    let (_, reg) = ism.get("/register").await;
    let entry = reg["items"]
        .as_array()
        .expect("register")
        .iter()
        .find(|e| e["service_id"] == svc["id"])
        .expect("register entry")
        .clone();
    // The entry itself, with its version, as an edit starts from it.
    let (_, entry) = ism.get(&format!("/register/{}", id_of(&entry))).await;
    // The ISM's register has exactly the eight fields, each filled:
    // clause: S5.2.1-5a, S5.2.1-5b, S5.2.1-5c, S5.2.1-5d
    // clause: S5.2.1-5e, S5.2.1-5f, S5.2.1-5g, S5.2.1-5h
    for f in [
        "service_name",
        "provider_name",
        "purpose",
        "classification",
        "period_of_use",
        "applicant",
        "user_scope",
        "administrator",
    ] {
        assert!(
            entry[f].as_str().is_some_and(|v| !v.is_empty()),
            "{f} empty in {entry}"
        );
    }
    assert_eq!(entry["service_name"], "文書共有クラウド");
    assert_eq!(entry["provider_name"], "株式会社テスト");
    assert_eq!(entry["purpose"], "広報資料の共同編集");
    assert_eq!(entry["period_of_use"], "2026年12月1日〜2027年3月31日");
    assert_eq!(entry["user_scope"], "市民課の職員に限る");
    assert!(
        entry["classification"]
            .as_str()
            .is_some_and(|c| c.contains("機密性2"))
    );
    assert!(
        entry["applicant"]
            .as_str()
            .is_some_and(|c| c.contains("市民課") && c.contains("情報 太郎"))
    );
    assert!(
        entry["administrator"]
            .as_str()
            .is_some_and(|c| c.contains("市民課長"))
    );

    // The ISM keeps the register: an edit with every field, history kept; an empty field refused.
    let eid = id_of(&entry);
    let mut edit = entry.clone();
    edit["user_scope"] = json!("市民局内に限る");
    let (s, e2) = ism.put(&format!("/register/{eid}"), edit.clone()).await;
    assert_eq!(s, StatusCode::OK, "{e2}");
    assert_eq!(e2["user_scope"], "市民局内に限る");
    let mut bad = e2.clone();
    bad["purpose"] = json!(" ");
    let (s, body) = ism.put(&format!("/register/{eid}"), bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"][0]["field"], "purpose");
    let (s, _) = im.put(&format!("/register/{eid}"), e2.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the register is the ISM's");
    assert_eq!(
        app.history("register", eid).await,
        vec!["register.created", "register.updated", "access.denied"]
    );
    // A scope edit is bookkeeping; a change of classification is a change of use, and the
    // register's page then asks for a new approval.
    let b = app.browser("ism").await;
    let (_, html) = b.get(&format!("/register/{eid}")).await;
    assert!(!html.contains("id=\"register-drift\""));
    let mut material = e2.clone();
    material["classification"] = json!("機密性3 / 完全性1 / 可用性1");
    let (s, _) = ism.put(&format!("/register/{eid}"), material).await;
    assert_eq!(s, StatusCode::OK);
    let (_, html) = b.get(&format!("/register/{eid}")).await;
    assert!(html.contains("id=\"register-drift\""));
    assert!(html.contains("/applications/new?reuse="));

    // clause: S5.2.1-4 — after approval the administrator registers the system in the
    // information-system ledger: 稼働中.
    let (s, svc) = im
        .register(id_of(&svc), version_of(&svc), "文書共有", "2026-12-01")
        .await;
    assert_eq!(s, StatusCode::OK, "{svc}");
    // Class 2+: built first (構築中), in operation once its build-time measures are recorded.
    assert_eq!(svc["ledger_status"], "building");
    crate::measures::into_operation(app, "im", id_of(&svc)).await;
}

// clause: S3.4b, S5.1.1
pub async fn class2_rejection_and_who_may_decide(app: &TestApp) {
    let (id, v) = prepared(app, "staff", "国外保存のサービス").await;
    let staff = app.api("staff").await;
    let (s, a) = staff.submit(id, v).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let v = version_of(&a);
    // Not the ISM, an ISM of no responsibility, the CISO: 403, audited.
    for login in ["im", "ciso", "infra"] {
        let decider = app.api(login).await;
        let (s, body) = decider.decide(id, v, "approve", json!({})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{login}: {body}");
        assert_eq!(body["error"]["code"], "responsible_ism_required");
    }
    // A class-1 application cannot be submitted to the ISM; a class-2 one cannot be self-approved.
    let im = app.api("im").await;
    let (_, c1) = im.create_application("機密性1", "1").await;
    let (s, body) = im.submit(id_of(&c1), version_of(&c1)).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "class1_is_self_approved");
    let (s, body) = im.approve(id, v).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");

    let ism = app.api("ism").await;
    let reason = json!({"reason": "国外の準拠法で受容できない"});
    let (s, r) = ism.decide(id, v, "reject", reason).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["application"]["state"], "rejected");
    assert!(r["service"].is_null());
    // Final: no second decision, no edits, no resubmission.
    let v = version_of(&r["application"]);
    let (s, body) = ism.decide(id, v, "approve", json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "not_under_review");
    let (s, _) = staff.submit(id, v).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (_, n) = staff.get("/notifications").await;
    assert_eq!(n["items"][0]["kind"], "rejected");

    // An ISM never decides on their own application: with no other ISM responsible, it is not
    // submitted at all rather than left waiting for nobody.
    let (own, v) = prepared(app, "ism", "ISM自身の申請").await;
    let (s, body) = ism.submit(own, v).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "no_responsible_ism");
    // With another ISM over the unit, it goes to that one only; the applicant still cannot decide.
    let sys = gaibu_store::Who::system();
    let ism2 = gaibu::people::create_user(
        &app.st,
        &sys,
        &gaibu::people::UserInput {
            login: "ism2".into(),
            display_name: "上位 管理".into(),
            org_unit: "CITY".into(),
            password: crate::harness::STRONG_TEST_PASSWORD.into(),
            ..Default::default()
        },
    )
    .await
    .expect("user")
    .0;
    gaibu::people::assign_role(
        &app.st,
        &sys,
        ism2.id,
        &gaibu::people::RoleInput {
            role: "information_security_manager".into(),
            org_unit: "CITY".into(),
        },
    )
    .await
    .expect("role");
    let (s, a) = ism.submit(own, v).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let (s, body) = ism.decide(own, version_of(&a), "approve", json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "own_application");
    let (_, n) = ism.get("/notifications").await;
    assert!(
        n["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|i| i["application_id"] != own),
        "not told of their own"
    );
}
