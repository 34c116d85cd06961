//! The city's directory (issue 11) against a real OpenLDAP server (`ldap.rs`): the settings
//! checked and saved, a dry run listing a new user, a leaver, a mover, changed names, a unit
//! with no match and an entry that cannot be a user; the sync applying exactly that (moves and
//! leavers as a personnel rotation) and auditing it; a second sync changing nothing; someone
//! removed from the directory becoming a leaver; a directory that cannot be reached, or that
//! refuses the bind, changing nothing and saying why.

use crate::harness::TestApp;
use crate::ldap::{BIND_PASSWORD, Slapd, free_port};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn settings() -> Value {
    json!({
        "base_dn": "o=本市",
        "user_filter": "(objectClass=inetOrgPerson)",
        "attributes": {
            "login": "uid", "display_name": "displayName", "email": "mail",
            "unit": "departmentNumber", "position": "title", "active": "employeeType"
        },
        "inactive_values": ["退職"],
        "units": [
            { "value": "情報政策課", "code": "GA-ICT" },
            { "value": "市民課", "code": "CIT-REG" }
        ]
    })
}

/// An instance of the app that reads `conn`.
async fn instance(app: &TestApp, conn: gaibu::directory::ldap::Connection) -> String {
    app.instance_with(gaibu::state::Config {
        directory: Some(conn),
        ..Default::default()
    })
    .await
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(app.st.store.pool())
        .await
        .expect("count")
}

fn logins(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|x| x["login"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// A user as the sync leaves them: (unit code, position, active, linked, has a password).
async fn user(app: &TestApp, login: &str) -> (String, String, bool, bool, bool) {
    let row: (String, String, i64, i64, Option<String>) = sqlx::query_as(
        "SELECT o.code, u.position, u.active, u.directory_linked, u.password_hash \
         FROM users u JOIN org_units o ON o.id = u.org_unit_id WHERE u.login = $1",
    )
    .bind(login)
    .fetch_one(app.st.store.pool())
    .await
    .expect("user");
    (row.0, row.1, row.2 == 1, row.3 == 1, row.4.is_some())
}

pub async fn directory_sync_against_slapd(app: &TestApp) {
    let slapd = Slapd::start();
    let base = instance(app, slapd.connection(BIND_PASSWORD)).await;
    let mut api = app.api("admin").await;
    api.base = base.clone();

    // Nothing is read before the System Administrator says where staff are.
    let (s, v) = api.post("/directory/dry-run", json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["error"]["code"], "directory_no_settings");
    let mut bad = settings();
    bad["base_dn"] = json!("本市");
    bad["units"][0]["code"] = json!("NOPE");
    let (s, v) = api.put("/directory/settings", bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let fields: Vec<&str> = v["error"]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    assert_eq!(fields, ["base_dn", "units"], "{v}");
    let (s, v) = api.put("/directory/settings", settings()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let changed = "SELECT COUNT(*) FROM audit_events WHERE action = 'setting.directory_changed'";
    assert_eq!(count(app, changed).await, 1);

    // The dry run: a new person, a mover, a leaver, changed names, and what cannot be taken.
    let (s, run) = api.post("/directory/dry-run", json!({})).await;
    assert_eq!(s, StatusCode::OK, "{run}");
    let plan = &run["plan"];
    assert_eq!(logins(&plan["creates"]), ["suzuki.hanako"], "{plan}");
    assert_eq!(plan["creates"][0]["unit_code"], "GA-ICT");
    assert_eq!(plan["creates"][0]["display_name"], "鈴木 花子");
    assert_eq!(logins(&plan["moves"]), ["staff"], "{plan}");
    assert_eq!(plan["moves"][0]["from_unit"], "CIT-REG");
    assert_eq!(plan["moves"][0]["to_unit"], "GA-ICT");
    assert_eq!(plan["moves"][0]["to_position"], "主任");
    assert_eq!(logins(&plan["leavers"]), ["bsm"], "{plan}");
    assert_eq!(plan["leavers"][0]["reason"], "marked_inactive");
    assert_eq!(logins(&plan["updates"]), ["im", "ism", "staff"], "{plan}");
    assert_eq!(plan["updates"][1]["display_name"][1], "安全 管理子");
    assert_eq!(plan["unknown_units"][0]["value"], "謎の課");
    assert_eq!(plan["unknown_units"][0]["logins"], json!(["yamada.taro"]));
    assert_eq!(plan["problems"][0]["login"], "nanashi");
    assert_eq!(plan["problems"][0]["code"], "directory_no_name");
    assert_eq!(run["clean"], true, "{run}");
    // Untouched: those gaibu alone knows (the administrator, the CISO …).
    assert!(!plan.to_string().contains("\"ciso\""));

    // The same on the System Administrator's page, in Japanese.
    let mut b = app.browser("admin").await;
    b.base = base.clone();
    let (s, page) = b.get("/admin/directory").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("value=\"o=本市\""), "{page}");
    let (s, _, page) = b.post("/admin/directory/check", &[]).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    for needle in [
        "id=\"run-creates\"",
        "suzuki.hanako",
        "情報政策課 (GA-ICT) 主任",
        "id=\"run-leavers\"",
        "ディレクトリで退職",
        "謎の課",
        "id=\"sync-form\"",
    ] {
        assert!(page.contains(needle), "{needle} not on the page");
    }

    // A sync of changes other than those shown is refused, and writes nothing.
    let events = "SELECT COUNT(*) FROM audit_events";
    let before = count(app, events).await;
    let (s, v) = api
        .post("/directory/sync", json!({ "expect": "not-the-dry-run" }))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["error"]["code"], "directory_changed");
    assert_eq!(count(app, events).await, before);

    // The sync of what was shown.
    let fingerprint = run["fingerprint"].clone();
    let (s, done) = api
        .post("/directory/sync", json!({ "expect": fingerprint }))
        .await;
    assert_eq!(s, StatusCode::OK, "{done}");
    assert_eq!(done["created"], 1);
    assert_eq!(done["updated"], 3);
    assert_eq!(done["moved"], 1);
    assert_eq!(done["deactivated"], 1);
    assert!(done["rotation_batch"].is_i64(), "{done}");
    let new = user(app, "suzuki.hanako").await;
    assert_eq!(new, ("GA-ICT".into(), "主事".into(), true, true, false));
    let moved = user(app, "staff").await;
    assert_eq!(moved, ("GA-ICT".into(), "主任".into(), true, true, true));
    assert!(!user(app, "bsm").await.2, "the leaver is deactivated");
    assert!(user(app, "im").await.3, "a matched user is linked");
    let ism: (String, String) =
        sqlx::query_as("SELECT display_name, email FROM users WHERE login = 'ism'")
            .fetch_one(app.st.store.pool())
            .await
            .expect("ism");
    assert_eq!(ism, ("安全 管理子".into(), "ism@city.example.jp".into()));
    // The mover's Staff role follows them; every change is in the audit trail.
    let staff_roles: Vec<(String, String)> = sqlx::query_as(
        "SELECT r.role, o.code FROM role_assignments r JOIN org_units o ON o.id = r.org_unit_id \
         WHERE r.user_id = (SELECT id FROM users WHERE login = 'staff')",
    )
    .fetch_all(app.st.store.pool())
    .await
    .expect("roles");
    assert_eq!(staff_roles, [("staff".to_string(), "GA-ICT".to_string())]);
    for (action, n) in [
        ("user.created", 1),
        ("user.directory_updated", 3),
        ("user.deactivated", 1),
        ("directory.synced", 1),
    ] {
        let sql = format!(
            "SELECT COUNT(*) FROM audit_events WHERE action = '{action}' AND seq > {before}"
        );
        assert_eq!(count(app, &sql).await, n, "{action}");
    }
    let summary: String =
        sqlx::query_scalar("SELECT after_json FROM audit_events WHERE action = 'directory.synced'")
            .fetch_one(app.st.store.pool())
            .await
            .expect("summary");
    assert!(
        summary.contains("suzuki.hanako") && summary.contains("bsm"),
        "{summary}"
    );
    let moved_events =
        format!("SELECT COUNT(*) FROM audit_events WHERE action = 'user.moved' AND seq > {before}");
    assert_eq!(count(app, &moved_events).await, 1);

    // Again: nothing to change, nothing written.
    let (s, again) = api.post("/directory/dry-run", json!({})).await;
    assert_eq!(s, StatusCode::OK, "{again}");
    for list in ["creates", "updates", "moves", "leavers"] {
        assert_eq!(again["plan"][list], json!([]), "{list}: {again}");
    }
    let after = count(app, events).await;
    let (s, done) = api.post("/directory/sync", json!({})).await;
    assert_eq!(s, StatusCode::OK, "{done}");
    assert_eq!(done["created"], 0);
    assert_eq!(done["deactivated"], 0);
    assert_eq!(
        count(app, events).await,
        after,
        "a sync with nothing to do writes nothing"
    );

    // Someone gone from the directory is a leaver.
    slapd.delete("uid=im,ou=市民課,ou=市民局,o=本市").await;
    let (s, run) = api.post("/directory/dry-run", json!({})).await;
    assert_eq!(s, StatusCode::OK, "{run}");
    assert_eq!(logins(&run["plan"]["leavers"]), ["im"]);
    assert_eq!(run["plan"]["leavers"][0]["reason"], "absent");

    // A wrong bind password: refused, with the directory's words, nothing changed.
    let wrong = instance(app, slapd.connection("wrong-password")).await;
    api.base = wrong;
    let (s, v) = api.post("/directory/sync", json!({})).await;
    assert_eq!(s, StatusCode::BAD_GATEWAY, "{v}");
    assert_eq!(v["error"]["code"], "directory_bind_refused");
    assert!(
        v["error"]["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{v}"
    );
    assert_eq!(count(app, events).await, after);
    assert!(user(app, "im").await.2, "still active");
}

pub async fn an_unreachable_directory_changes_nothing(app: &TestApp) {
    let mut api = app.api("admin").await;
    // A server without a directory says so.
    let (s, v) = api.post("/directory/dry-run", json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["error"]["code"], "directory_not_configured");

    let (s, v) = api.put("/directory/settings", settings()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // Nobody listens on this port.
    let closed = gaibu::directory::ldap::Connection {
        url: format!("ldap://127.0.0.1:{}", free_port()),
        bind_dn: crate::ldap::BIND_DN.into(),
        bind_password: BIND_PASSWORD.into(),
        starttls: false,
        timeout: std::time::Duration::from_secs(2),
    };
    let base = instance(app, closed).await;
    api.base = base.clone();
    // Signed in first: a sign-in is an audit event of its own.
    let mut b = app.browser("admin").await;
    b.base = base;
    let users = "SELECT COUNT(*) FROM users WHERE active = 1";
    let events = "SELECT COUNT(*) FROM audit_events";
    let (n_users, n_events) = (count(app, users).await, count(app, events).await);
    for path in ["/directory/dry-run", "/directory/sync"] {
        let (s, v) = api.post(path, json!({})).await;
        assert_eq!(s, StatusCode::BAD_GATEWAY, "{path}: {v}");
        assert_eq!(v["error"]["code"], "directory_unreachable");
        assert!(
            v["error"]["message"]["ja"]
                .as_str()
                .is_some_and(|m| m.contains("何も変更していません")),
            "{v}"
        );
        let detail = v["error"]["detail"].as_str().unwrap_or("");
        assert!(detail.contains("127.0.0.1"), "says where: {v}");
    }
    let (s, _, page) = b.post("/admin/directory/check", &[]).await;
    assert_eq!(s, StatusCode::BAD_GATEWAY, "{page}");
    assert!(page.contains("id=\"directory-failure\""), "{page}");
    assert!(
        page.contains("ディレクトリに接続できませんでした"),
        "{page}"
    );
    assert!(!page.contains("id=\"sync-form\""));
    assert_eq!(count(app, users).await, n_users);
    assert_eq!(count(app, events).await, n_events);
}
