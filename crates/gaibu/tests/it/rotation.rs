//! The April personnel rotation (issue 11): ten administrators moved from a Shift_JIS file on
//! the System Administrator's page, every change audited, successors designated in bulk by the
//! ISM (class 2+) and the Information Manager (class 1), a leaver's accounts listed, a move
//! dated later applied by the scheduler on its day; a file with one bad row applies nothing.

use crate::harness::{Api, TestApp, application_json, id_of, version_of};
use crate::measures::built_service;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

/// A member of staff of 市民課 (CIT-REG) with a position and the Staff role there.
async fn staff(app: &TestApp, login: &str, position: &str) -> i64 {
    let who = gaibu_store::Who::system();
    let input = gaibu::people::UserInput {
        login: login.into(),
        display_name: format!("異動 {login}"),
        org_unit: "CIT-REG".into(),
        position: position.into(),
        password: crate::harness::STRONG_TEST_PASSWORD.into(),
        ..Default::default()
    };
    let (u, _) = gaibu::people::create_user(&app.st, &who, &input)
        .await
        .expect("user");
    let role = gaibu::people::RoleInput {
        role: "staff".into(),
        org_unit: "CIT-REG".into(),
    };
    gaibu::people::assign_role(&app.st, &who, u.id, &role)
        .await
        .expect("role");
    u.id
}

/// A class-1 service self-approved by the demo Information Manager.
async fn class1_service(app: &TestApp, im: &Api, name: &str) -> Value {
    let (s, a) = im.post("/applications", application_json(name, "1")).await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    let id = id_of(&a);
    let (s, a) = im
        .self_check(id, version_of(&a), app.met_answers().await)
        .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let (s, a) = im.not_procured(id, version_of(&a)).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let (s, r) = im.approve(id, version_of(&a)).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    r["service"].clone()
}

/// Makes `to` the administrator of a service, as `by` (the ISM or the IM).
async fn hand_to(app: &TestApp, by: &Api, svc: &Value, to: i64) {
    let sid = id_of(svc);
    let row = app.st.store.service(sid).await.expect("db").expect("svc");
    let (s, body) = by
        .post(
            &format!("/services/{sid}/administrator"),
            json!({"version": row.version, "administrator": to.to_string(), "reason": "担当替え"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
}

async fn audited(app: &TestApp, action: &str, entity_id: i64) -> usize {
    let entity = match action {
        "service.successor_designated" => "service",
        _ => "user",
    };
    app.history(entity, entity_id)
        .await
        .iter()
        .filter(|a| *a == action)
        .count()
}

fn sjis(text: &str) -> Vec<u8> {
    encoding_rs::SHIFT_JIS.encode(text).0.into_owned()
}

/// Posts the rotation form as the browser `b`.
async fn post_form(b: &crate::harness::Browser, f: Form) -> (StatusCode, String, String) {
    let res = b
        .http
        .post(format!("{}/admin/rotation?_csrf={}", b.base, b.csrf))
        .multipart(f)
        .send()
        .await
        .expect("post");
    let status = res.status();
    let to = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, to, res.text().await.expect("body"))
}

fn with_file(bytes: Vec<u8>, action: &str) -> Form {
    Form::new()
        .text("action", action.to_string())
        .part("file", Part::bytes(bytes).file_name("jinji.csv"))
}

// clause: S3.5.1a — the accounts a mover's or leaver's post holds are named before the move
// and a leaver's are listed until closed or handed over
// clause: S5.2.1-5h — a successor's designation updates the usage register's ク
// clause: S3.4c, S5.1.1, S5.1.2 — successors designated by the ISM (class 2+) and the IM (class 1)
pub async fn a_rotation_of_ten_administrators_applied_and_audited(app: &TestApp) {
    let mut people = Vec::new();
    for i in 1..=10 {
        let position = if i == 10 { "係長" } else { "主任" };
        people.push(staff(app, &format!("r{i:02}"), position).await);
    }
    // Eight class-1 services and two class-2 ones, each administered by one of the ten.
    let im = app.api("im").await;
    let ism_api = app.api("ism").await;
    let mut services = Vec::new();
    for i in 0..8 {
        services.push(class1_service(app, &im, &format!("異動試験{i}")).await);
    }
    for i in 8..10 {
        services.push(built_service(app, &format!("異動試験{i}"), "1").await);
    }
    // The leaver's post (市民課 係長) holds an official account of the tenth service.
    let org = services[9]["org_unit_id"].as_i64().expect("org");
    let sid9 = id_of(&services[9]);
    let (s, acct) = im
        .post(
            &format!("/services/{sid9}/accounts"),
            json!({"account_id": "rot-admin@city.example.lg.jp", "kind": "admin",
                   "holder_org_unit": org, "holder_position": "係長",
                   "created_on": "2026-12-01", "purpose": "運用"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{acct}");

    for (i, svc) in services.iter().enumerate() {
        let by = if i < 8 { &im } else { &ism_api };
        hand_to(app, by, svc, people[i]).await;
    }
    // The list: nine move to 広聴課 as 主査 today, the tenth leaves; one is dated next month.
    let today = app.st.today();
    let mut csv = String::from("職員番号,異動先所属,職名,発令日,退職\r\n");
    for i in 1..=9 {
        csv.push_str(&format!("r{i:02},広聴課,主査,{today},\r\n"));
    }
    csv.push_str(&format!("r10,,,{today},退職\r\n"));
    let later = today.checked_add(jiff::Span::new().days(30)).expect("day");
    csv.push_str(&format!("staff,CIT-PR,主事,{later},\r\n"));
    let bytes = sjis(&csv);

    let admin = app.browser("admin").await;
    let (s, _, html) = post_form(&admin, with_file(bytes.clone(), "check")).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("id=\"rotation-clean\""), "{html}");
    for svc in &services {
        let name = svc["name"].as_str().expect("name");
        assert!(html.contains(name), "the preview names {name}");
    }
    assert!(
        html.contains("rot-admin@city.example.lg.jp"),
        "the leaver's account"
    );
    assert!(html.contains("id=\"move-row-12\""), "the dated move's row");
    // Nothing is written by a check.
    let r01 = app.st.store.user(people[0]).await.expect("db").expect("u");
    assert_eq!(r01.position, "主任");

    // The API's preview of the same says the same, per move.
    let (s, p) = app
        .api("admin")
        .await
        .post(
            "/rotation/moves/preview",
            json!({"moves": [{"login": "r10", "effective_on": today.to_string(), "leaves": true}]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["clean"], true);
    let m = &p["moves"][0];
    assert_eq!(m["services"][0]["concern"], "administrator");
    assert_eq!(
        m["accounts"][0]["account_id"],
        "rot-admin@city.example.lg.jp"
    );
    assert!(m["roles_ended"].as_array().is_some_and(|r| !r.is_empty()));

    // Apply: the file as checked (kept by its hash).
    let sha = gaibu::import::sha256_hex(&bytes);
    let f = Form::new()
        .text("action", "apply")
        .text("upload", sha)
        .text("file_name", "jinji.csv");
    let (s, to, html) = post_form(&admin, f).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{html}");
    assert!(
        to.contains("applied=10") && to.contains("scheduled=1"),
        "{to}"
    );
    let units = app.st.store.org_units().await.expect("db");
    let pr = units.iter().find(|u| u.code == "CIT-PR").expect("pr").id;
    for (i, id) in people.iter().enumerate() {
        let u = app.st.store.user(*id).await.expect("db").expect("u");
        if i < 9 {
            assert_eq!((u.org_unit_id, u.position.as_str()), (pr, "主査"));
            assert_eq!(
                audited(app, "user.moved", *id).await,
                1,
                "moved and audited"
            );
            let roles = app.st.store.roles_of(*id).await.expect("db");
            assert!(
                roles.iter().all(|r| r.org_unit_id == pr),
                "staff role follows"
            );
            assert_eq!(audited(app, "role.ended", *id).await, 1);
        } else {
            assert!(!u.active, "the leaver is deactivated");
            assert_eq!(audited(app, "user.deactivated", *id).await, 1);
        }
    }
    let staff_id = app.user_id("staff").await;
    let s_row = app.st.store.user(staff_id).await.expect("db").expect("u");
    assert_ne!(s_row.org_unit_id, pr, "the dated move waits for its day");

    // Successors: the IM designates for the class-1 services; not for class 2+.
    let (s, list) = im.get("/rotation/successors").await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let listed: Vec<i64> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|v| v["id"].as_i64())
        .collect();
    for svc in &services[..8] {
        assert!(listed.contains(&id_of(svc)), "awaiting: {list}");
    }
    let bsm = app.user_id("bsm").await;
    let pick = |svcs: &[Value]| -> Vec<Value> {
        svcs.iter()
            .map(|v| {
                let id = id_of(v);
                let version = list["items"]
                    .as_array()
                    .and_then(|a| a.iter().find(|x| x["id"] == id))
                    .map(|x| x["version"].clone())
                    .unwrap_or(json!(0));
                json!({"service": id, "version": version, "administrator": bsm.to_string()})
            })
            .collect()
    };
    let body = json!({"reason": "人事異動に伴う後任", "successors": pick(&services[..8])});
    let (s, r) = im.post("/rotation/successors", body).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["designated"], 8);
    let wrong = json!({"reason": "x", "successors": [{"service": sid9, "version": 1, "administrator": bsm.to_string()}]});
    let (s, r) = im.post("/rotation/successors", wrong).await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "the IM does not designate for class 2+: {r}"
    );
    let (s, r) = app.api("staff").await.post("/rotation/successors", json!({"reason": "x", "successors": [{"service": id_of(&services[0]), "version": 1, "administrator": bsm.to_string()}]})).await;
    assert!(
        matches!(s, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{s} {r}"
    );

    // The ISM designates for the two class-2 services on the page, in one form.
    let ism = app.browser("ism").await;
    let (_, html) = ism.get("/rotation/successors").await;
    for svc in &services[8..] {
        assert!(
            html.contains(&format!("id=\"awaiting-{}\"", id_of(svc))),
            "{html}"
        );
    }
    let mut pairs: Vec<(String, String)> = vec![("reason".into(), "人事異動に伴う後任".into())];
    for (i, svc) in services[8..].iter().enumerate() {
        let row = app
            .st
            .store
            .service(id_of(svc))
            .await
            .expect("db")
            .expect("s");
        pairs.push((format!("s.{i}.service"), row.id.to_string()));
        pairs.push((format!("s.{i}.version"), row.version.to_string()));
        pairs.push((format!("s.{i}.administrator"), bsm.to_string()));
    }
    let refs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let (s, to, body) = ism.post("/rotation/successors", &refs).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
    assert!(to.contains("done=2"), "{to}");
    for svc in &services {
        let row = app
            .st
            .store
            .service(id_of(svc))
            .await
            .expect("db")
            .expect("s");
        assert_eq!(row.administrator_id, bsm);
        assert_eq!(
            audited(app, "service.successor_designated", row.id).await,
            1
        );
        if let Some(entry) = app
            .st
            .store
            .register_entry_of_service(row.id)
            .await
            .expect("db")
        {
            assert!(
                entry.administrator.contains("システム担当係長"),
                "ク: {}",
                entry.administrator
            );
        }
    }
    assert!(
        app.st
            .store
            .register_entry_of_service(sid9)
            .await
            .expect("db")
            .is_some()
    );
    let (_, list) = im.get("/rotation/successors").await;
    assert_eq!(
        list["items"].as_array().map(Vec::len),
        Some(0),
        "none left: {list}"
    );

    // The leaver's account is listed for the service's administrator, then handed over.
    let bsm_api = app.api("bsm").await;
    let (s, acc) = bsm_api.get("/rotation/leaver-accounts").await;
    assert_eq!(s, StatusCode::OK, "{acc}");
    assert_eq!(
        acc["items"][0]["account_code"],
        "rot-admin@city.example.lg.jp"
    );
    let lid = acc["items"][0]["id"].as_i64().expect("id");
    let (s, r) = app
        .api("staff")
        .await
        .post(
            &format!("/rotation/leaver-accounts/{lid}/hand-over"),
            json!({}),
        )
        .await;
    assert!(
        matches!(s, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{s} {r}"
    );
    let (s, r) = app
        .api("bsm")
        .await
        .post(
            &format!("/rotation/leaver-accounts/{lid}/hand-over"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{r}");
    let (_, acc) = bsm_api.get("/rotation/leaver-accounts").await;
    assert_eq!(acc["items"].as_array().map(Vec::len), Some(0));

    // The dated move: not before its day, then by the scheduler on it.
    app.advance_days(29);
    assert_eq!(
        gaibu::rotation::apply_due(&app.st, app.st.today())
            .await
            .expect("run"),
        0
    );
    app.advance_days(1);
    assert_eq!(
        gaibu::rotation::apply_due(&app.st, app.st.today())
            .await
            .expect("run"),
        1
    );
    let s_row = app.st.store.user(staff_id).await.expect("db").expect("u");
    assert_eq!((s_row.org_unit_id, s_row.position.as_str()), (pr, "主事"));
    assert_eq!(audited(app, "user.moved", staff_id).await, 1);
    assert_eq!(
        gaibu::rotation::apply_due(&app.st, app.st.today())
            .await
            .expect("run"),
        0,
        "once"
    );
}

// A file with one bad row applies nothing and names the row and the column.
pub async fn a_rotation_file_with_one_bad_row_applies_nothing(app: &TestApp) {
    let staff_id = app.user_id("staff").await;
    let before = app.st.store.user(staff_id).await.expect("db").expect("u");
    let today = app.st.today();
    let csv = format!(
        "職員番号,異動先所属,職名,発令日,退職\r\nstaff,CIT-PR,主事,{today},\r\nbsm,CIT-PR,主事,2026年4月31日,\r\n"
    );
    let admin = app.browser("admin").await;
    let (s, _, html) = post_form(&admin, with_file(csv.into_bytes(), "apply")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("id=\"rotation-errors\""), "{html}");
    assert!(html.contains("id=\"move-row-3\""), "row 3 named: {html}");
    assert!(html.contains("D (発令日)"), "column named: {html}");
    let after = app.st.store.user(staff_id).await.expect("db").expect("u");
    assert_eq!(after.org_unit_id, before.org_unit_id, "nothing applied");
    // The API: an unknown login refuses the whole list, naming it.
    let (s, r) = app
        .api("admin")
        .await
        .post(
            "/rotation/moves/apply",
            json!({"moves": [
                {"login": "staff", "org_unit": "CIT-PR", "position": "主事", "effective_on": today.to_string()},
                {"login": "nobody", "org_unit": "CIT-PR", "position": "主事", "effective_on": today.to_string()}
            ]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    assert_eq!(r["error"]["fields"][0]["field"], "moves[1].login");
    let after = app.st.store.user(staff_id).await.expect("db").expect("u");
    assert_eq!(after.org_unit_id, before.org_unit_id, "nothing applied");
    // Not the System Administrator's: refused.
    let (s, _) = app
        .api("ism")
        .await
        .post("/rotation/moves/preview", json!({"moves": []}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}
