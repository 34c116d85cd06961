//! A class-2+ service after approval: built (構築中) with its build-time measures recorded by its
//! administrator, put into operation, its operation-time rules defined by its managers, and
//! its periodic checks falling due as the clock moves (S3.5, S3.6).

use crate::flows::{each, submitted_and_approved, with};
use crate::harness::{TestApp, application_json, id_of, version_of};
use gaibu_domain::classification::Track;
use gaibu_domain::deadline::DeadlineKind;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Every build-time clause of the shipped checklist (S3.5.4e only at availability class 2).
const BUILD_CLAUSES: [&str; 19] = [
    "S3.5.1a", "S3.5.1b", "S3.5.1c", "S3.5.1d", "S3.5.1e", "S3.5.1f", "S3.5.1g", "S3.5.1h",
    "S3.5.2a", "S3.5.2b", "S3.5.3a", "S3.5.3b", "S3.5.4a", "S3.5.4b", "S3.5.4c", "S3.5.4d",
    "S3.5.4e", "S3.5.4f", "S3.5.5",
];

/// A class-2 service approved for `im` and entered in the ledger with the demo BSM and IM as
/// its managers. `availability`: its availability class. Returns the service.
pub async fn built_service(app: &TestApp, name: &str, availability: &str) -> Value {
    let im = app.api("im").await;
    let body = with(
        application_json(name, "2"),
        json!({"availability": availability}),
    );
    let (s, a) = im.post("/applications", body).await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    let id = id_of(&a);
    let answers = app.met_answers_for(Track::Class2Plus).await;
    let (s, a) = im.self_check(id, version_of(&a), answers).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let judged = json!({"tos_acceptability": "規約の条件は受容可能"});
    let (s, a) = im.evaluate(id, version_of(&a), judged).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let (s, a) = im.not_procured(id, version_of(&a)).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let (_, r) = submitted_and_approved(app, "im", id, version_of(&a)).await;
    let svc = r["service"].clone();
    let bsm = app.user_id("bsm").await.to_string();
    let infra = app.user_id("infra").await.to_string();
    let (s, svc) = im
        .post(
            &format!("/services/{}/ledger", id_of(&svc)),
            json!({"version": version_of(&svc), "system_name": name,
                   "registered_on": "2026-12-01", "business_system_manager": bsm,
                   "infrastructure_manager": infra}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{svc}");
    svc
}

/// Records every applicable build-time measure of a service as implemented, as `login`.
async fn record_all(app: &TestApp, login: &str, sid: i64, except: &[&str]) {
    let c = app.api(login).await;
    let (s, list) = c.get(&format!("/services/{sid}/measures")).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    for item in list["items"].as_array().expect("items") {
        let mid = item["measure"]["id"].as_str().expect("id");
        if except.contains(&mid) || !item["record"].is_null() {
            continue;
        }
        let body = json!({"measure_id": mid, "status": "implemented",
                          "provider_said": "仕様書のとおり実装済み", "evidence": "回答書 p.3"});
        let (s, r) = c.put(&format!("/services/{sid}/measures"), body).await;
        assert_eq!(s, StatusCode::OK, "{mid}: {r}");
    }
}

/// Puts a class-2+ service built by `login` into operation: every measure recorded, then the
/// move. Returns the service.
pub async fn into_operation(app: &TestApp, login: &str, sid: i64) -> Value {
    record_all(app, login, sid, &[]).await;
    let c = app.api(login).await;
    let (_, svc) = c.get(&format!("/services/{sid}")).await;
    let (s, svc) = c
        .post(
            &format!("/services/{sid}/operation"),
            json!({"version": version_of(&svc)}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{svc}");
    assert_eq!(svc["ledger_status"], "in_operation");
    svc
}

// clause: S3.5.1a–h, S3.5.2a–b, S3.5.3a–b, S3.5.4a–f, S3.5.5, S3.5.6, S3.5.4e
pub async fn build_measures_are_recorded_before_operation(app: &TestApp) {
    let svc = built_service(app, "構築中のサービス", "2").await;
    let sid = id_of(&svc);
    assert_eq!(svc["ledger_status"], "building", "class 2+: 構築中 first");
    let im = app.api("im").await;
    let (s, list) = im.get(&format!("/services/{sid}/measures")).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert!(
        list["capabilities"]["record_build"]
            .as_bool()
            .expect("caps")
    );
    assert!(
        !list["capabilities"]["record_check"]
            .as_bool()
            .expect("caps")
    );
    let items = list["items"].as_array().expect("items");
    let clauses: Vec<&str> = items
        .iter()
        .filter_map(|i| i["measure"]["clause"].as_str())
        .collect();
    // Every build-time measure of S3.5.1–S3.5.5 is on the checklist, S3.5.4e included at
    // availability class 2.
    for c in BUILD_CLAUSES {
        assert!(clauses.contains(&c), "{c} missing from the checklist");
    }
    assert_eq!(
        list["missing"].as_array().expect("missing").len(),
        items.len()
    );
    let id_of_clause = |c: &str| {
        items
            .iter()
            .find(|i| i["measure"]["clause"] == c)
            .and_then(|i| i["measure"]["id"].as_str())
            .expect("clause")
            .to_string()
    };
    let last = id_of_clause("S3.5.5");
    let availability = id_of_clause("S3.5.4e");
    let path = format!("/services/{sid}/measures");

    // Not applicable needs a reason; a measure not on the checklist is refused; the BSM does
    // not record build-time measures (the administrator does, S3.5.6).
    let na = json!({"measure_id": availability, "status": "not_applicable", "reason": " "});
    let (s, body) = im.put(&path, na).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "reason");
    assert_eq!(body["error"]["fields"][0]["code"], "reason_required");
    let (s, body) = im
        .put(
            &path,
            json!({"measure_id": "nope", "status": "implemented"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let bsm = app.api("bsm").await;
    let (s, body) = bsm
        .put(&path, json!({"measure_id": last, "status": "implemented"}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "administrator_required");

    // Two people saving at once: the second is a conflict, the first's record stands.
    let first = json!({"measure_id": availability, "status": "partly",
                       "provider_said": "冗長化は東京リージョンのみ", "evidence": "SLA 第4条"});
    let (s, rec) = im.put(&path, first.clone()).await;
    assert_eq!(s, StatusCode::OK, "{rec}");
    assert_eq!(rec["status"], "partly");
    assert_eq!(rec["provider_said"], "冗長化は東京リージョンのみ");
    assert_eq!(rec["recorded_by"], app.user_id("im").await);
    assert!(rec["recorded_at"].is_string());
    assert!(rec["policy_id"].as_i64().is_some());
    let (s, body) = im.put(&path, first.clone()).await;
    assert_eq!(s, StatusCode::CONFLICT, "a second first record: {body}");
    assert_eq!(body["error"]["code"], "stale_version");
    let v1 = version_of(&rec);
    let update = with(
        first.clone(),
        json!({"version": v1, "status": "implemented"}),
    );
    let (s, rec2) = im.put(&path, update).await;
    assert_eq!(s, StatusCode::OK, "{rec2}");
    let late = with(first.clone(), json!({"version": v1, "status": "not_yet"}));
    let (s, body) = im.put(&path, late).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "stale_version");

    // Everything but S3.5.5 recorded: the move into operation is refused, naming it.
    record_all(app, "im", sid, &[&last]).await;
    let (_, now) = im.get(&format!("/services/{sid}")).await;
    let op = format!("/services/{sid}/operation");
    let (s, body) = im.post(&op, json!({"version": version_of(&now)})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "measures_incomplete");
    assert_eq!(each(&body["error"]["items"], "item"), vec![last.as_str()]);
    assert_eq!(body["error"]["items"][0]["code"], "measure_unrecorded");
    let (_, list) = im.get(&format!("/services/{sid}/measures")).await;
    assert_eq!(list["missing"], json!([last]));

    // Recorded; someone else may not put it into operation; the administrator does.
    let (s, rec) = im
        .put(
            &path,
            json!({"measure_id": last, "status": "not_applicable",
                           "reason": "ユーティリティプログラムの提供なし"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{rec}");
    let (s, _) = bsm.post(&op, json!({"version": version_of(&now)})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, svc) = im.post(&op, json!({"version": version_of(&now)})).await;
    assert_eq!(s, StatusCode::OK, "{svc}");
    assert_eq!(svc["ledger_status"], "in_operation");
    let (s, body) = im.post(&op, json!({"version": version_of(&svc)})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "not_building");
    // Nor are build-time records changed once in operation.
    let (s, _) = im
        .put(
            &path,
            json!({"measure_id": last, "status": "implemented", "version": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);

    // Every record and the move are in the service's history.
    let history = app.history("service", sid).await;
    assert!(
        history.contains(&"ledger.in_operation".to_string()),
        "{history:?}"
    );
    let (_, events) = im.get(&format!("/services/{sid}/history?limit=200")).await;
    let actions = each(&events["items"], "action");
    let recorded = actions.iter().filter(|a| **a == "measure.recorded").count();
    assert_eq!(recorded, items.len() + 1, "each record audited (one twice)");
    assert!(actions.contains(&"ledger.in_operation"));

    // At availability class 1 there is no S3.5.4e (designing for availability).
    let svc1 = built_service(app, "可用性1のサービス", "1").await;
    let (_, list1) = im
        .get(&format!("/services/{}/measures", id_of(&svc1)))
        .await;
    let clauses1: Vec<&str> = list1["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["measure"]["clause"].as_str())
        .collect();
    assert!(!clauses1.contains(&"S3.5.4e"));
    assert_eq!(clauses1.len(), BUILD_CLAUSES.len() - 1);

    // The page shows the checklist and what is missing.
    let b = app.browser("im").await;
    let (s, html) = b.get(&format!("/services/{}/measures", id_of(&svc1))).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"measures-missing\""), "{html}");
    assert!(html.contains("S3.5.1a"));
}

// clause: S3.6-1a–i, S3.6-2, S3.6-3, S3.7-1a–c — the managers define the operation-time and
// end-of-use rules beforehand, and check the measures periodically
pub async fn operation_rules_and_periodic_checks(app: &TestApp) {
    let svc = built_service(app, "運用中のサービス", "1").await;
    let sid = id_of(&svc);
    let im = app.api("im").await;
    let bsm = app.api("bsm").await;
    let infra = app.api("infra").await;

    // S3.6-1a–i, S3.6-2 (and S3.7-1a–c, defined beforehand): the managers define the rules.
    let (s, rules) = bsm.get(&format!("/services/{sid}/rules")).await;
    assert_eq!(s, StatusCode::OK, "{rules}");
    let rules = rules.as_array().expect("rules").clone();
    let clauses: Vec<&str> = rules
        .iter()
        .filter_map(|r| r["measure"]["clause"].as_str())
        .collect();
    for c in [
        "S3.6-1a", "S3.6-1b", "S3.6-1c", "S3.6-1d", "S3.6-1e", "S3.6-1f", "S3.6-1g", "S3.6-1h",
        "S3.6-1i", "S3.6-2", "S3.7-1a", "S3.7-1b", "S3.7-1c",
    ] {
        assert!(clauses.contains(&c), "{c} missing from the rules");
    }
    let path = format!("/services/{sid}/rules");
    for (n, r) in rules.iter().enumerate() {
        let mid = r["measure"]["id"].as_str().expect("id");
        let who = if n % 2 == 0 { &bsm } else { &infra };
        let body =
            json!({"measure_id": mid, "body": format!("{mid} の規定（文書管理番号 R-{n}）")});
        let (s, rule) = who.put(&path, body).await;
        assert_eq!(s, StatusCode::OK, "{mid}: {rule}");
        assert_eq!(rule["version"], 1);
    }
    let first = rules[0]["measure"]["id"].as_str().expect("id");
    // The administrator does not define them; an empty rule is refused; a stale one conflicts.
    let (s, body) = im
        .put(&path, json!({"measure_id": first, "body": "x"}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "service_manager_required");
    let (s, _) = bsm
        .put(
            &path,
            json!({"measure_id": first, "body": " ", "version": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, r) = bsm
        .put(
            &path,
            json!({"measure_id": first, "body": "改訂版", "version": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let (s, body) = infra
        .put(
            &path,
            json!({"measure_id": first, "body": "別の改訂", "version": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    let (_, rules) = im.get(&path).await;
    assert_eq!(rules[0]["body"], "改訂版");
    assert!(rules[0]["defined_by"].as_i64().is_some());

    // No check before operation; into operation the first check falls due in 12 months
    // (class 2), reminding the managers, the administrator and the ISM.
    let (s, body) = bsm
        .post(&format!("/services/{sid}/checks"), json!({}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    let svc = into_operation(app, "im", sid).await;
    let today = app.st.today();
    let due = today
        .checked_add(jiff::Span::new().months(12))
        .expect("date");
    let (_, list) = im.get(&format!("/services/{sid}/measures")).await;
    assert_eq!(list["next_check_due"], due.to_string());
    let (_, s_api) = im.get(&format!("/services/{sid}")).await;
    assert_eq!(s_api["next_check_due"], due.to_string());
    // A page far beyond the list is empty, not an error.
    let (s, far) = im.get("/checks?page=9223372036854775806").await;
    assert_eq!(s, StatusCode::OK, "{far}");
    let (s, _) = app
        .browser("im")
        .await
        .get("/checks?page=9223372036854775806")
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        s_api["business_system_manager_id"],
        app.user_id("bsm").await
    );
    let (d, recipients) = app
        .st
        .store
        .open_deadline(DeadlineKind::PeriodicCheck, sid)
        .await
        .expect("db")
        .expect("deadline");
    assert_eq!(d, due);
    for login in ["bsm", "infra", "im", "ism"] {
        assert!(recipients.contains(&app.user_id(login).await), "{login}");
    }

    // Not listed yet; 20 days before the due date it is due soon; after it, overdue — for the
    // managers, the administrator and the ISM, not for others.
    let (s, due_now) = bsm.get("/checks").await;
    assert_eq!(s, StatusCode::OK, "{due_now}");
    assert_eq!(n_items(&due_now), 0);
    let days_to_due = (due - today).get_days() as i64;
    app.advance_days(days_to_due - 20);
    // (The demo's services put into operation on the same day are due beside it.)
    let (_, soon) = bsm.get("/checks").await;
    let mine = of_service(&soon, sid);
    assert_eq!(mine.len(), 1, "{soon}");
    assert_eq!(mine[0]["state"], "soon");
    let (_, overdue) = bsm.get("/checks?due=overdue").await;
    assert_eq!(n_items(&overdue), 0);
    app.advance_days(25);
    for login in ["bsm", "infra", "im", "ism"] {
        let (_, od) = app.api(login).await.get("/checks?due=overdue").await;
        let mine = of_service(&od, sid);
        assert_eq!(mine.len(), 1, "{login}: {od}");
        assert_eq!(mine[0]["state"], "overdue");
        assert_eq!(mine[0]["due_on"], due.to_string());
    }
    let (_, none) = app.api("staff").await.get("/checks").await;
    assert_eq!(n_items(&none), 0, "{none}");
    let b = app.browser("ism").await;
    let (s, html) = b.get("/checks?due=overdue").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("運用中のサービス"), "{html}");
    assert!(html.contains("class=\"due overdue\""), "{html}");

    // The check: every operation-time measure with a status (a partial one is refused), by the
    // BSM or IM only; the next check falls due a year after it and leaves the list.
    let (_, rules) = im.get(&path).await;
    let ops: Vec<String> = rules
        .as_array()
        .expect("rules")
        .iter()
        .filter(|r| {
            r["measure"]["clause"]
                .as_str()
                .is_some_and(|c| c.starts_with("S3.6"))
        })
        .filter_map(|r| r["measure"]["id"].as_str().map(str::to_string))
        .collect();
    let mut items = serde_json::Map::new();
    for (n, mid) in ops.iter().enumerate() {
        let status = if n == 0 { "partly" } else { "implemented" };
        items.insert(
            mid.clone(),
            json!({"status": status, "findings": "提供者の報告書で確認", "evidence": "報告書 2027"}),
        );
    }
    let check = json!({"summary": "提供者に照会し確認", "items": items});
    let checks = format!("/services/{sid}/checks");
    let mut partial = check.clone();
    partial["items"]
        .as_object_mut()
        .expect("items")
        .remove(&ops[1]);
    let (s, body) = infra.post(&checks, partial).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        body["error"]["fields"][0]["field"],
        format!("items.{}.status", ops[1])
    );
    let (s, body) = im.post(&checks, check.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    let (s, c) = infra.post(&checks, check).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let today = app.st.today();
    let next = today
        .checked_add(jiff::Span::new().months(12))
        .expect("date");
    assert_eq!(c["checked_on"], today.to_string());
    assert_eq!(c["next_due_on"], next.to_string());
    assert_eq!(c["items"].as_array().expect("items").len(), ops.len());
    assert_eq!(c["items"][0]["status"], "partly");
    let (_, od) = bsm.get("/checks").await;
    assert!(of_service(&od, sid).is_empty(), "{od}");
    let (d, _) = app
        .st
        .store
        .open_deadline(DeadlineKind::PeriodicCheck, sid)
        .await
        .expect("db")
        .expect("deadline moved");
    assert_eq!(d, next);
    let (_, list) = bsm.get(&checks).await;
    assert_eq!(list.as_array().expect("checks").len(), 1);
    let (_, events) = im.get(&format!("/services/{sid}/history?limit=200")).await;
    assert!(each(&events["items"], "action").contains(&"check.recorded"));
    assert!(each(&events["items"], "action").contains(&"rule.defined"));

    // The ISM names another Infrastructure Manager (none), then the administrator names the
    // demo one again, who is told; the BSM may not.
    let v = version_of(&svc);
    let bsm_id = app.user_id("bsm").await.to_string();
    let infra_id = app.user_id("infra").await.to_string();
    let mpath = format!("/services/{sid}/managers");
    let (s, body) = bsm
        .post(
            &mpath,
            json!({"version": v, "business_system_manager": bsm_id}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    let ism = app.api("ism").await;
    let (s, svc) = ism
        .post(
            &mpath,
            json!({"version": v, "business_system_manager": bsm_id}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{svc}");
    let (s, body) = infra.post(&checks, json!({})).await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "no longer the service's manager: {body}"
    );
    let (s, body) = im
        .post(
            &mpath,
            json!({"version": v, "business_system_manager": bsm_id}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "stale: {body}");
    let (s, svc) = im
        .post(
            &mpath,
            json!({"version": version_of(&svc), "business_system_manager": bsm_id,
                   "infrastructure_manager": infra_id}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{svc}");
    let (_, n) = infra.get("/notifications").await;
    assert_eq!(n["items"][0]["kind"], "manager_named", "{n}");
    let history = app.history("service", sid).await;
    assert!(history.contains(&"service.managers_changed".to_string()));

    // clause: S3.7-1a–c, S3.7-2 — the end-of-use rules defined beforehand are shown where the
    // administrator checks and records them at the end of use.
    let body = json!({"reason": "後継システムへ移行", "planned_end_on": "2099-03-31"});
    let (s, r) = im.post(&format!("/services/{sid}/termination"), body).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let (s, html) = app
        .browser("im")
        .await
        .get(&format!("/services/{sid}/termination"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("data-rule=\"e-data-disposal\"") && html.contains("e-data-disposal の規定"),
        "{html}"
    );
}

// clause: S3.5.6, S3.6-1a–i, S3.6-3 — through the pages: a stale save keeps the input, the
// move into operation names what is missing, a rule and a check are recorded by form
pub async fn measures_through_html_forms(app: &TestApp) {
    let svc = built_service(app, "画面で構築するサービス", "1").await;
    let sid = id_of(&svc);
    let b = app.browser("im").await;
    let (s, html) = b.get(&format!("/services/{sid}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains(&format!("href=\"/services/{sid}/measures\"")));
    let (_, list) = app
        .api("im")
        .await
        .get(&format!("/services/{sid}/measures"))
        .await;
    let first = list["items"][0]["measure"]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let path = format!("/services/{sid}/measures");

    // A first record, then a second first record over it: 409, the page keeps the input.
    let fields = [
        ("measure_id", first.as_str()),
        ("record_version", "0"),
        ("status", "partly"),
        ("provider_said", "多要素認証は管理者のみ"),
        ("evidence", "回答書 p.2"),
    ];
    let (s, loc, _) = b.post(&path, &fields).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(loc.starts_with(&path), "{loc}");
    let late = [
        ("measure_id", first.as_str()),
        ("record_version", "0"),
        ("status", "not_yet"),
        ("provider_said", "後から保存した回答"),
    ];
    let (s, _, html) = b.post(&path, &late).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(html.contains("id=\"stale-notice\""), "{html}");
    assert!(html.contains("後から保存した回答"), "the input is kept");
    assert!(
        html.contains("多要素認証は管理者のみ"),
        "the saved record is shown"
    );
    // Not applicable without a reason: 422, the field named.
    let na = [
        ("measure_id", first.as_str()),
        ("record_version", "1"),
        ("status", "not_applicable"),
    ];
    let (s, _, html) = b.post(&path, &na).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("field-error"), "{html}");

    // Into operation with measures unrecorded: 409, the page lists them.
    let (_, now) = app.api("im").await.get(&format!("/services/{sid}")).await;
    let v = version_of(&now).to_string();
    let op = format!("/services/{sid}/operation");
    let (s, _, html) = b.post(&op, &[("version", v.as_str())]).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(html.contains("id=\"operation-refused\""), "{html}");
    assert!(html.contains("id=\"measures-missing\""));
    let second = list["items"][1]["measure"]["clause"].as_str().expect("c");
    assert!(html.contains(second));
    record_all(app, "im", sid, &[]).await;
    let (s, loc, _) = b.post(&op, &[("version", v.as_str())]).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{loc}");
    let (_, html) = b.get(&path).await;
    assert!(html.contains("id=\"measures-complete\""));

    // The BSM defines a rule by form; the IM records a check by form (every measure).
    let bsm = app.browser("bsm").await;
    let rules = format!("/services/{sid}/rules");
    let (_, rl) = app.api("bsm").await.get(&rules).await;
    let rid = rl[0]["measure"]["id"].as_str().expect("id");
    let rule = [
        ("measure_id", rid),
        ("record_version", "0"),
        ("body", "利用方針は課内規程第3条による"),
    ];
    let (s, _, _) = bsm.post(&rules, &rule).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = bsm.get(&rules).await;
    assert!(html.contains("利用方針は課内規程第3条による"));
    assert!(html.contains("id=\"check-form\""));
    let infra = app.browser("infra").await;
    let ops: Vec<String> = rl
        .as_array()
        .expect("rules")
        .iter()
        .filter(|r| {
            r["measure"]["clause"]
                .as_str()
                .is_some_and(|c| c.starts_with("S3.6"))
        })
        .filter_map(|r| r["measure"]["id"].as_str().map(str::to_string))
        .collect();
    let keys: Vec<String> = ops.iter().map(|m| format!("items.{m}.status")).collect();
    let mut pairs: Vec<(&str, &str)> = vec![("summary", "年次点検")];
    for k in &keys[1..] {
        pairs.push((k.as_str(), "implemented"));
    }
    let (s, _, html) = infra.post(&format!("/services/{sid}/checks"), &pairs).await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "one measure without status"
    );
    assert!(html.contains("年次点検"), "the input is kept");
    pairs.push((keys[0].as_str(), "implemented"));
    let (s, loc, _) = infra.post(&format!("/services/{sid}/checks"), &pairs).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{loc}");
    let (_, html) = infra.get(&rules).await;
    assert!(html.contains("年次点検"));
}

/// How many rows a page of a list holds.
/// The items of a list page about one service.
fn of_service(page: &serde_json::Value, sid: i64) -> Vec<&serde_json::Value> {
    page["items"]
        .as_array()
        .map(|a| a.iter().filter(|i| i["service_id"] == sid).collect())
        .unwrap_or_default()
}

fn n_items(page: &serde_json::Value) -> usize {
    page["items"].as_array().map_or(usize::MAX, Vec::len)
}
