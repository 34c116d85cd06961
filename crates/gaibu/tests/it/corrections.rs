//! Corrections to what existed (issue 7): the scope of the security policy (S1.2), the class-1
//! procurement record at self-approval (S4.3a–b), evidence for the items that expect it (S3.2c),
//! the usage register's カ and ク (S5.2.1-5f, S5.2.1-5h) and the change of a service's
//! administrator (S3.4c).

use crate::flows::{checked_class1, each, file, has_item, prepared, submitted_and_approved};
use crate::harness::{TestApp, application_json, id_of, version_of};
use gaibu::people::{RoleInput, UserInput};
use gaibu_domain::classification::Track;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A class-1 service approved by the demo IM and entered in the ledger with `in_scope`.
async fn class1_in_ledger(app: &TestApp, name: &str, in_scope: &str) -> Value {
    let im = app.api("im").await;
    let (id, a) = checked_class1(app, "im", name).await;
    let (s, r) = im.approve(id, version_of(&a)).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let svc = &r["service"];
    let body = json!({"version": version_of(svc), "system_name": name,
        "registered_on": "2026-12-01", "in_scope": in_scope});
    let (s, svc) = im
        .post(&format!("/services/{}/ledger", id_of(svc)), body)
        .await;
    assert_eq!(s, StatusCode::OK, "{svc}");
    svc
}

fn names(list: &Value, field: &str) -> Vec<String> {
    each(list, field).into_iter().map(String::from).collect()
}

// clause: S1.2 — a service records whether it is within the scope of the city's security
// policy; the ledger, the usage register and the catalogue show it and filter by it
pub async fn scope_is_shown_and_filtered(app: &TestApp) {
    let inside = class1_in_ledger(app, "範囲内の会議サービス", "yes").await;
    let outside = class1_in_ledger(app, "範囲外の広報サービス", "no").await;
    assert_eq!(inside["in_scope"], true);
    assert_eq!(outside["in_scope"], false);
    let staff = app.api("staff").await;

    // The ledger (API): all, in scope only, outside only; a bad filter is a field error.
    let (_, all) = staff.get("/services").await;
    let all = names(&all, "name");
    assert!(
        all.contains(&"範囲内の会議サービス".into())
            && all.contains(&"範囲外の広報サービス".into())
    );
    let (_, yes) = staff.get("/services?in_scope=yes").await;
    assert!(
        yes["items"]
            .as_array()
            .expect("list")
            .iter()
            .all(|s| s["in_scope"] == true)
    );
    assert!(names(&yes, "name").contains(&"範囲内の会議サービス".into()));
    let (_, no) = staff.get("/services?in_scope=no").await;
    assert_eq!(names(&no, "name"), vec!["範囲外の広報サービス".to_string()]);
    let (s, body) = staff.get("/services?in_scope=maybe").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "in_scope");

    // The catalogue (API) says it and filters by it.
    let (_, cat) = staff.get("/catalogue?in_scope=no").await;
    assert_eq!(
        names(&cat["items"], "name"),
        vec!["範囲外の広報サービス".to_string()]
    );
    assert_eq!(cat["items"][0]["in_scope"], false);
    let (_, cat) = staff.get("/catalogue?q=範囲内").await;
    assert_eq!(cat["items"][0]["in_scope"], true);

    // The pages: the ledger and the catalogue with the column and the filter.
    let b = app.browser("staff").await;
    let (_, html) = b.get("/services?in_scope=no").await;
    assert!(html.contains("id=\"in_scope\"") && html.contains("対象外"));
    assert!(html.contains("範囲外の広報サービス") && !html.contains("範囲内の会議サービス"));
    let (_, html) = b.get("/catalogue?in_scope=yes").await;
    assert!(html.contains("範囲内の会議サービス") && !html.contains("範囲外の広報サービス"));

    // The usage register (class 2+), as the ISM keeps it.
    let (id, v) = prepared(app, "im", "範囲外の共有クラウド").await;
    let (_, r) = submitted_and_approved(app, "im", id, v).await;
    let svc = &r["service"];
    let body = json!({"version": version_of(svc), "system_name": "共有", "registered_on":
        "2026-12-01", "in_scope": "no"});
    let im = app.api("im").await;
    let (s, _) = im
        .post(&format!("/services/{}/ledger", id_of(svc)), body)
        .await;
    assert_eq!(s, StatusCode::OK);
    let ism = app.api("ism").await;
    let (_, out) = ism.get("/register?in_scope=no").await;
    assert_eq!(
        names(&out, "service_name"),
        vec!["範囲外の共有クラウド".to_string()]
    );
    let (_, inside) = ism.get("/register?in_scope=yes").await;
    assert!(!names(&inside, "service_name").contains(&"範囲外の共有クラウド".into()));
    let b = app.browser("ism").await;
    let (_, html) = b.get("/register?in_scope=no").await;
    assert!(html.contains("範囲外の共有クラウド") && html.contains("対象外"));
}

// clause: S4.3a, S4.3b — the class-1 page shows the procurement record and self-approval
// checks it, naming what is missing
pub async fn class1_procurement_is_checked_at_self_approval(app: &TestApp) {
    let im = app.api("im").await;
    let (_, a) = im.create_application("調達する会議サービス", "1").await;
    let id = id_of(&a);
    let (_, a) = im
        .self_check(id, version_of(&a), app.met_answers().await)
        .await;

    // Nothing recorded: refused, the item named.
    let (s, body) = im.approve(id, version_of(&a)).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "sheet_not_met");
    assert_eq!(
        each(&body["error"]["items"], "item"),
        vec!["procurement.procured"]
    );

    // Procured, but the spec lacks the selection conditions (S4.3a) and is not part of the
    // contract, which was not checked against it (S4.3b).
    let path = format!("/applications/{id}/procurement");
    let procured = json!({"version": version_of(&a), "procured": "yes",
        "spec_reference": "調達仕様書 第5号", "spec_includes_conditions": "no",
        "contract_reference": "契約第2026-99号", "spec_in_contract": "no"});
    let (s, a) = im.put(&path, procured.clone()).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let (s, body) = im.approve(id, version_of(&a)).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let items = each(&body["error"]["items"], "item");
    assert_eq!(
        items,
        vec![
            "procurement.verified_on",
            "procurement.verified_by",
            "procurement.spec_includes_conditions",
            "procurement.spec_in_contract"
        ]
    );
    assert!(has_item(&body, "spec_conditions_required"));
    assert!(has_item(&body, "spec_in_contract_required"));

    // The class-1 page shows the record and what is missing.
    let b = app.browser("im").await;
    let (_, html) = b.get(&format!("/applications/{id}")).await;
    assert!(html.contains("id=\"procurement-heading\"") && html.contains("調達仕様書 第5号"));
    assert!(html.contains("id=\"sheet-problems\"") && html.contains("調達仕様に選定条件を含める"));

    // Complete: approved.
    let mut complete = procured;
    complete["version"] = json!(version_of(&a));
    complete["spec_includes_conditions"] = json!("yes");
    complete["spec_in_contract"] = json!("yes");
    complete["verified_on"] = json!("2026-11-20");
    complete["verified_by"] = json!("市民課 情報太郎");
    let (s, a) = im.put(&path, complete).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let (s, r) = im.approve(id, version_of(&a)).await;
    assert_eq!(s, StatusCode::OK, "{r}");
}

// clause: S3.2c — an item that expects evidence (certificates, audit reports) needs an
// attached file or a recorded reason before submission; the refusal names the items
pub async fn evidence_items_need_a_file_or_a_reason(app: &TestApp) {
    let im = app.api("im").await;
    let (id, _) = prepared(app, "im", "証跡の要る申請").await;
    let (_, a) = im.get(&format!("/applications/{id}")).await;
    // The answers as before this rule: met, but without a word on the evidence.
    let mut answers = app.met_answers_for(Track::Class2Plus).await;
    let mut expected = Vec::new();
    for (k, v) in answers.as_object_mut().expect("answers") {
        if v.get("evidence_reason").is_some() {
            expected.push(k.clone());
            v.as_object_mut().expect("answer").remove("evidence_reason");
        }
    }
    assert!(expected.contains(&"c2-certification".to_string()));
    let (s, a) = im.self_check(id, version_of(&a), answers.clone()).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let (s, body) = im.submit(id, version_of(&a)).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "submission_incomplete");
    let mut named: Vec<String> = body["error"]["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["code"] == "evidence_required")
        .filter_map(|i| i["item"].as_str().map(String::from))
        .collect();
    named.sort();
    expected.sort();
    assert_eq!(named, expected, "every item that expects evidence is named");

    // The application's page says it too, and the sheet form asks for the reason.
    let b = app.browser("im").await;
    let (_, html) = b.get(&format!("/applications/{id}")).await;
    assert!(html.contains("証跡を添付するか、添付しない理由を記録してください"));
    let (_, html) = b.get(&format!("/applications/{id}/self-check")).await;
    assert!(html.contains("name=\"evidence_reason.c2-certification\""));

    // A file for the certification, reasons for the others: submitted.
    let cert = file(b"%PDF-1.7 ISMAP\n%%EOF", "ismap.pdf", "application/pdf");
    let path = format!("/applications/{id}/evidence");
    let res = im
        .upload(&path, cert, &[("item_key", "c2-certification")])
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    for k in &expected {
        if k != "c2-certification" {
            answers[k]["evidence_reason"] = json!("提供者の公開ページで確認した");
        }
    }
    let (_, a) = im.get(&format!("/applications/{id}")).await;
    let (s, a) = im.self_check(id, version_of(&a), answers).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(
        a["answers"]["c2-damages"]["evidence_reason"],
        "提供者の公開ページで確認した"
    );
    let (s, a) = im.submit(id, version_of(&a)).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    // The reviewer reads the reasons beside the answers.
    let (_, html) = app
        .browser("ism")
        .await
        .get(&format!("/applications/{id}/review"))
        .await;
    assert!(html.contains("証跡を添付しない場合の理由: 提供者の公開ページで確認した"));
}

/// A member of staff of `unit` with `position`, holding `role` over `role_unit`.
async fn person(app: &TestApp, login: &str, unit: &str, position: &str, role: (&str, &str)) -> i64 {
    let sys = gaibu_store::Who::system();
    let input = UserInput {
        login: login.into(),
        display_name: format!("{login} 太郎"),
        email: format!("{login}@city.example.lg.jp"),
        org_unit: unit.into(),
        position: position.into(),
        lang: "ja".into(),
        password: crate::harness::STRONG_TEST_PASSWORD.into(),
    };
    let (u, _) = gaibu::people::create_user(&app.st, &sys, &input)
        .await
        .expect("user");
    let r = RoleInput {
        role: role.0.into(),
        org_unit: role.1.into(),
    };
    gaibu::people::assign_role(&app.st, &sys, u.id, &r)
        .await
        .expect("role");
    u.id
}

/// An application of `login` for `unit` (an org unit code), class 2, made ready to submit.
async fn class2_for(app: &TestApp, login: &str, unit: &str, name: &str) -> (i64, i64) {
    let c = app.api(login).await;
    let unit_id = gaibu::people::find_org_unit(&app.st, unit)
        .await
        .expect("db")
        .expect("unit")
        .id;
    let mut body = application_json(name, "2");
    body["org_unit"] = json!(unit_id);
    let (s, a) = c.post("/applications", body).await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    let id = id_of(&a);
    let answers = app.met_answers_for(Track::Class2Plus).await;
    let (_, a) = c.self_check(id, version_of(&a), answers).await;
    let judged = json!({"tos_acceptability": "規約は受容可能"});
    let (_, a) = c.evaluate(id, version_of(&a), judged).await;
    let (s, a) = c.not_procured(id, version_of(&a)).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    (id, version_of(&a))
}

fn entry_of(reg: &Value, service_id: &Value) -> Value {
    reg["items"]
        .as_array()
        .expect("register")
        .iter()
        .find(|e| &e["service_id"] == service_id)
        .expect("register entry")
        .clone()
}

// clause: S5.2.1-5f, S5.2.1-5h, S3.4c — カ is the applicant's own section and name, ク the
// administrator's section and position, required; the ISM changes the administrator and the
// designation and ク change together, audited, both administrators told
pub async fn register_columns_follow_the_people(app: &TestApp) {
    // The head of the civic affairs department applies for the registration section's work.
    let civ = person(
        app,
        "civ",
        "CIT-CIV",
        "市民部長",
        ("information_manager", "CIT-CIV"),
    )
    .await;
    let (id, v) = class2_for(app, "civ", "CIT-REG", "部長申請のクラウド").await;
    let (_, r) = submitted_and_approved(app, "civ", id, v).await;
    let svc = r["service"].clone();
    assert_eq!(svc["administrator_id"], civ);
    let ism = app.api("ism").await;
    let (_, reg) = ism.get("/register").await;
    let entry = entry_of(&reg, &svc["id"]);
    let (_, entry) = ism.get(&format!("/register/{}", id_of(&entry))).await;
    // カ: the applicant's own section (市民部), not the application's unit (市民課).
    assert_eq!(entry["applicant"], "市民部 civ 太郎");
    // ク: the designated administrator's section and position.
    assert_eq!(entry["administrator"], "市民部 市民部長");

    // ク is required when the entry is made: an applicant without a position cannot be entered.
    person(app, "nopos", "CIT-REG", "", ("staff", "CIT-REG")).await;
    let (id2, v2) = class2_for(app, "nopos", "CIT-REG", "職名のない申請").await;
    let (s, a) = app.api("nopos").await.submit(id2, v2).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let (s, body) = ism.decide(id2, version_of(&a), "approve", json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "administrator_position_required");
    let row = app.application_row(id2).await;
    assert_eq!(row.state.as_str(), "submitted", "nothing half-saved");

    // The register's ク is not edited apart from the designation.
    let mut edit = entry.clone();
    edit["administrator"] = json!("市民課 主事");
    let (s, body) = ism.put(&format!("/register/{}", id_of(&entry)), edit).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        body["error"]["fields"][0]["code"],
        "administrator_via_change"
    );

    // The administrator registers the service; its usage period's end reminds them.
    let sid = id_of(&svc);
    let body = json!({"version": version_of(&svc), "system_name": "部長", "registered_on":
        "2026-12-01"});
    let (s, svc) = app
        .api("civ")
        .await
        .post(&format!("/services/{sid}/ledger"), body)
        .await;
    assert_eq!(s, StatusCode::OK, "{svc}");
    assert_eq!(
        app.st
            .store
            .open_deadline_recipients(sid)
            .await
            .expect("db"),
        vec![vec![civ]]
    );

    // Not the ISM: 403, audited, nothing changed.
    let staff_id = app.user_id("staff").await;
    let change = json!({"version": version_of(&svc), "administrator": staff_id,
        "reason": "人事異動"});
    let path = format!("/services/{sid}/administrator");
    for login in ["im", "civ"] {
        let (s, body) = app.api(login).await.post(&path, change.clone()).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["error"]["code"], "responsible_ism_required");
    }
    // Bad input: named field by field.
    let bad = json!({"version": version_of(&svc), "administrator": civ, "reason": ""});
    let (s, body) = ism.post(&path, bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        each(&body["error"]["fields"], "code"),
        vec!["same_administrator", "required"]
    );
    // The ISM changes it: designation, ク and the reminders together.
    let (s, after) = ism.post(&path, change.clone()).await;
    assert_eq!(s, StatusCode::OK, "{after}");
    assert_eq!(after["administrator_id"], staff_id);
    let (_, reg) = ism.get("/register").await;
    assert_eq!(entry_of(&reg, &svc["id"])["administrator"], "市民課 主事");
    assert_eq!(
        app.st
            .store
            .open_deadline_recipients(sid)
            .await
            .expect("db"),
        vec![vec![staff_id]]
    );
    // A second change made from the old version: 409, the first kept.
    let mut again = change;
    again["administrator"] = json!(app.user_id("im").await);
    let (s, _) = ism.post(&path, again).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let row = app
        .st
        .store
        .service(sid)
        .await
        .expect("db")
        .expect("service");
    assert_eq!(row.administrator_id, staff_id);
    // Audited, with the reason; the new and the previous administrator told.
    let hist = app.history("service", sid).await;
    assert!(
        hist.contains(&"service.administrator_changed".to_string()),
        "{hist:?}"
    );
    let events = app
        .st
        .store
        .entity_history("service", sid)
        .await
        .expect("db");
    let ev = events
        .iter()
        .find(|e| e.action == "service.administrator_changed")
        .expect("event");
    assert!(ev.after.as_deref().is_some_and(|a| a.contains("人事異動")));
    assert!(
        app.history("register", id_of(&entry))
            .await
            .contains(&"register.updated".to_string())
    );
    for login in ["staff", "civ"] {
        let (_, n) = app.api(login).await.get("/notifications").await;
        assert_eq!(
            n["items"][0]["kind"], "administrator_changed",
            "{login}: {n}"
        );
        assert_eq!(n["items"][0]["service_id"], sid);
    }
    // The new administrator now acts for the service.
    let (_, page) = app
        .browser("staff")
        .await
        .get(&format!("/services/{sid}"))
        .await;
    assert!(page.contains("職員 一郎"));
}

// clause: S3.4c — class 1: an Information Manager etc. over the unit changes the
// administrator through the page's form; someone else may not
pub async fn class1_administrator_changed_through_the_page(app: &TestApp) {
    let svc = class1_in_ledger(app, "担当替えの会議サービス", "yes").await;
    let sid = id_of(&svc);
    let staff_id = app.user_id("staff").await.to_string();
    let path = format!("/services/{sid}/administrator");

    // Staff see no form, and a post is refused and audited.
    let staff = app.browser("staff").await;
    let (s, html) = staff.get(&path).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!html.contains("id=\"administrator-form\""));
    let v = app.service_version(sid).await;
    let pairs = [
        ("version", v.as_str()),
        ("administrator", staff_id.as_str()),
        ("reason", "異動"),
    ];
    let (s, _, _) = staff.post(&path, &pairs).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(
        app.history("service", sid)
            .await
            .contains(&"access.denied".to_string())
    );

    // The IM: the form, a field error that keeps the input, then the change.
    let im = app.browser("im").await;
    let (_, html) = im.get(&format!("/services/{sid}")).await;
    assert!(html.contains(&format!("href=\"{path}\"")));
    let (_, html) = im.get(&path).await;
    assert!(html.contains("id=\"administrator-form\"") && html.contains("職員 一郎"));
    // The picker offers at most 50 people, found in the database by part of a name or login;
    // one already chosen stays offered.
    assert!(html.contains("id=\"administrator-search\""));
    let (_, html) = im.get(&format!("{path}?who=一郎")).await;
    assert!(html.contains("職員 一郎"), "found by name");
    let options = |h: &str| h.matches("<option value=\"").count();
    assert!(options(&html) <= 51);
    let (_, html) = im.get(&format!("{path}?who=存在しない人")).await;
    assert!(
        !html.contains("職員 一郎"),
        "not offered when not asked for"
    );
    assert_eq!(options(&html), 1, "only the empty choice");
    let missing = [
        ("version", v.as_str()),
        ("administrator", staff_id.as_str()),
        ("reason", ""),
    ];
    let (s, _, html) = im.post(&path, &missing).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("data-field=\"reason\""));
    assert!(
        html.contains(&format!("value=\"{staff_id}\" selected")),
        "input kept"
    );
    let (s, loc, _) = im.post(&path, &pairs).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(loc, format!("/services/{sid}"));
    let row = app
        .st
        .store
        .service(sid)
        .await
        .expect("db")
        .expect("service");
    assert_eq!(row.administrator_id, app.user_id("staff").await);
    let (_, html) = im.get(&loc).await;
    assert!(html.contains("職員 一郎"));
}

// The risk considerations (S2.4) are sheet items: the applicant sees them on the sheet with
// their clause, answers them, and the reviewer sees the answers.
// clause: S2.4a, S2.4b, S2.4c, S2.4d, S2.4e
pub async fn risks_are_shown_to_applicant_and_reviewer(app: &TestApp) {
    let sheet = gaibu::policies::sheet_in_force(&app.st, Track::Class2Plus)
        .await
        .expect("sheet");
    let risks: Vec<_> = sheet
        .doc
        .items
        .iter()
        .filter(|i| i.clause.starts_with("S2.4"))
        .collect();
    let (id, v) = prepared(app, "im", "リスク確認のクラウド").await;
    let b = app.browser("im").await;
    let (_, html) = b.get(&format!("/applications/{id}/self-check")).await;
    // Cited as the standard numbers them (2.4 ア–オ), the same way on every sheet page.
    for (clause, cited) in [
        ("S2.4a", "基準 2.4ア"),
        ("S2.4b", "基準 2.4イ"),
        ("S2.4c", "基準 2.4ウ"),
        ("S2.4d", "基準 2.4エ"),
        ("S2.4e", "基準 2.4オ"),
    ] {
        let item = risks.iter().find(|i| i.clause == clause).expect(clause);
        assert!(
            html.contains(&item.text_ja),
            "{clause} shown to the applicant"
        );
        assert!(html.contains(&format!("<span class=\"clause\">{cited}</span>")));
    }
    // Unanswered, the submission names it.
    let im = app.api("im").await;
    let mut answers = app.met_answers_for(Track::Class2Plus).await;
    answers
        .as_object_mut()
        .expect("answers")
        .remove("c2-risk-blackbox");
    let (s, a) = im.self_check(id, v, answers).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let (s, body) = im.submit(id, version_of(&a)).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(each(&body["error"]["items"], "item").contains(&"c2-risk-blackbox"));
    // Answered and submitted: the ISM's review shows each risk with the answer.
    let answers = app.met_answers_for(Track::Class2Plus).await;
    let (_, a) = im.self_check(id, version_of(&a), answers).await;
    let (s, a) = im.submit(id, version_of(&a)).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(
        a["answers"]["c2-risk-multitenancy"]["value"], "yes",
        "recorded"
    );
    let (_, html) = app
        .browser("ism")
        .await
        .get(&format!("/applications/{id}/review"))
        .await;
    for i in &risks {
        assert!(
            html.contains(&i.text_ja),
            "{} shown to the reviewer",
            i.clause
        );
    }
    // S2.4d: where the data is and which law and court govern it are recorded.
    assert_eq!(a["fields"]["data_locations"], json!(["日本"]));
    assert_eq!(a["fields"]["governing_law"], "日本法");
    assert_eq!(a["fields"]["court"], "東京地方裁判所");
}

// clause: S2.3 — a service citizens are made to use, outside the policy's scope, is selected
// by the same sheets and review; the register marks it
pub async fn citizen_facing_services_take_the_same_path(app: &TestApp) {
    let im = app.api("im").await;
    let mut body = application_json("市民向け予約サービス", "2");
    body["citizen_facing"] = json!(true);
    let (s, a) = im.post("/applications", body).await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    let (_, plain) = im.create_application("職員向けサービス", "2").await;
    assert_eq!(a["track"], "class2plus");
    assert_eq!(a["fields"]["citizen_facing"], true);
    assert_eq!(
        a["sheet_policy_id"], plain["sheet_policy_id"],
        "the same sheet"
    );
    let id = id_of(&a);
    let answers = app.met_answers_for(Track::Class2Plus).await;
    let (_, a) = im.self_check(id, version_of(&a), answers).await;
    let judged = json!({"tos_acceptability": "規約は受容可能"});
    let (_, a) = im.evaluate(id, version_of(&a), judged).await;
    let (_, a) = im.not_procured(id, version_of(&a)).await;
    let (_, r) = submitted_and_approved(app, "im", id, version_of(&a)).await;
    let (_, reg) = app.api("ism").await.get("/register").await;
    let entry = entry_of(&reg, &r["service"]["id"]);
    assert_eq!(entry["citizen_facing"], true);
    let (_, html) = app.browser("ism").await.get("/register").await;
    assert!(html.contains("市民向け予約サービス"));
}
