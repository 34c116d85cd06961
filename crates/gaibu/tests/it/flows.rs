//! Steps and flows that several scenarios take: an application's steps through the API, a
//! class-2 application made ready and decided, form posts of owned pairs, file uploads, the
//! current version of a row. Each returns what the scenario asserts on, and asserts only what
//! the step itself must do for the scenario to go on.

use crate::harness::{Api, Browser, TestApp, application_json, id_of, version_of};
use gaibu_domain::classification::Track;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

/// A complete class-2+ evaluation (S3.2a–g); terms marked unchangeable, no judgement yet.
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

/// `base` with each field of `changes` set over it.
pub fn with(mut base: Value, changes: Value) -> Value {
    for (k, v) in changes.as_object().expect("changes").clone() {
        base[k] = v;
    }
    base
}

/// The steps of an application through the API, each answering (status, body).
impl Api {
    pub async fn create_application(&self, name: &str, conf: &str) -> (StatusCode, Value) {
        self.post("/applications", application_json(name, conf))
            .await
    }

    pub async fn self_check(&self, id: i64, version: i64, answers: Value) -> (StatusCode, Value) {
        let body = json!({"version": version, "answers": answers});
        self.put(&format!("/applications/{id}/self-check"), body)
            .await
    }

    /// The evaluation of [`evaluation_json`] with `changes` over it.
    pub async fn evaluate(&self, id: i64, version: i64, changes: Value) -> (StatusCode, Value) {
        let body = with(
            with(evaluation_json(), changes),
            json!({"version": version}),
        );
        self.put(&format!("/applications/{id}/evaluation"), body)
            .await
    }

    pub async fn not_procured(&self, id: i64, version: i64) -> (StatusCode, Value) {
        let path = format!("/applications/{id}/procurement");
        let body = json!({"version": version, "procured": "no"});
        self.put(&path, body).await
    }

    /// Posts `{"version": version}` with `more` beside it.
    async fn post_versioned(&self, path: &str, version: i64, more: Value) -> (StatusCode, Value) {
        self.post(path, with(json!({"version": version}), more))
            .await
    }

    pub async fn submit(&self, id: i64, version: i64) -> (StatusCode, Value) {
        let path = format!("/applications/{id}/submit");
        self.post_versioned(&path, version, json!({})).await
    }

    pub async fn approve(&self, id: i64, version: i64) -> (StatusCode, Value) {
        let path = format!("/applications/{id}/approve");
        self.post_versioned(&path, version, json!({})).await
    }

    /// The ISM's decision: `decision` with `more` (reason, comments) beside it.
    pub async fn decide(
        &self,
        id: i64,
        v: i64,
        decision: &str,
        more: Value,
    ) -> (StatusCode, Value) {
        let path = format!("/applications/{id}/decision");
        let more = with(json!({"decision": decision}), more);
        self.post_versioned(&path, v, more).await
    }

    /// Registers a service in the ledger.
    pub async fn register(&self, sid: i64, v: i64, name: &str, on: &str) -> (StatusCode, Value) {
        let path = format!("/services/{sid}/ledger");
        let more = json!({"system_name": name, "registered_on": on});
        self.post_versioned(&path, v, more).await
    }

    /// Uploads a file as multipart (`file` and the text `fields`) to an API path.
    pub async fn upload(
        &self,
        path: &str,
        file: Part,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let url = format!("{}/api/v1{path}", self.base);
        send_file(self.http.post(url).bearer_auth(&self.token), file, fields).await
    }
}

/// Owned pairs (built from answers, an evaluation, …) as a form takes them.
pub fn refs(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    pairs
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect()
}

impl Browser {
    /// Posts `pairs` and the application's current version to `/applications/{id}/{step}`.
    pub async fn post_step(
        &self,
        app: &TestApp,
        id: i64,
        step: &str,
        pairs: &[(&str, &str)],
    ) -> (StatusCode, String, String) {
        let version = app.application_version(id).await;
        let mut all = pairs.to_vec();
        all.push(("version", &version));
        self.post(&format!("/applications/{id}/{step}"), &all).await
    }

    /// Sends JSON to the API with the session and its CSRF header.
    pub async fn api_send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        let res = self
            .http
            .request(method, format!("{}/api/v1{path}", self.base))
            .header("x-csrf-token", &self.csrf)
            .json(&body)
            .send()
            .await
            .expect("send");
        let s = res.status();
        (s, res.json::<Value>().await.unwrap_or_default())
    }

    /// Uploads a file as multipart to an API path with the session and its CSRF header.
    pub async fn api_upload(
        &self,
        path: &str,
        file: Part,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let url = format!("{}/api/v1{path}", self.base);
        let req = self.http.post(url).header("x-csrf-token", &self.csrf);
        send_file(req, file, fields).await
    }
}

/// A file to upload.
pub fn file(bytes: &[u8], name: &str, mime: &str) -> Part {
    Part::bytes(bytes.to_vec())
        .file_name(name.to_string())
        .mime_str(mime)
        .expect("mime")
}

/// Sends `file` and the text `fields` as a multipart form.
pub async fn send_file(
    req: reqwest::RequestBuilder,
    file: Part,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let form = fields
        .iter()
        .fold(Form::new().part("file", file), |f, (k, v)| {
            f.text(k.to_string(), v.to_string())
        });
    req.multipart(form).send().await.expect("upload")
}

/// The self-check form's pairs for sheet answers (`answer.KEY` = value), with the reason why
/// no evidence is attached (`evidence_reason.KEY`) where the answers give one.
pub fn answer_pairs(answers: &Value) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for (k, v) in answers.as_object().expect("answers") {
        let value = v["value"].as_str().unwrap_or("").to_string();
        pairs.push((format!("answer.{k}"), value));
        if let Some(r) = v["evidence_reason"].as_str().filter(|r| !r.is_empty()) {
            pairs.push((format!("evidence_reason.{k}"), r.to_string()));
        }
    }
    pairs
}

impl TestApp {
    /// An application as it is in the database.
    pub async fn application_row(&self, id: i64) -> gaibu_store::ApplicationRow {
        let row = self.st.store.application(id).await.expect("db");
        row.unwrap_or_else(|| panic!("no application {id}"))
    }

    /// An application's version as a form field carries it.
    pub async fn application_version(&self, id: i64) -> String {
        self.application_row(id).await.version.to_string()
    }

    /// A service's version as a form field carries it.
    pub async fn service_version(&self, sid: i64) -> String {
        let row = self.st.store.service(sid).await.expect("db");
        row.expect("service").version.to_string()
    }

    /// The actions recorded for an entity, oldest first.
    pub async fn history(&self, entity: &str, id: i64) -> Vec<String> {
        let events = self
            .st
            .store
            .entity_history(entity, id)
            .await
            .expect("history");
        events.into_iter().map(|e| e.action).collect()
    }
}

/// A class-2 application with its sheet met, ready to submit. Returns (id, version).
pub async fn prepared(app: &TestApp, login: &str, name: &str) -> (i64, i64) {
    let c = app.api(login).await;
    let (s, a) = c.create_application(name, "2").await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    assert_eq!(a["track"], "class2plus");
    let id = id_of(&a);
    // The items that expect evidence say why no file is attached (S3.2c); scenarios that
    // attach files do so themselves.
    let answers = app.met_answers_for(Track::Class2Plus).await;
    let (s, a) = c.self_check(id, version_of(&a), answers).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let judged = json!({"tos_acceptability": "個人番号を扱わず、規約の条件は受容可能"});
    let (s, a) = c.evaluate(id, version_of(&a), judged).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let (s, a) = c.not_procured(id, version_of(&a)).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    (id, version_of(&a))
}

/// Submits an application as `login` and has the demo ISM approve it. Returns the
/// submitted application and the decision's answer (`application`, `service`).
pub async fn submitted_and_approved(
    app: &TestApp,
    login: &str,
    id: i64,
    version: i64,
) -> (Value, Value) {
    let (s, a) = app.api(login).await.submit(id, version).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let (s, r) = app
        .api("ism")
        .await
        .decide(id, version_of(&a), "approve", json!({}))
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    (a, r)
}

/// The string `field` of each element of a JSON array (an error's items, a history's actions).
pub fn each<'a>(list: &'a Value, field: &str) -> Vec<&'a str> {
    // A paged list answers `{items, next_cursor}`.
    let list = list
        .get("items")
        .unwrap_or(list)
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"));
    list.iter().filter_map(|e| e[field].as_str()).collect()
}

/// Whether an error names an item with this code.
pub fn has_item(body: &Value, code: &str) -> bool {
    let items = body["error"]["items"].as_array().expect("items");
    items.iter().any(|i| i["code"] == code)
}

/// A class-1 application with its sheet met, as `login`. Returns (id, the self-checked body).
pub async fn checked_class1(app: &TestApp, login: &str, name: &str) -> (i64, Value) {
    let c = app.api(login).await;
    let (_, a) = c.create_application(name, "1").await;
    let id = id_of(&a);
    let (_, a) = c
        .self_check(id, version_of(&a), app.met_answers().await)
        .await;
    // The procurement record is checked at self-approval too (S4.3a–b).
    let (_, a) = c.not_procured(id, version_of(&a)).await;
    (id, a)
}
