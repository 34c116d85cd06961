//! Re-checks (S6.1), corrective action and the stop of use (S6.2), check orders (S6.3),
//! through the JSON API and the pages.

use crate::flows::{checked_class1, file, prepared, submitted_and_approved};
use crate::harness::{Api, TestApp, id_of, version_of};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A class-1 service of `login`, approved by them and 稼働中. Returns the service.
async fn class1_in_operation(app: &TestApp, login: &str, name: &str) -> Value {
    let (id, a) = checked_class1(app, login, name).await;
    let c = app.api(login).await;
    let (s, r) = c.approve(id, version_of(&a)).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let svc = &r["service"];
    let (s, svc) = c
        .register(id_of(svc), version_of(svc), name, "2026-12-01")
        .await;
    assert_eq!(s, StatusCode::OK, "{svc}");
    svc
}

fn today(app: &TestApp) -> jiff::civil::Date {
    app.st.today()
}

fn days(app: &TestApp, n: i64) -> String {
    today(app)
        .checked_add(jiff::Span::new().days(n))
        .expect("date")
        .to_string()
}

async fn notified(app: &TestApp, login: &str, kind: &str) -> usize {
    let id = app.user_id(login).await;
    let rows = app.st.store.notifications(id, 100).await.expect("db");
    rows.iter().filter(|n| n.kind.as_str() == kind).count()
}

async fn scalar(app: &TestApp, sql: &str, id: i64) -> i64 {
    use sqlx::Row;
    let row = sqlx::query(sql)
        .bind(id)
        .fetch_one(app.st.store.pool())
        .await
        .expect("query");
    row.try_get::<i64, _>(0).expect("count")
}

async fn open_deadlines(app: &TestApp, kind: &str, sid: i64) -> i64 {
    let sql = format!(
        "SELECT COUNT(*) FROM deadlines WHERE kind = '{kind}' AND service_id = $1 AND closed_at IS NULL"
    );
    scalar(app, &sql, sid).await
}

async fn event(c: &Api, sid: i64, body: Value) -> (StatusCode, Value) {
    c.post(&format!("/services/{sid}/events"), body).await
}

async fn save(c: &Api, rid: i64, version: i64, more: Value) -> (StatusCode, Value) {
    let mut body = more;
    body["version"] = json!(version);
    c.put(&format!("/rechecks/{rid}"), body).await
}

// clause: S6.1 — a change of terms, a change of configuration, an incident and an expiring
// certificate each open a re-check for the administrator, with a due date and a deadline;
// the re-check shows the previous answers beside it
pub async fn each_trigger_opens_a_recheck(app: &TestApp) {
    let im = app.api("im").await;
    let svc = class1_in_operation(app, "im", "再確認サービス").await;
    let sid = id_of(&svc);

    // Terms changed: the new version (or URL) is required.
    let terms = json!({"kind": "terms_changed", "description": "利用規約が改定された",
        "occurred_on": today(app).to_string()});
    let (s, body) = event(&im, sid, terms.clone()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["fields"][0]["code"], "tos_change_required");
    let mut terms = terms;
    terms["tos_version"] = json!("2027年1月版");
    let (s, r1) = event(&im, sid, terms).await;
    assert_eq!(s, StatusCode::CREATED, "{r1}");
    assert_eq!(r1["cause"], "terms_changed");
    assert_eq!(r1["state"], "open");
    assert_eq!(r1["tos_version"], "2027年1月版");
    assert_eq!(r1["administrator_id"], app.user_id("im").await);
    // The policy's default: 30 days.
    assert_eq!(r1["due_on"], days(app, 30));

    // Configuration changed, recorded by the ISM: the administrator is told.
    let before = notified(app, "im", "recheck_opened").await;
    let ism = app.api("ism").await;
    let config = json!({"kind": "configuration_changed", "description": "SSO連携を追加",
        "occurred_on": today(app).to_string()});
    let (s, r2) = event(&ism, sid, config).await;
    assert_eq!(s, StatusCode::CREATED, "{r2}");
    assert_eq!(notified(app, "im", "recheck_opened").await, before + 1);

    // An incident; someone who is neither the administrator nor the ISM is refused, audited.
    let incident = json!({"kind": "incident", "description": "不正ログインの疑い",
        "occurred_on": today(app).to_string()});
    let (s, body) = event(&app.api("staff").await, sid, incident.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    assert!(
        app.history("service", sid)
            .await
            .contains(&"access.denied".to_string())
    );
    let (s, r3) = event(&im, sid, incident).await;
    assert_eq!(s, StatusCode::CREATED, "{r3}");
    assert_eq!(r3["cause"], "incident");
    assert_eq!(open_deadlines(app, "recheck", sid).await, 3);

    // The administrator's list shows them, from the database a page at a time.
    let (s, mine) = im.get("/rechecks").await;
    assert_eq!(s, StatusCode::OK, "{mine}");
    let ids: Vec<i64> = mine["items"]
        .as_array()
        .expect("list")
        .iter()
        .map(id_of)
        .collect();
    for r in [&r1, &r2, &r3] {
        assert!(ids.contains(&id_of(r)), "{mine}");
    }
    assert_eq!(mine["next_cursor"], Value::Null);

    // Side by side: the previous answers are the approved application's.
    let (s, d) = im.get(&format!("/rechecks/{}", id_of(&r1))).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["previous_from"], "application");
    assert_eq!(d["previous_id"], svc["application_id"]);
    assert_eq!(d["previous"]["c1-official-accounts"]["value"], "yes");
    let page = app.browser("im").await;
    let (s, html) = page.get(&format!("/rechecks/{}", id_of(&r1))).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("id=\"previous-c1-official-accounts\""),
        "{html}"
    );
    assert!(html.contains("前回の回答"));
    let (_, html) = page.get(&format!("/services/{sid}")).await;
    assert!(
        html.contains(&format!("/services/{sid}/rechecks")),
        "link from the service page"
    );

    // An expiring certificate: a certificate attached to a class-1 application (before its
    // approval) that expires within the first reminder lead opens a re-check, once.
    let (id, a) = checked_class1(app, "im", "証明書サービス").await;
    let pdf = b"%PDF-1.7\n% ISMAP\n%%EOF\n".to_vec();
    let expires = days(app, 10);
    let fields = [
        ("item_key", ""),
        ("expires_on", expires.as_str()),
        ("note", "ISMAP"),
    ];
    let res = im
        .upload(
            &format!("/applications/{id}/evidence"),
            file(&pdf, "ismap.pdf", "application/pdf"),
            &fields,
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let _ = a;
    let v = app.application_row(id).await.version;
    let (s, r) = im.approve(id, v).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let c_svc = &r["service"];
    let (s, c_svc) = im
        .register(
            id_of(c_svc),
            version_of(c_svc),
            "証明書サービス",
            "2026-12-01",
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{c_svc}");
    let opened = gaibu::rechecks::open_for_expiring_certificates(&app.st, today(app))
        .await
        .expect("scheduler");
    assert_eq!(opened.len(), 1);
    assert_eq!(opened[0].service_id, id_of(&c_svc));
    assert_eq!(opened[0].cause.as_str(), "certificate_expiring");
    assert_eq!(
        opened[0].due_on.to_string(),
        expires,
        "due before it lapses"
    );
    let again = gaibu::rechecks::open_for_expiring_certificates(&app.st, today(app))
        .await
        .expect("scheduler");
    assert!(again.is_empty(), "once per certificate");
    assert_eq!(
        open_deadlines(app, "certificate_expiry", id_of(&c_svc)).await,
        1
    );
}

/// A class-2 service of the demo IM, 稼働中, with its usage-register entry.
async fn class2_in_operation(app: &TestApp, name: &str) -> Value {
    let (id, v) = prepared(app, "im", name).await;
    let (_, r) = submitted_and_approved(app, "im", id, v).await;
    let svc = &r["service"];
    let (s, svc) = app
        .api("im")
        .await
        .register(id_of(svc), version_of(svc), name, "2026-12-01")
        .await;
    assert_eq!(s, StatusCode::OK, "{svc}");
    // Whatever the build-time measures say: this test starts from a service in operation.
    sqlx::query("UPDATE services SET ledger_status = 'in_operation' WHERE id = $1")
        .bind(id_of(&svc))
        .execute(app.st.store.pool())
        .await
        .expect("in operation");
    svc
}

// clause: S6.1 — a partial answer is a draft, not judged; a blocking "no" is not compliant;
// a second save on the same version is a conflict and the first is kept
// clause: S6.2 — a corrective action with owner, due date and result; not corrected → the
// service is suspended (利用停止) with the reason, in the ledger and the usage register;
// a passing re-check brings it back into operation
pub async fn failed_recheck_corrective_action_and_suspension(app: &TestApp) {
    let im = app.api("im").await;
    let svc = class2_in_operation(app, "停止テストサービス").await;
    let sid = id_of(&svc);
    let ev = json!({"kind": "terms_changed", "description": "規約改定で公用アカウントが廃止",
        "occurred_on": today(app).to_string(), "tos_url": "https://svc.example.com/terms/v4"});
    let (s, r) = event(&im, sid, ev).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let rid = id_of(&r);

    // A partial answer, even with a judgement, is a draft.
    let all = app
        .met_answers_for(gaibu_domain::classification::Track::Class2Plus)
        .await;
    let first = all
        .as_object()
        .expect("answers")
        .keys()
        .next()
        .expect("item")
        .clone();
    let partial = json!({ &first: all[&first].clone() });
    let (s, d) = save(
        &im,
        rid,
        version_of(&r),
        json!({"answers": partial, "judgement": "compliant", "reason": "x"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["recheck"]["state"], "open");
    assert!(d["recheck"]["judged_at"].is_null());
    assert!(!d["missing"].as_array().expect("missing").is_empty());
    // Two people saving the same version: the second gets a conflict, the first stays.
    let (s, body) = save(&im, rid, version_of(&r), json!({"answers": {}})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    let (_, detail) = im.get(&format!("/rechecks/{rid}")).await;
    assert_eq!(detail["recheck"]["answers"][&first], all[&first]);
    let v = version_of(&d["recheck"]);

    // A blocking "no" cannot be judged compliant; it is judged not compliant, with a reason.
    let sheet =
        gaibu::policies::sheet_in_force(&app.st, gaibu_domain::classification::Track::Class2Plus)
            .await
            .expect("sheet");
    let blocking = sheet
        .doc
        .items
        .iter()
        .find(|i| i.blocking && i.show_if.is_none())
        .expect("a blocking item")
        .id
        .clone();
    let mut failing = all.clone();
    failing[&blocking] = json!({"value": "no", "comment": "規約改定で満たさなくなった"});
    let (s, body) = save(
        &im,
        rid,
        v,
        json!({"answers": failing, "judgement": "compliant", "reason": "問題なし"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["fields"][0]["code"], "blocking_no");
    let (s, d) = save(
        &im,
        rid,
        v,
        json!({"answers": failing, "judgement": "not_compliant", "reason": "要件を満たさない"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["recheck"]["state"], "not_compliant");
    assert_eq!(d["recheck"]["reason"], "要件を満たさない");
    assert_eq!(open_deadlines(app, "recheck", sid).await, 0);
    let events = app.history("recheck", rid).await;
    assert_eq!(
        events,
        ["recheck.opened", "recheck.saved", "recheck.judged"]
    );

    // The corrective action: the administrator's; its owner is told and gets a deadline.
    let path = format!("/rechecks/{rid}/corrective-action");
    let bsm_id = app.user_id("bsm").await;
    let plan =
        json!({"owner": bsm_id.to_string(), "due_on": days(app, 14), "plan": "提供者と特約を協議"});
    let (s, body) = app.api("staff").await.post(&path, plan.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    let (s, act) = im.post(&path, plan.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{act}");
    assert_eq!(act["owner_id"], bsm_id);
    assert_eq!(act["due_on"], days(app, 14));
    assert_eq!(act["state"], "open");
    assert_eq!(notified(app, "bsm", "corrective_action_assigned").await, 1);
    assert_eq!(open_deadlines(app, "corrective_action", sid).await, 1);
    let (s, _) = im.post(&path, plan).await;
    assert_eq!(s, StatusCode::CONFLICT, "one action per re-check");
    let (_, bsm_work) = app.api("bsm").await.get("/corrective-actions").await;
    assert_eq!(bsm_work["items"][0]["id"], act["id"]);

    // It could not be corrected: use stops, with the reason, until a re-check passes.
    let result = json!({"version": version_of(&act), "result": "not_corrected", "note": "提供者が特約に応じない"});
    let (s, done) = app
        .api("bsm")
        .await
        .post(
            &format!("/corrective-actions/{}/result", id_of(&act)),
            result,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{done}");
    assert_eq!(done["state"], "not_corrected");
    assert_eq!(open_deadlines(app, "corrective_action", sid).await, 0);
    let row = app
        .st
        .store
        .service(sid)
        .await
        .expect("db")
        .expect("service");
    assert_eq!(row.ledger_status.map(|s| s.as_str()), Some("suspended"));
    assert_eq!(
        row.suspend_reason.as_deref(),
        Some("提供者が特約に応じない")
    );
    assert_eq!(row.suspended_on, Some(today(app)));
    let (_, s_api) = im.get(&format!("/services/{sid}")).await;
    assert_eq!(s_api["ledger_status"], "suspended");
    assert_eq!(s_api["suspend_reason"], "提供者が特約に応じない");
    // Shown in the ledger, on the service's page and in the usage register (class 2+).
    let page = app.browser("ism").await;
    let (_, html) = page.get("/services").await;
    assert!(html.contains("利用停止"), "ledger list");
    let (_, html) = page.get(&format!("/services/{sid}")).await;
    assert!(
        html.contains("提供者が特約に応じない"),
        "the reason on its page"
    );
    let (_, html) = page.get("/register").await;
    assert!(
        html.contains(&format!("id=\"suspended-{sid}\"")),
        "usage register: {html}"
    );

    // The follow-up re-check passes: back in operation; its answers are the next previous.
    let (_, mine) = im.get("/rechecks").await;
    let follow = mine["items"]
        .as_array()
        .expect("list")
        .iter()
        .find(|r| r["cause"] == "follow_up" && r["service_id"] == sid)
        .expect("a follow-up re-check")
        .clone();
    let (s, d) = save(
        &im,
        id_of(&follow),
        version_of(&follow),
        json!({"answers": all, "judgement": "compliant", "reason": "特約締結により適合"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["recheck"]["state"], "compliant");
    let row = app
        .st
        .store
        .service(sid)
        .await
        .expect("db")
        .expect("service");
    assert_eq!(row.ledger_status.map(|s| s.as_str()), Some("in_operation"));
    assert!(row.suspend_reason.is_none());
    assert!(
        app.history("service", sid)
            .await
            .contains(&"service.resumed".to_string())
    );
    let ev =
        json!({"kind": "incident", "description": "障害", "occurred_on": today(app).to_string()});
    let (_, next) = event(&im, sid, ev).await;
    let (_, d) = im.get(&format!("/rechecks/{}", id_of(&next))).await;
    assert_eq!(d["previous_from"], "recheck");
    assert_eq!(d["previous_id"], follow["id"]);
}

// clause: S6.3 — the ISM orders a check of every service of one provider; each administrator
// is told and gets a deadline; a report by anyone else is 403 and audited; the ISM sees the
// progress (reported / pending / overdue), counted in the database
pub async fn check_order_over_a_provider(app: &TestApp) {
    let a = class1_in_operation(app, "im", "点検サービスA").await;
    let b = class1_in_operation(app, "bsm", "点検サービスB").await;
    let order = json!({"provider": "株式会社テスト", "reason": "提供者の脆弱性公表", "due_on": days(app, 7)});
    let (s, body) = app
        .api("im")
        .await
        .post("/check-orders", order.clone())
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    let ism = app.api("ism").await;
    // The demo's own order has told its administrator already.
    let (im_before, bsm_before) = (
        notified(app, "im", "check_ordered").await,
        notified(app, "bsm", "check_ordered").await,
    );
    let (s, issued) = ism.post("/check-orders", order).await;
    assert_eq!(s, StatusCode::CREATED, "{issued}");
    assert_eq!(issued["services"], 2);
    let oid = id_of(&issued);
    assert_eq!(notified(app, "im", "check_ordered").await, im_before + 1);
    assert_eq!(notified(app, "bsm", "check_ordered").await, bsm_before + 1);
    assert_eq!(open_deadlines(app, "check_order", id_of(&a)).await, 1);
    assert_eq!(open_deadlines(app, "check_order", id_of(&b)).await, 1);

    let (s, d) = ism.get(&format!("/check-orders/{oid}")).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let counts = |d: &Value| {
        let o = &d["order"];
        (
            o["total"].clone(),
            o["reported"].clone(),
            o["pending"].clone(),
            o["overdue"].clone(),
        )
    };
    assert_eq!(counts(&d), (json!(2), json!(0), json!(2), json!(0)));
    let target_of = |d: &Value, sid: i64| {
        d["targets"]
            .as_array()
            .expect("targets")
            .iter()
            .find(|t| t["service_id"] == sid)
            .expect("target")
            .clone()
    };
    let ta = target_of(&d, id_of(&a));
    let tb = target_of(&d, id_of(&b));

    // The administrator's own list names the check to report.
    let (_, mine) = app.api("im").await.get("/check-targets").await;
    let checks = mine["items"].as_array().expect("checks");
    assert!(checks.iter().any(|c| c["id"] == ta["id"]), "{mine}");

    // A report by someone who is not the administrator: 403, audited.
    let report =
        |t: &Value| json!({"version": version_of(t), "result": "該当バージョン未使用を確認"});
    let path = |t: &Value| format!("/check-targets/{}/report", id_of(t));
    let (s, body) = app.api("bsm").await.post(&path(&ta), report(&ta)).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    let (s, _) = ism.post(&path(&ta), report(&ta)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let denied = app.history("check_order_target", id_of(&ta)).await;
    assert_eq!(denied, ["access.denied", "access.denied"]);
    let (s, r) = app.api("im").await.post(&path(&ta), report(&ta)).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["state"], "reported");
    assert_eq!(open_deadlines(app, "check_order", id_of(&a)).await, 0);
    assert_eq!(notified(app, "ism", "check_order_reported").await, 1);
    let (s, _) = app.api("im").await.post(&path(&ta), report(&ta)).await;
    assert_eq!(s, StatusCode::CONFLICT, "once");

    // B's report is late: overdue.
    sqlx::query("UPDATE check_order_targets SET due_on = '2000-01-01' WHERE id = $1")
        .bind(id_of(&tb))
        .execute(app.st.store.pool())
        .await
        .expect("past due");
    let (_, d) = ism.get(&format!("/check-orders/{oid}")).await;
    assert_eq!(counts(&d), (json!(2), json!(1), json!(0), json!(1)));
    let (_, list) = ism.get("/check-orders").await;
    assert_eq!(list["items"][0]["id"], oid);
    assert_eq!(list["items"][0]["overdue"], 1);
    let (s, _) = app.api("im").await.get("/check-orders").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, html) = app
        .browser("ism")
        .await
        .get(&format!("/check-orders/{oid}"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"progress-overdue\">1<"), "{html}");
    assert!(html.contains("id=\"progress-reported\">1<"));
}
