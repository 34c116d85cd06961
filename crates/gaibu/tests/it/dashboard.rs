//! The ISM's and the CISO's dashboard (counts from aggregate queries, scoped to the reader's
//! units, each number a link to the list behind it) and each service's timeline, paged.

use crate::flows::{checked_class1, prepared, submitted_and_approved};
use crate::harness::{Api, TestApp, id_of, version_of};
use crate::measures::{built_service, into_operation};
use gaibu::people::{RoleInput, UserInput};
use gaibu_store::Who;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Row;

/// A class-1 service of `login` (an Information Manager), approved by them and 稼働中.
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

/// A new person in `org` holding `role` over `role_org`.
async fn person(app: &TestApp, login: &str, org: &str, role: &str, role_org: &str) {
    let sys = Who::system();
    let input = UserInput {
        login: login.into(),
        display_name: login.into(),
        email: format!("{login}@city.example.lg.jp"),
        org_unit: org.into(),
        position: "課長".into(),
        lang: "ja".into(),
        password: crate::harness::STRONG_TEST_PASSWORD.into(),
    };
    let (u, _) = gaibu::people::create_user(&app.st, &sys, &input)
        .await
        .expect("user");
    let r = RoleInput {
        role: role.into(),
        org_unit: role_org.into(),
    };
    gaibu::people::assign_role(&app.st, &sys, u.id, &r)
        .await
        .expect("role");
}

async fn unit_id(app: &TestApp, code: &str) -> i64 {
    let units = app.st.store.org_units().await.expect("units");
    units
        .iter()
        .find(|u| u.code == code)
        .unwrap_or_else(|| panic!("no unit {code}"))
        .id
}

async fn dashboard(c: &Api) -> Value {
    let (s, d) = c.get("/dashboard").await;
    assert_eq!(s, StatusCode::OK, "{d}");
    d
}

/// The count of the figure with `key` in the list `d[list]`.
fn count(d: &Value, list: &str, key: &str) -> i64 {
    d[list]
        .as_array()
        .unwrap_or_else(|| panic!("no {list} in {d}"))
        .iter()
        .find(|f| f["key"] == key)
        .and_then(|f| f["count"].as_i64())
        .unwrap_or_else(|| panic!("no {key} in {list}: {d}"))
}

fn unit_count(d: &Value, unit: i64) -> i64 {
    d["by_org_unit"]
        .as_array()
        .expect("by unit")
        .iter()
        .find(|u| u["org_unit_id"] == unit)
        .and_then(|u| u["count"].as_i64())
        .unwrap_or(0)
}

fn total(d: &Value) -> i64 {
    d["services_total"]["count"].as_i64().expect("total")
}

async fn scalar(app: &TestApp, sql: &str, today: &str) -> i64 {
    let row = sqlx::query(sql)
        .bind(today)
        .fetch_one(app.st.store.pool())
        .await
        .expect("query");
    row.try_get::<i64, _>(0).expect("count")
}

/// Every (href, count) figure in the dashboard's JSON.
fn figures_of(v: &Value, out: &mut Vec<(String, i64)>) {
    match v {
        Value::Object(m) => {
            if let (Some(h), Some(n)) = (
                m.get("href").and_then(Value::as_str),
                m.get("count").and_then(Value::as_i64),
            ) {
                out.push((h.to_string(), n));
            }
            m.values().for_each(|x| figures_of(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| figures_of(x, out)),
        _ => {}
    }
}

/// Whether `href` is a list URL of the shared contract (path and filter parameters).
fn contract_link(href: &str) -> bool {
    let (path, query) = href.split_once('?').unwrap_or((href, ""));
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).expect("query");
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let only = |allowed: &[&str]| pairs.iter().all(|(k, _)| allowed.contains(&k.as_str()));
    let unit_ok = get("org_unit").is_none_or(|v| v.parse::<i64>().is_ok());
    match path {
        "/services" => {
            only(&[
                "classification",
                "status",
                "org_unit",
                "certificate",
                "check",
                "recheck",
                "action",
                "ismap",
            ]) && unit_ok
                && get("status").is_none_or(|s| {
                    [
                        "building",
                        "in_operation",
                        "suspended",
                        "retired",
                        "unregistered",
                    ]
                    .contains(&s)
                })
                && get("certificate").is_none_or(|c| c == "expiring")
                && get("check").is_none_or(|c| c == "due_soon" || c == "overdue")
                && get("recheck").is_none_or(|c| c == "open" || c == "overdue")
                && get("action").is_none_or(|c| c == "open" || c == "overdue")
                && get("ismap").is_none_or(|c| c == "flagged")
                && get("classification").is_none_or(|c| !c.is_empty())
        }
        "/checks" => only(&["due"]) && matches!(get("due"), Some("soon" | "overdue")),
        "/rechecks" => {
            (only(&["state", "due"])
                && get("state") == Some("open")
                && get("due").is_none_or(|d| d == "overdue"))
                || (only(&["actions"]) && get("actions") == Some("open"))
        }
        "/applications" => {
            only(&["state", "org_unit"]) && get("state") == Some("submitted") && unit_ok
        }
        _ => false,
    }
}

/// An attribute's text with its character references decoded (`&amp;`, `&#38;`, `&#x26;`).
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let Some(end) = after.find(';') else {
            out.push_str(&rest[i..]);
            return out;
        };
        let entity = &after[..end];
        let c = match entity {
            "amp" => Some('&'),
            "quot" => Some('"'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            e if e.starts_with("#x") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match c {
            Some(c) => out.push(c),
            None => out.push_str(&rest[i..i + 2 + end]),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Every `href` in the page's content (after the menu), decoded.
fn content_links(html: &str) -> Vec<String> {
    let main = html.split("<main").nth(1).expect("main");
    main.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(unescape)
        .collect()
}

// clause: S6.1, S6.2, S3.6-3 — the ISM's and the CISO's dashboard counts the services by
// classification, status and org unit, the checks and re-checks due and overdue, the
// corrective actions open, the certificates expiring and the applications waiting, each
// number a link to its list; an ISM sees their units only, anyone else is refused
pub async fn dashboard_counts_and_links(app: &TestApp) {
    let ciso = app.api("ciso").await;
    let ism = app.api("ism").await;
    let im = app.api("im").await;
    let b0 = dashboard(&ciso).await;
    let i0 = dashboard(&ism).await;
    let reg = unit_id(app, "CIT-REG").await;
    let cit = unit_id(app, "CIT").await;
    let ga = unit_id(app, "GA").await;

    // Not the ISM nor the CISO: refused, and audited; no menu entry.
    let (s, body) = im.get("/dashboard").await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "ism_or_ciso_required");
    let denied = scalar(
        app,
        "SELECT COUNT(*) FROM audit_events WHERE action = 'access.denied' AND after_json LIKE $1",
        "%dashboard.view%",
    )
    .await;
    assert!(denied >= 1, "the refusal is audited");
    let page = app.browser("im").await;
    let (s, _) = page.get("/dashboard").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, home) = page.get("/").await;
    assert!(!home.contains("id=\"nav-dashboard\""), "no menu entry");
    let (_, home) = app.browser("ism").await.get("/").await;
    assert!(home.contains("id=\"nav-dashboard\""), "the ISM's menu");

    // A small city: a class-2 service in operation (its periodic check due in a year), a
    // class-2 service approved but not in the ledger, a class-1 service in operation, and a
    // class-2 application waiting for the ISM.
    let p = built_service(app, "点検のあるサービス", "1").await;
    let pid = id_of(&p);
    into_operation(app, "im", pid).await;
    let (id, v) = prepared(app, "im", "台帳未登録のサービス").await;
    submitted_and_approved(app, "im", id, v).await;
    class1_in_operation(app, "im", "一類のサービス").await;
    let (id, v) = prepared(app, "im", "審査待ちの申請").await;
    let (s, a) = im.submit(id, v).await;
    assert_eq!(s, StatusCode::OK, "{a}");

    // A re-check left open, and one judged not compliant with its corrective action open.
    let today = app.st.today();
    let ev =
        |d: &str| json!({"kind": "incident", "description": d, "occurred_on": today.to_string()});
    let (s, r) = im
        .post(&format!("/services/{pid}/events"), ev("不審なログイン"))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let (s, r) = im
        .post(&format!("/services/{pid}/events"), ev("設定の誤り"))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let rid = id_of(&r);
    let mut answers = app
        .met_answers_for(gaibu_domain::classification::Track::Class2Plus)
        .await;
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
    answers[&blocking] = json!({"value": "no", "comment": "満たさない"});
    let (s, d) = im
        .put(
            &format!("/rechecks/{rid}"),
            json!({"version": version_of(&r), "answers": answers,
                   "judgement": "not_compliant", "reason": "要件を満たさない"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let owner = app.user_id("bsm").await.to_string();
    let due = today
        .checked_add(jiff::Span::new().days(14))
        .expect("date")
        .to_string();
    let (s, act) = im
        .post(
            &format!("/rechecks/{rid}/corrective-action"),
            json!({"owner": owner, "due_on": due, "plan": "設定を見直す"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{act}");

    let b1 = dashboard(&ciso).await;
    assert_eq!(total(&b1), total(&b0) + 3, "{b1}");
    assert_eq!(
        count(&b1, "by_classification", "2"),
        count(&b0, "by_classification", "2") + 2
    );
    assert_eq!(
        count(&b1, "by_classification", "1"),
        count(&b0, "by_classification", "1") + 1
    );
    assert_eq!(
        count(&b1, "by_status", "in_operation"),
        count(&b0, "by_status", "in_operation") + 2
    );
    assert_eq!(
        count(&b1, "by_status", "unregistered"),
        count(&b0, "by_status", "unregistered") + 1
    );
    assert_eq!(unit_count(&b1, reg), unit_count(&b0, reg) + 3);
    assert_eq!(unit_count(&b1, cit), unit_count(&b0, cit) + 3, "subtree");
    assert_eq!(
        count(&b1, "rechecks", "open"),
        count(&b0, "rechecks", "open") + 1
    );
    assert_eq!(
        count(&b1, "corrective_actions", "open"),
        count(&b0, "corrective_actions", "open") + 1
    );
    let waiting = |d: &Value| {
        d["applications_waiting"]["count"]
            .as_i64()
            .expect("waiting")
    };
    assert_eq!(waiting(&b1), waiting(&b0) + 1);
    // The ISM over the citizens' bureau sees the same here: every service is theirs.
    let i1 = dashboard(&ism).await;
    assert_eq!(total(&i1), total(&i0) + 3);
    assert_eq!(i1["org_unit"], cit, "one unit: the links carry it");
    assert_eq!(
        i1["services_total"]["href"],
        format!("/services?org_unit={cit}")
    );
    assert!(b1["org_unit"].is_null(), "the CISO: the whole city");

    // The counts against the records, a year and more later: the periodic check, the open
    // re-check and the corrective action are overdue, the application has waited a month.
    app.advance_days(400);
    let now = app.st.today().to_string();
    let b2 = dashboard(&ciso).await;
    let overdue_checks = app
        .st
        .store
        .services()
        .await
        .expect("services")
        .iter()
        .filter(|s| {
            s.ledger_status == Some(gaibu_domain::ledger::LedgerStatus::InOperation)
                && s.next_check_due.is_some_and(|d| d.to_string() < now)
        })
        .count() as i64;
    assert!(overdue_checks >= 1);
    assert_eq!(count(&b2, "checks", "overdue"), overdue_checks, "{b2}");
    let rechecks_overdue = scalar(
        app,
        "SELECT COUNT(*) FROM rechecks WHERE state = 'open' AND due_on < $1",
        &now,
    )
    .await;
    assert!(rechecks_overdue >= 1);
    assert_eq!(count(&b2, "rechecks", "overdue"), rechecks_overdue);
    let actions_overdue = scalar(
        app,
        "SELECT COUNT(*) FROM corrective_actions WHERE state = 'open' AND due_on < $1",
        &now,
    )
    .await;
    assert!(actions_overdue >= 1);
    assert_eq!(count(&b2, "corrective_actions", "overdue"), actions_overdue);
    let w = &b2["applications_waiting"];
    assert!(w["oldest_age_days"].as_i64().expect("age") >= 400, "{w}");
    assert!(w["older_than_month"].as_i64().expect("month") >= 1, "{w}");
    let status_sum: i64 = b2["by_status"]
        .as_array()
        .expect("status")
        .iter()
        .map(|f| f["count"].as_i64().expect("n"))
        .sum();
    assert_eq!(status_sum, total(&b2), "every service has one status");

    // An ISM over another bureau sees only its services; the ISM of the citizens' bureau
    // does not count them.
    person(app, "im2", "GA-ICT", "information_manager", "GA").await;
    person(app, "ism2", "GA", "information_security_manager", "GA").await;
    let ism2 = app.api("ism2").await;
    assert_eq!(total(&dashboard(&ism2).await), 0);
    class1_in_operation(app, "im2", "総務局のサービス").await;
    let g = dashboard(&ism2).await;
    assert_eq!(total(&g), 1, "{g}");
    assert_eq!(g["org_unit"], ga);
    assert_eq!(unit_count(&g, ga), 1);
    assert_eq!(unit_count(&g, reg), 0, "not another bureau's");
    assert_eq!(count(&g, "by_status", "in_operation"), 1);
    assert_eq!(
        total(&dashboard(&ism).await),
        total(&i1),
        "not the other ISM's"
    );
    // In the same minute as `b2`: the counts kept since then are counted again after the
    // writes (the cache is keyed by the audit trail's sequence number).
    assert_eq!(total(&dashboard(&ciso).await), total(&b2) + 1);
    // Narrowed to a unit: within the reader's units only.
    let (s, body) = ism2.get(&format!("/dashboard?org_unit={cit}")).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    let (s, narrowed) = ism.get(&format!("/dashboard?org_unit={reg}")).await;
    assert_eq!(s, StatusCode::OK, "{narrowed}");
    assert_eq!(narrowed["org_unit"], reg);
    assert_eq!(
        narrowed["by_status"][0]["href"],
        format!("/services?status=building&org_unit={reg}")
    );
    let (s, body) = ism.get("/dashboard?org_unit=abc").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (s, body) = ism.get("/dashboard?org_unit=999999").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    // The page: SVG charts for the eye (hidden from screen readers and out of the tab order)
    // and the same numbers in tables; every link is a list URL of the contract, and it answers.
    for login in ["ciso", "ism", "ism2"] {
        let b = match login {
            "ism2" => {
                app.browser_with(login, crate::harness::STRONG_TEST_PASSWORD)
                    .await
            }
            _ => app.browser(login).await,
        };
        let (s, html) = b.get("/dashboard").await;
        assert_eq!(s, StatusCode::OK, "{login}");
        for id in ["work", "by-classification", "by-status", "by-org-unit"] {
            assert!(html.contains(&format!("<section class=\"chart card\" id=\"{id}\">")));
            assert!(html.contains(&format!("id=\"{id}-table\"")), "{id}");
        }
        assert!(html.contains("<svg class=\"bars\" aria-hidden=\"true\""));
        assert!(html.contains("tabindex=\"-1\""));
        let links = content_links(&html);
        assert!(links.len() > 20, "{links:?}");
        for href in &links {
            assert!(contract_link(href), "{login}: {href} is not a contract URL");
        }
        let mut distinct = links.clone();
        distinct.sort();
        distinct.dedup();
        for href in &distinct {
            let (s, _) = b.get(href).await;
            assert_eq!(s, StatusCode::OK, "{login}: {href}");
        }
        // Each number is the length of the list it links to (issue 8: click through).
        let api = app.api(login).await;
        let mut figures = Vec::new();
        figures_of(&dashboard(&api).await, &mut figures);
        assert!(figures.len() > 10, "{figures:?}");
        for (href, n) in &figures {
            let Some(query) = href.strip_prefix("/services?") else {
                continue;
            };
            let (s, list) = api.get(&format!("/services?{query}&limit=200")).await;
            assert_eq!(s, StatusCode::OK, "{href}: {list}");
            let len = list["items"].as_array().expect("items").len() as i64;
            assert_eq!(
                len, *n,
                "{login}: {href} lists {len}, the dashboard says {n}"
            );
        }
        if login == "ism2" {
            assert!(links.contains(&format!("/services?org_unit={ga}")));
            assert!(
                links.contains(&format!("/services?classification=1&org_unit={ga}")),
                "{links:?}"
            );
        }
    }
    let (_, json_doc) = ciso.get("/dashboard").await;
    let html = app.browser("ciso").await.get("/dashboard").await.1;
    assert!(html.contains(&format!("id=\"services-total\">{}</a>", total(&json_doc))));
}

/// The timeline's seqs page by page (`limit` per page), following `next_cursor`.
async fn all_pages(c: &Api, sid: i64, limit: Option<i64>) -> (Vec<i64>, usize) {
    let mut seqs = Vec::new();
    let mut pages = 0;
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/services/{sid}/history?");
        if let Some(l) = limit {
            path.push_str(&format!("limit={l}&"));
        }
        if let Some(c) = &cursor {
            path.push_str(&format!("cursor={c}"));
        }
        let (s, page) = c.get(&path).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        pages += 1;
        let items = page["items"].as_array().expect("items");
        if let Some(l) = limit {
            assert!(items.len() as i64 <= l);
        }
        seqs.extend(items.iter().map(|e| e["seq"].as_i64().expect("seq")));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
        assert!(pages < 100, "the cursor moves on");
    }
    (seqs, pages)
}

// clause: S5.2.2-4, S7.2 — a service's page shows its whole timeline from the audit trail
// (the application's events and the service's), newest first, a page at a time
pub async fn service_timeline_is_paged(app: &TestApp) {
    let im = app.api("im").await;
    let svc = class1_in_operation(app, "im", "履歴の長いサービス").await;
    let sid = id_of(&svc);
    let org = svc["org_unit_id"].as_i64().expect("org");
    for i in 0..55 {
        let (s, body) = im
            .post(
                &format!("/services/{sid}/accounts"),
                json!({"account_id": format!("shared-{i}@city.example.lg.jp"), "kind": "shared",
                       "holder_org_unit": org, "holder_position": "係長",
                       "created_on": "2026-12-01", "purpose": "運用"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
    }

    // What the audit trail holds for it: its own events and its application's.
    let rows = sqlx::query(
        "SELECT seq FROM audit_events WHERE service_id = $1 \
         OR (entity = 'application' AND entity_id = $2) ORDER BY seq DESC",
    )
    .bind(sid)
    .bind(svc["application_id"].as_i64().expect("application"))
    .fetch_all(app.st.store.pool())
    .await
    .expect("audit");
    let expected: Vec<i64> = rows.iter().map(|r| r.get::<i64, _>("seq")).collect();
    assert!(
        expected.len() > 60,
        "more than one page: {}",
        expected.len()
    );

    // The default page is 50; following next_cursor gives every event once, newest first.
    let (first_status, first) = im.get(&format!("/services/{sid}/history")).await;
    assert_eq!(first_status, StatusCode::OK);
    assert_eq!(first["items"].as_array().expect("items").len(), 50);
    assert!(first["next_cursor"].is_string(), "{}", first["next_cursor"]);
    let (seqs, pages) = all_pages(&im, sid, None).await;
    assert_eq!(pages, expected.len().div_ceil(50));
    assert_eq!(seqs, expected, "no duplicates, no gaps, newest first");
    let (seqs, pages) = all_pages(&im, sid, Some(7)).await;
    assert_eq!(seqs, expected);
    assert_eq!(pages, expected.len().div_ceil(7));
    let actions: Vec<String> = {
        let (_, all) = im.get(&format!("/services/{sid}/history?limit=200")).await;
        all["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|e| e["action"].as_str().map(str::to_string))
            .collect()
    };
    for a in [
        "application.created",
        "service.approved",
        "ledger.registered",
        "account.registered",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
    // `before` is the same cursor; a bad one is a 400.
    let cursor = first["next_cursor"].as_str().expect("cursor");
    let (_, by_before) = im
        .get(&format!("/services/{sid}/history?before={cursor}"))
        .await;
    let (_, by_cursor) = im
        .get(&format!("/services/{sid}/history?cursor={cursor}"))
        .await;
    assert_eq!(by_before, by_cursor);
    let (s, body) = im.get(&format!("/services/{sid}/history?cursor=x")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "malformed_query");

    // The page: 50 rows and a "more" link that works without script; htmx gets rows only.
    let b = app.browser("staff").await;
    let (s, html) = b.get(&format!("/services/{sid}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(html.matches("<tr id=\"event-").count(), 50);
    assert!(html.contains(&format!("id=\"event-{}\"", expected[0])));
    let more = format!("/services/{sid}?before={}", expected[49]);
    assert!(
        html.contains(&format!("href=\"{more}#timeline\"")),
        "more link"
    );
    let (s, older) = b.get(&more).await;
    assert_eq!(s, StatusCode::OK);
    assert!(older.contains(&format!("id=\"event-{}\"", expected[50])));
    assert!(!older.contains(&format!("id=\"event-{}\"", expected[49])));
    assert!(older.contains("id=\"timeline-newest\""));
    let (s, rows) = b
        .get(&format!("/services/{sid}/timeline?before={}", expected[49]))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(rows.trim_start().starts_with("<tr"), "{rows}");
    assert_eq!(
        rows.matches("<tr id=\"event-").count(),
        (expected.len() - 50).min(50)
    );
    let (s, _) = b.get(&format!("/services/{sid}?before=abc")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}
