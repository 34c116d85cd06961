//! The class-2+ track through the API: evaluation, submission to the ISM, return and
//! resubmission, rejection, approval with designation and the usage-register entry.

use crate::harness::{TestApp, application_json, id_of, version_of};
use gaibu_domain::classification::Track;
use reqwest::StatusCode;
use serde_json::{Value, json};

pub fn evaluation_json() -> Value {
    json!({
        "security_requirements": "機密性2に応じ、通信・保存の暗号化と多要素認証を要件とした",
        "security_design": "端末→LGWAN→分離環境→サービスの各区間と責任範囲を整理",
        "provider_reliability": "ISMAP登録とSOC2報告書を確認",
        "contract_clauses": "インシデント報告義務、損害賠償条項を確認",
        "sla": "稼働率99.9%",
        "backup_level": "日次、遠隔地保管",
        "tos_changeable": "no",
        "tos_acceptability": "",
        "special_agreement": "",
        "unfavourable_terms": "賠償上限は年額利用料。代替手段を用意し受容",
        "responsibility_split": "基盤は事業者、設定とアカウントは本市",
        "dev_ops_information": "運用手順書の提供を契約前に確認"
    })
}

/// A class-2 application with its sheet met, ready to submit. Returns (id, version).
async fn prepared(app: &TestApp, login: &str, name: &str) -> (i64, i64) {
    let c = app.api(login).await;
    let (s, a) = c.post("/applications", application_json(name, "2")).await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    assert_eq!(a["track"], "class2plus");
    let id = id_of(&a);
    let answers = app.met_answers_for(Track::Class2Plus).await;
    let (s, a) = c
        .put(
            &format!("/applications/{id}/self-check"),
            json!({"version": version_of(&a), "answers": answers}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let mut e = evaluation_json();
    e["version"] = json!(version_of(&a));
    e["tos_acceptability"] = json!("個人番号を扱わず、規約の条件は受容可能");
    let (s, a) = c.put(&format!("/applications/{id}/evaluation"), e).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let (s, a) = c
        .put(
            &format!("/applications/{id}/procurement"),
            json!({"version": version_of(&a), "procured": "no"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    (id, version_of(&a))
}

// clause: S3.1, S3.2a, S3.2d, S3.4a, S3.4b, S3.4c, S5.1.1, S5.2.1-1, S5.2.1-2, S5.2.1-3, S5.2.1-5
pub async fn class2_track_return_resubmit_approve(app: &TestApp) {
    let im = app.api("im").await;
    let ism = app.api("ism").await;
    let im_id = app.user_id("im").await;

    // An incomplete evaluation cannot be submitted: every missing item is named.
    let (_, a) = im
        .post("/applications", application_json("未評価の申請", "2"))
        .await;
    let (s, body) = im
        .post(
            &format!("/applications/{}/submit", id_of(&a)),
            json!({"version": version_of(&a)}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "submission_incomplete");
    let items: Vec<&str> = body["error"]["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["item"].as_str())
        .collect();
    assert!(items.contains(&"evaluation.security_design"), "{items:?}");
    assert!(items.contains(&"c2-exit-plan"), "{items:?}");
    assert!(items.contains(&"procurement.procured"), "{items:?}");

    let (id, v) = prepared(app, "im", "文書共有クラウド").await;
    // Unchangeable terms without a judgement are refused at submission (S3.2d).
    let mut e = evaluation_json();
    e["version"] = json!(v);
    let (_, a) = im.put(&format!("/applications/{id}/evaluation"), e).await;
    let (s, body) = im
        .post(
            &format!("/applications/{id}/submit"),
            json!({"version": version_of(&a)}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(
        body["error"]["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|i| i["code"] == "tos_judgement_required")
    );
    let mut e = evaluation_json();
    e["version"] = json!(version_of(&a));
    e["special_agreement"] = json!("報告義務を定める特約を締結");
    let (_, a) = im.put(&format!("/applications/{id}/evaluation"), e).await;

    // Submitted to the ISM of the applicant's unit (S3.4a): frozen, and the ISM is told.
    let (s, a) = im
        .post(
            &format!("/applications/{id}/submit"),
            json!({"version": version_of(&a)}),
        )
        .await;
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
    let (_, n) = ism.get("/notifications").await;
    assert!(n["unread"].as_i64().unwrap_or(0) >= 1);
    assert_eq!(n["items"][0]["kind"], "submitted");
    assert_eq!(n["items"][0]["application_id"], id);

    // The ISM returns it with reasons and a comment on one item (S3.4b).
    let (s, body) = ism
        .post(
            &format!("/applications/{id}/decision"),
            json!({"version": version_of(&a), "decision": "return", "reason": ""}),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a return needs reasons: {body}"
    );
    let (s, r) = ism
        .post(
            &format!("/applications/{id}/decision"),
            json!({"version": version_of(&a), "decision": "return", "reason": "SLAの記載が不足",
                   "comments": {"evaluation.sla": "RTOを明記してください", "c2-backup-level": ""}}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let a = r["application"].clone();
    assert_eq!(a["state"], "returned");
    assert_eq!(a["decision_reason"], "SLAの記載が不足");
    let (_, n) = im.get("/notifications").await;
    assert_eq!(n["items"][0]["kind"], "returned");

    // Revised and resubmitted: round 2; both rounds kept with their content and comments.
    let mut e = evaluation_json();
    e["version"] = json!(version_of(&a));
    e["special_agreement"] = json!("報告義務を定める特約を締結");
    e["sla"] = json!("稼働率99.9%、RTO 4時間");
    let (s, a) = im.put(&format!("/applications/{id}/evaluation"), e).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let (s, a) = im
        .post(
            &format!("/applications/{id}/submit"),
            json!({"version": version_of(&a)}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["round"], 2);
    let (_, rounds) = im.get(&format!("/applications/{id}/rounds")).await;
    let rounds = rounds.as_array().expect("rounds").clone();
    assert_eq!(rounds.len(), 2);
    assert_eq!(rounds[0]["decision"], "return");
    let c0: Value =
        serde_json::from_str(rounds[0]["comments"].as_str().expect("comments")).expect("json");
    assert_eq!(c0["evaluation.sla"], "RTOを明記してください");
    assert!(
        c0.get("c2-backup-level").is_none(),
        "empty comments are not kept"
    );
    let first: Value =
        serde_json::from_str(rounds[0]["content"].as_str().expect("content")).expect("json");
    let second: Value =
        serde_json::from_str(rounds[1]["content"].as_str().expect("content")).expect("json");
    assert_eq!(first["evaluation"]["sla"], "稼働率99.9%");
    assert_eq!(second["evaluation"]["sla"], "稼働率99.9%、RTO 4時間");

    // Approved: the service, the designation of the applicant and the register entry, at once.
    let (s, r) = ism
        .post(
            &format!("/applications/{id}/decision"),
            json!({"version": version_of(&a), "decision": "approve"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["application"]["state"], "approved");
    assert_eq!(r["application"]["approved_by"], app.user_id("ism").await);
    let svc = r["service"].clone();
    assert_eq!(
        svc["administrator_id"], im_id,
        "the applicant is designated (S3.4c)"
    );
    let (_, n) = im.get("/notifications").await;
    let kinds: Vec<&str> = n["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["kind"].as_str())
        .collect();
    assert!(
        kinds.contains(&"approved") && kinds.contains(&"designated"),
        "{kinds:?}"
    );
    let (_, reg) = ism.get("/register").await;
    let entry = reg
        .as_array()
        .expect("register")
        .iter()
        .find(|e| e["service_id"] == svc["id"])
        .expect("register entry")
        .clone();
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
    let hist: Vec<String> = app
        .st
        .store
        .entity_history("register", eid)
        .await
        .expect("history")
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        hist,
        vec!["register.created", "register.updated", "access.denied"]
    );

    // The administrator then registers it in the ledger (S5.2.1-4), as in the class-1 track.
    let (s, svc) = im
        .post(&format!("/services/{}/ledger", id_of(&svc)), json!({"version": version_of(&svc), "system_name": "文書共有", "registered_on": "2026-12-01"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{svc}");
    assert_eq!(svc["ledger_status"], "in_operation");
}

// clause: S3.4b, S5.1.1
pub async fn class2_rejection_and_who_may_decide(app: &TestApp) {
    let (id, v) = prepared(app, "staff", "国外保存のサービス").await;
    let staff = app.api("staff").await;
    let (s, a) = staff
        .post(&format!("/applications/{id}/submit"), json!({"version": v}))
        .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let v = version_of(&a);
    // Not the ISM, an ISM of no responsibility, the CISO: 403, audited.
    for login in ["im", "ciso", "infra"] {
        let (s, body) = app
            .api(login)
            .await
            .post(
                &format!("/applications/{id}/decision"),
                json!({"version": v, "decision": "approve"}),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{login}: {body}");
        assert_eq!(body["error"]["code"], "responsible_ism_required");
    }
    // A class-1 application cannot be submitted to the ISM; a class-2 one cannot be self-approved.
    let im = app.api("im").await;
    let (_, c1) = im
        .post("/applications", application_json("機密性1", "1"))
        .await;
    let (s, body) = im
        .post(
            &format!("/applications/{}/submit", id_of(&c1)),
            json!({"version": version_of(&c1)}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "class1_is_self_approved");
    let (s, body) = im
        .post(
            &format!("/applications/{id}/approve"),
            json!({"version": v}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");

    let ism = app.api("ism").await;
    let (s, r) = ism
        .post(
            &format!("/applications/{id}/decision"),
            json!({"version": v, "decision": "reject", "reason": "国外の準拠法で受容できない"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["application"]["state"], "rejected");
    assert!(r["service"].is_null());
    // Final: no second decision, no edits, no resubmission.
    let v = version_of(&r["application"]);
    let (s, body) = ism
        .post(
            &format!("/applications/{id}/decision"),
            json!({"version": v, "decision": "approve"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "not_under_review");
    let (s, _) = staff
        .post(&format!("/applications/{id}/submit"), json!({"version": v}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (_, n) = staff.get("/notifications").await;
    assert_eq!(n["items"][0]["kind"], "rejected");

    // An ISM never decides on their own application.
    let (own, v) = prepared(app, "ism", "ISM自身の申請").await;
    let (s, a) = ism
        .post(
            &format!("/applications/{own}/submit"),
            json!({"version": v}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let (s, body) = ism
        .post(
            &format!("/applications/{own}/decision"),
            json!({"version": version_of(&a), "decision": "approve"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "own_application");
}
