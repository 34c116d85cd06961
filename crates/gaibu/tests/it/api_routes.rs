//! The API document tells the truth about the router: every route the router serves under
//! `/api/v1/` is in `/api/openapi.json` with exactly the methods it answers.
//!
//! Routes are registered together with their operations (`utoipa_axum::routes!`), so the
//! document is built from the router's own list. This test walks the served router from the
//! outside: each documented path and method must reach a handler (not the unknown-route or
//! wrong-method answer), every other method on that path must be a JSON 405 whose `Allow`
//! lists exactly the documented methods, and no API route may be added to the router without
//! its operation (a plain `.route(` under `/api/`).

use crate::harness::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeSet;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

pub async fn every_api_route_is_in_the_document(app: &TestApp) {
    let http = reqwest::Client::new();
    let doc: Value = app.openapi().await;
    let paths = doc["paths"].as_object().expect("paths");
    assert!(
        paths.len() > 40,
        "the document lists the API: {}",
        paths.len()
    );
    let api = app.api("im").await;

    for (path, item) in paths {
        assert!(path.starts_with("/api/v1/"), "{path}");
        let documented: BTreeSet<&str> = METHODS
            .iter()
            .copied()
            .filter(|m| item.get(*m).is_some())
            .collect();
        assert!(!documented.is_empty(), "{path} has no operation");
        let concrete = path
            .replace("{id}", "1")
            .replace("{token}", "999999")
            .replace("{kind}", "ledger");
        assert!(!concrete.contains('{'), "unexpected parameter in {path}");
        for m in METHODS {
            let method = Method::from_bytes(m.to_uppercase().as_bytes()).expect("method");
            let res = http
                .request(method, format!("{}{concrete}", app.base))
                .bearer_auth(&api.token)
                .json(&json!({}))
                .send()
                .await
                .expect("request");
            let status = res.status();
            let allow = res
                .headers()
                .get("allow")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_ascii_lowercase();
            let body: Value = res.json().await.unwrap_or(Value::Null);
            let code = body["error"]["code"].as_str().unwrap_or("");
            if documented.contains(m) {
                assert_ne!(
                    code, "route_not_found",
                    "{m} {path}: documented, not routed"
                );
                assert_ne!(
                    status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{m} {path}: documented, not routed"
                );
                if let Some(op) = item.get(m) {
                    let responses = op["responses"].as_object().expect("responses");
                    assert!(
                        responses.contains_key(status.as_str()),
                        "{m} {path}: answered {status} ({code}), not in the document"
                    );
                }
            } else {
                assert_eq!(
                    (status, code),
                    (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
                    "{m} {path}: the router serves a method the document does not list"
                );
                let allowed: BTreeSet<&str> = allow
                    .split(',')
                    .map(str::trim)
                    .filter(|a| !a.is_empty() && *a != "head")
                    .collect();
                assert_eq!(
                    allowed, documented,
                    "{path}: Allow differs from the document"
                );
            }
        }
    }

    // An unknown path under /api/ is a JSON 404 of its own.
    let (s, body) = api.get("/no-such-thing").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "route_not_found");
    assert!(body["error"]["message"]["en"].is_string());
}

/// Every API route goes through `routes!` (with its operation): no plain `.route(` adds an
/// `/api/` path anywhere, and the API modules use `.route(` only for the document itself and
/// the unknown-path answer.
pub async fn api_routes_are_registered_with_their_operations(_app: &TestApp) {
    let web = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web");
    let mut files = vec![];
    let mut dirs = vec![web];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }
    let mut api_route_calls = 0;
    for f in files {
        let text = std::fs::read_to_string(&f).expect("source");
        if f.components().any(|c| c.as_os_str() == "api") {
            api_route_calls += text.matches(".route(").count();
        }
        let mut previous = "";
        for (n, line) in text.lines().enumerate() {
            let routing = line.contains(".route(") || previous.trim_end().ends_with(".route(");
            let known = line.contains("\"/api/openapi.json\"") || line.contains("\"/api/{*rest}\"");
            assert!(
                !(routing && line.contains("\"/api/")) || known,
                "{}:{}: API routes are added with `.routes(routes!(…))` so that they are documented: {line}",
                f.display(),
                n + 1
            );
            previous = line;
        }
    }
    // The document itself and the unknown-path answer.
    assert_eq!(
        api_route_calls, 2,
        "a plain `.route(` in web/api adds an undocumented route"
    );
}
