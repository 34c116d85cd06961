//! The demo's April rotation (issue 11): the list `gaibu demo` writes into its data directory,
//! uploaded and applied by the demo System Administrator on `/admin/rotation`, moves its ten
//! staff; then the demo ISM (class 2+) and Information Manager (class 1) designate their
//! services' successors on `/rotation/successors` until none is left waiting.

use crate::harness::{Browser, TestApp};
use gaibu::demo::rotation::{FILE_NAME, STAFF, file};
use gaibu_domain::classification::Track;
use gaibu_domain::ledger::LedgerStatus;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use std::collections::HashMap;

/// Posts the rotation form as the System Administrator's browser.
async fn rotation_form(b: &Browser, f: Form) -> (StatusCode, String, String) {
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

/// The value of the form field `name` on a page.
fn field<'a>(html: &'a str, name: &str) -> Option<&'a str> {
    let at = format!("name=\"{name}\" value=\"");
    html.split(&at).nth(1)?.split('"').next()
}

/// Designates the successors the page lists, each as `choose` says (by the service's id), with
/// the form the page shows; answers how many rows the page had.
async fn designate(b: &Browser, choose: &HashMap<i64, i64>) -> usize {
    let (s, html) = b.get("/rotation/successors").await;
    assert_eq!(s, StatusCode::OK, "{html}");
    let mut pairs: Vec<(String, String)> =
        vec![("reason".into(), "4月1日付人事異動に伴う後任".into())];
    let mut i = 0;
    while let Some(service) = field(&html, &format!("s.{i}.service")) {
        let version = field(&html, &format!("s.{i}.version")).expect("version");
        let id: i64 = service.parse().expect("id");
        let to = choose.get(&id).unwrap_or_else(|| panic!("{id} unexpected"));
        pairs.push((format!("s.{i}.service"), service.to_string()));
        pairs.push((format!("s.{i}.version"), version.to_string()));
        pairs.push((format!("s.{i}.administrator"), to.to_string()));
        i += 1;
    }
    let refs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let (s, to, body) = b.post("/rotation/successors", &refs).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
    assert!(to.contains(&format!("done={i}")), "{to}");
    i
}

pub async fn the_demo_rotation_moves_ten_and_their_successors_are_designated(app: &TestApp) {
    let units: HashMap<String, i64> = app
        .st
        .store
        .org_units()
        .await
        .expect("db")
        .into_iter()
        .map(|u| (u.code, u.id))
        .collect();
    let services = app.st.store.services().await.expect("db");
    // Each of the ten administers one service in operation.
    let mut ids = HashMap::new();
    let mut service_of = HashMap::new();
    for p in &STAFF {
        let id = app.user_id(p.login).await;
        let theirs: Vec<_> = services
            .iter()
            .filter(|s| s.administrator_id == id)
            .collect();
        assert_eq!(theirs.len(), 1, "{} administers one service", p.login);
        let s = theirs[0];
        assert_eq!(s.name, p.service);
        assert_eq!(
            s.ledger_status,
            Some(LedgerStatus::InOperation),
            "{}",
            s.name
        );
        let track = if p.class2 {
            Track::Class2Plus
        } else {
            Track::Class1
        };
        assert_eq!(s.track, track, "{}", s.name);
        ids.insert(p.login, id);
        service_of.insert(p.login, s.id);
    }

    // The file the demo writes, as the System Administrator uploads it: checked, then applied.
    let bytes = file(app.st.today()).into_bytes();
    let admin = app.browser("admin").await;
    let f = Form::new()
        .text("action", "check")
        .part("file", Part::bytes(bytes.clone()).file_name(FILE_NAME));
    let (s, _, html) = rotation_form(&admin, f).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("id=\"rotation-clean\""), "{html}");
    for p in &STAFF {
        assert!(html.contains(p.service), "the preview names {}", p.service);
        if let Some((account, _)) = p.account {
            assert!(html.contains(account), "the preview names {account}");
        }
    }
    let f = Form::new()
        .text("action", "apply")
        .text("upload", gaibu::import::sha256_hex(&bytes))
        .text("file_name", FILE_NAME);
    let (s, to, html) = rotation_form(&admin, f).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{html}");
    assert!(
        to.contains("applied=10") && to.contains("scheduled=0"),
        "{to}"
    );

    // Ten people moved: to their new unit and post, or out of the city.
    for p in &STAFF {
        let u = app
            .st
            .store
            .user(ids[p.login])
            .await
            .expect("db")
            .expect("user");
        if p.leaves {
            assert!(!u.active, "{} left", p.login);
            continue;
        }
        let unit = if p.to_unit.is_empty() {
            p.unit
        } else {
            p.to_unit
        };
        assert_eq!(
            (u.org_unit_id, u.position.as_str()),
            (units[unit], p.to_position),
            "{} moved",
            p.login
        );
        let roles = app.st.store.roles_of(u.id).await.expect("db");
        assert!(
            roles.iter().any(|r| r.org_unit_id == units[unit]),
            "{}'s Staff role follows them",
            p.login
        );
    }

    // The leaver's post held an official account: listed to close or hand over.
    let (s, acc) = app.api("ism").await.get("/rotation/leaver-accounts").await;
    assert_eq!(s, StatusCode::OK, "{acc}");
    let leaver = STAFF.iter().find(|p| p.leaves).expect("a leaver");
    assert!(
        acc["items"].as_array().is_some_and(|a| a
            .iter()
            .any(|x| x["account_code"] == leaver.account.map_or("-", |(a, _)| a))),
        "{acc}"
    );

    // Successors: swapped posts take each other's services, those promoted in place are kept
    // in their new post, the others go to colleagues.
    let successor: HashMap<&str, i64> = [
        ("staff01", ids["staff07"]),
        ("staff02", ids["staff10"]),
        ("staff03", ids["staff03"]),
        ("staff04", app.user_id("bsm").await),
        ("staff05", app.user_id("staff").await),
        ("staff06", ids["staff06"]),
        ("staff07", ids["staff01"]),
        ("staff08", ids["staff09"]),
        ("staff09", ids["staff09"]),
        ("staff10", ids["staff01"]),
    ]
    .into();
    let choose: HashMap<i64, i64> = STAFF
        .iter()
        .map(|p| (service_of[p.login], successor[p.login]))
        .collect();
    let im = app.browser("im").await;
    assert_eq!(designate(&im, &choose).await, 6, "the IM's: class 1");
    let ism = app.browser("ism").await;
    assert_eq!(designate(&ism, &choose).await, 4, "the ISM's: class 2+");

    for p in &STAFF {
        let row = app
            .st
            .store
            .service(service_of[p.login])
            .await
            .expect("db")
            .expect("service");
        assert_eq!(row.administrator_id, successor[p.login], "{}", row.name);
        let designated = app
            .history("service", row.id)
            .await
            .iter()
            .filter(|a| *a == "service.successor_designated")
            .count();
        assert_eq!(designated, 1, "{}", row.name);
    }
    // The usage register's ク (kept for class 2+) names the successor's new post, or the new
    // post of one kept in it (S5.2.1-5h).
    for (login, post) in [
        ("staff07", "広聴課 広聴係長"),
        ("staff09", "広聴課 広報係主任"),
    ] {
        let entry = app
            .st
            .store
            .register_entry_of_service(service_of[login])
            .await
            .expect("db")
            .expect("in the register");
        assert!(
            entry.administrator.contains(post),
            "ク: {}",
            entry.administrator
        );
    }

    // None is left waiting, for anyone: the CISO sees every service's.
    for b in [&im, &ism] {
        let (_, html) = b.get("/rotation/successors").await;
        assert!(html.contains("id=\"successors-none\""), "{html}");
    }
    let (s, list) = app.api("ciso").await.get("/rotation/successors").await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert_eq!(
        list["items"].as_array().map(Vec::len),
        Some(0),
        "none left: {list}"
    );
}
