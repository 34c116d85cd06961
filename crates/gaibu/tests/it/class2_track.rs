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
pub async fn prepared(app: &TestApp, login: &str, name: &str) -> (i64, i64) {
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

    // An ISM never decides on their own application: with no other ISM responsible, it is not
    // submitted at all rather than left waiting for nobody.
    let (own, v) = prepared(app, "ism", "ISM自身の申請").await;
    let (s, body) = ism
        .post(
            &format!("/applications/{own}/submit"),
            json!({"version": v}),
        )
        .await;
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
            password: gaibu::demo::DEMO_PASSWORD.into(),
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

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

// clause: S3.4a, S3.4b, S3.4c, S5.2.1-5
pub async fn class2_track_through_html_forms(app: &TestApp) {
    let im = app.browser("im").await;
    let ism = app.browser("ism").await;
    // The application, through the form, with confidentiality 2.
    let (s, loc, _) = im
        .post(
            "/applications",
            &[
                ("service_name", "画面からの機密性2"),
                ("provider", "株式会社フォーム2"),
                ("url", "https://f2.example.com"),
                ("org_unit", ""),
                ("purpose", "住民対応記録の共有"),
                ("user_scope", "市民課に限る"),
                ("period_from", "2026-12-01"),
                ("period_to", ""),
                ("confidentiality", "2"),
                ("integrity", "2"),
                ("availability", "2"),
                ("data_locations", "日本"),
                ("governing_law", "日本法"),
                ("court", "東京地方裁判所"),
                ("tos_url", "https://f2.example.com/tos"),
                ("tos_version", "1.0"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let id: i64 = loc
        .trim_start_matches("/applications/")
        .parse()
        .expect("id");
    let (_, html) = im.get(&loc).await;
    assert!(html.contains("id=\"class2-notice\""));
    assert!(html.contains("id=\"open-evaluation\""));
    let v = |app: &TestApp| {
        let st = app.st.clone();
        async move {
            st.store
                .application(id)
                .await
                .expect("db")
                .expect("row")
                .version
                .to_string()
        }
    };

    // The sheet: conditional items apply (availability 2).
    let (_, html) = im.get(&format!("/applications/{id}/self-check")).await;
    assert!(html.contains("外部サービス要件（機密性２以上）"));
    assert!(html.contains("条件付きの項目：この申請では回答が必要です。"));
    let answers = app.met_answers_for(Track::Class2Plus).await;
    let mut form: Vec<(String, String)> = answers
        .as_object()
        .expect("answers")
        .iter()
        .map(|(k, a)| {
            (
                format!("answer.{k}"),
                a["value"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    form.push(("version".into(), v(app).await));
    let refs: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let (s, _, _) = im
        .post(&format!("/applications/{id}/self-check"), &refs)
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);

    // The evaluation: an incomplete one is saved, then the page names what is missing.
    let (s, _, _) = im
        .post(
            &format!("/applications/{id}/evaluation"),
            &[
                ("version", &v(app).await),
                ("tos_changeable", "yes"),
                ("sla", "99.9%"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = im.get(&format!("/applications/{id}")).await;
    assert!(html.contains("id=\"sheet-problems\""));
    assert!(html.contains("(イ) 情報の流通経路全般のセキュリティ設計"));
    let e = evaluation_json();
    let mut ev: Vec<(String, String)> = e
        .as_object()
        .expect("evaluation")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
        .collect();
    ev.retain(|(k, _)| k != "tos_changeable");
    ev.push(("tos_changeable".into(), "yes".into()));
    ev.push(("version".into(), v(app).await));
    let refs: Vec<(&str, &str)> = ev.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let (s, _, _) = im
        .post(&format!("/applications/{id}/evaluation"), &refs)
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let p = pairs(&[
        ("procured", "yes"),
        ("spec_reference", "仕様書12"),
        ("spec_includes_conditions", "yes"),
        ("verified_on", "2026-11-20"),
        ("verified_by", "情報 太郎"),
        ("contract_reference", "契約-7"),
        ("spec_in_contract", "yes"),
    ]);
    let mut p = p;
    p.push(("version".into(), v(app).await));
    let refs: Vec<(&str, &str)> = p.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let (s, _, _) = im
        .post(&format!("/applications/{id}/procurement"), &refs)
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = im.get(&format!("/applications/{id}")).await;
    assert!(html.contains("id=\"sheet-ready\""), "ready to submit");
    let (s, _, _) = im
        .post(
            &format!("/applications/{id}/submit"),
            &[("version", &v(app).await)],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);

    // The ISM sees it in the notifications and reviews the whole file; returns with a comment.
    let (_, html) = ism.get("/").await;
    assert!(html.contains("id=\"unread-count\""));
    let (_, html) = ism.get("/notifications").await;
    assert!(html.contains("審査依頼が届きました: 画面からの機密性2"));
    let (s, html) = ism.get(&format!("/applications/{id}/review")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("name=\"comment.evaluation.sla\""));
    assert!(html.contains("name=\"comment.c2-redundancy\""));
    let (s, _, html) = ism
        .post(
            &format!("/applications/{id}/decision"),
            &[
                ("version", &v(app).await),
                ("decision", "return"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "reason required");
    assert!(html.contains("入力してください"));
    let (s, _, _) = ism
        .post(
            &format!("/applications/{id}/decision"),
            &[
                ("version", &v(app).await),
                ("decision", "return"),
                ("reason", "RTOを記載してください"),
                ("comment.evaluation.sla", "RTOがありません"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = im.get(&format!("/applications/{id}")).await;
    assert!(html.contains("id=\"returned-notice\""));
    assert!(html.contains("RTOを記載してください"));
    assert!(html.contains("RTOがありません"));

    // Revised and resubmitted; the rounds can be compared.
    let (s, _, _) = im
        .post(
            &format!("/applications/{id}/evaluation"),
            &{
                let mut ev2 = ev.clone();
                ev2.retain(|(k, _)| k != "version" && k != "sla");
                ev2.push(("sla".into(), "稼働率99.9%、RTO 4時間".into()));
                ev2.push(("version".into(), v(app).await));
                ev2
            }
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect::<Vec<_>>(),
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _, _) = im
        .post(
            &format!("/applications/{id}/submit"),
            &[("version", &v(app).await)],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = im.get(&format!("/applications/{id}/rounds")).await;
    assert!(
        html.contains("稼働率99.9%、RTO 4時間"),
        "the change between rounds is shown"
    );

    // Approved by the ISM: the register shows all eight fields.
    let (s, _, _) = ism
        .post(
            &format!("/applications/{id}/decision"),
            &[
                ("version", &v(app).await),
                ("decision", "approve"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = im.get(&format!("/applications/{id}")).await;
    assert!(html.contains("id=\"service-link\""));
    let (_, html) = ism.get("/register").await;
    assert!(html.contains("画面からの機密性2"));
    assert!(html.contains("市民課 情報 太郎"));
    let entry = app
        .st
        .store
        .register_entries()
        .await
        .expect("db")
        .into_iter()
        .find(|e| e.service_name == "画面からの機密性2")
        .expect("entry");
    let (s, html) = ism.get(&format!("/register/{}", entry.id)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"register-form\""));
    let (_, html) = im.get("/notifications").await;
    assert!(html.contains("外部サービス管理者に指名されました"));
}
