//! Starts the real app: a fresh database (an SQLite file, or a new PostgreSQL database per
//! test), the demo organisation and users, and an HTTP server on port 0.

use gaibu::state::{AppState, Config};
use reqwest::StatusCode;
use serde_json::Value;
use std::sync::atomic::{AtomicU32, Ordering};

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Db {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base: String,
    pub st: AppState,
    pub db_url: String,
    admin_url: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
    _evidence: tempfile::TempDir,
    /// Minutes added to the real clock: tests move "now" with `advance_days` and
    /// `advance_minutes`.
    offset_minutes: std::sync::Arc<std::sync::atomic::AtomicI64>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A password the rule for new passwords accepts, for users the tests create.
pub const STRONG_TEST_PASSWORD: &str = "Kq7!vT2m#pWz-hinoki";

/// The lifetime (and the longest) of the test apps' API tokens: ten years.
pub const TEST_TOKEN_DAYS: i64 = 3650;

fn with_database(url: &str, db: &str) -> String {
    // postgres://user@host:port/dbname?params → same URL with another dbname
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let after_scheme = base.find("://").map(|i| i + 3).unwrap_or(0);
    let root = match base[after_scheme..].find('/') {
        Some(i) => &base[..after_scheme + i],
        None => base,
    };
    format!("{root}/{db}{query}")
}

impl TestApp {
    /// The OpenAPI document the server serves (public, like the API's description).
    pub async fn openapi(&self) -> serde_json::Value {
        raw_client()
            .get(format!("{}/api/openapi.json", self.base))
            .send()
            .await
            .expect("openapi")
            .json()
            .await
            .expect("openapi json")
    }

    /// An app with the demo data; `None` for PostgreSQL when no server is configured.
    pub async fn spawn(db: Db) -> Option<TestApp> {
        Self::spawn_with(db, true).await
    }

    pub async fn spawn_with(db: Db, demo: bool) -> Option<TestApp> {
        let (db_url, admin_url, dir) = match db {
            Db::Sqlite => {
                let dir = tempfile::tempdir().expect("tempdir");
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
                (url, None, Some(dir))
            }
            Db::Postgres => {
                let admin = std::env::var("GAIBU_TEST_POSTGRES_URL").ok()?;
                #[allow(clippy::disallowed_methods)] // a unique name, not a rule's time
                let name = format!(
                    "gaibu_test_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::SeqCst),
                    jiff::Timestamp::now().as_millisecond() % 1_000_000
                );
                sqlx::any::install_default_drivers();
                let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin)
                    .await
                    .expect("connect to GAIBU_TEST_POSTGRES_URL");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .expect("create test database");
                (with_database(&admin, &name), Some((admin, name)), None)
            }
        };
        let evidence = tempfile::tempdir().expect("evidence dir");
        let cfg = Config {
            evidence_dir: evidence.path().to_path_buf(),
            max_upload_bytes: 1024 * 1024,
            // Tests move the clock by years; their API clients' tokens outlive that.
            token_days: TEST_TOKEN_DAYS,
            token_max_days: TEST_TOKEN_DAYS,
            ..Config::default()
        };
        let st = gaibu::server::open(&db_url, cfg).await.expect("open app");
        // The app's clock is the real one moved by the days a test asks for.
        let offset_minutes = std::sync::Arc::new(std::sync::atomic::AtomicI64::new(0));
        let clock = moved_clock(offset_minutes.clone());
        let st = AppState::with_clock(st.store.clone(), (*st.cfg).clone(), clock);
        if demo {
            gaibu::demo::seed(&st).await.expect("demo seed");
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let router = gaibu::web::router(st.clone());
        let timeout = st.cfg.header_timeout;
        // Served as under `gaibu serve`: the client's address reaches the handlers.
        tokio::spawn(gaibu::server::serve_connections(
            listener,
            router,
            timeout,
            std::future::pending(),
        ));
        Some(TestApp {
            base,
            st,
            db_url,
            admin_url,
            _dir: dir,
            _evidence: evidence,
            offset_minutes,
        })
    }

    /// Another instance of the app on the same database; returns its base URL.
    pub async fn second_instance(&self) -> String {
        self.instance_with(Config::default()).await
    }

    /// Another instance on the same database with settings of its own.
    pub async fn instance_with(&self, cfg: Config) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        self.instance_on(listener, cfg).await
    }

    /// Another instance on a listener the test bound (its address known before it starts),
    /// sharing this app's clock.
    pub async fn instance_on(&self, listener: tokio::net::TcpListener, cfg: Config) -> String {
        let st = gaibu::server::open(&self.db_url, cfg)
            .await
            .expect("open another instance");
        let clock = moved_clock(self.offset_minutes.clone());
        let st = AppState::with_clock(st.store.clone(), (*st.cfg).clone(), clock);
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let timeout = st.cfg.header_timeout;
        let router = gaibu::web::router(st);
        tokio::spawn(gaibu::server::serve_connections(
            listener,
            router,
            timeout,
            std::future::pending(),
        ));
        base
    }

    pub fn advance_days(&self, days: i64) {
        self.advance_minutes(days * 24 * 60);
    }

    pub fn advance_minutes(&self, minutes: i64) {
        self.offset_minutes.fetch_add(minutes, Ordering::SeqCst);
    }

    /// Drops the PostgreSQL test database.
    pub async fn cleanup(self) {
        self.st.store.close().await;
        if let Some((admin, name)) = &self.admin_url
            && let Ok(mut conn) = <sqlx::AnyConnection as sqlx::Connection>::connect(admin).await
        {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut conn)
                .await;
        }
    }

    pub async fn user_id(&self, login: &str) -> i64 {
        self.st
            .store
            .user_by_login(login)
            .await
            .expect("db")
            .expect("user")
            .id
    }

    /// An API client signed in by a fresh token of `login`.
    pub async fn api(&self, login: &str) -> Api {
        let who = gaibu_store::Who::system();
        let (_, token) = gaibu::credentials::create_api_token(
            &self.st,
            &who,
            self.user_id(login).await,
            &gaibu::credentials::TokenInput {
                name: "test".into(),
                days: None,
            },
        )
        .await
        .expect("token");
        Api {
            http: reqwest::Client::new(),
            base: self.base.clone(),
            token,
        }
    }

    /// A browser-like client (cookies kept) signed in through the login form.
    pub async fn browser(&self, login: &str) -> Browser {
        self.browser_with(login, gaibu::demo::DEMO_PASSWORD).await
    }

    pub async fn browser_with(&self, login: &str, password: &str) -> Browser {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let res = http
            .post(format!("{}/login", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(&[
                ("login", login),
                ("password", password),
                ("next", "/"),
            ]))
            .send()
            .await
            .expect("login");
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "login of {login}");
        let to = res
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        if to == "/login/mfa" {
            // A privileged user's second step: the code their app would show (a minute on,
            // since a code is accepted once and the test may have signed them in just now), or
            // the enrolment of one the test made, with the key the page shows.
            let code = match self.enrolled(login).await {
                true => self.totp_code(login).await,
                false => {
                    let page = http
                        .get(format!("{}/login/mfa", self.base))
                        .send()
                        .await
                        .expect("enrolment page")
                        .text()
                        .await
                        .expect("body");
                    let key = page
                        .split("id=\"mfa-secret\" class=\"secret\">")
                        .nth(1)
                        .and_then(|r| r.split("</code>").next())
                        .expect("the key on the enrolment page");
                    let key: String = key.split_whitespace().collect();
                    gaibu::mfa::code_at(&key, self.st.now()).expect("code")
                }
            };
            let res = http
                .post(format!("{}/login/mfa", self.base))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form(&[("code", &code)]))
                .send()
                .await
                .expect("second factor");
            // 303 on to the page; 200 after an enrolment (the recovery codes).
            assert!(
                matches!(res.status(), StatusCode::SEE_OTHER | StatusCode::OK),
                "second factor of {login}: {}",
                res.status()
            );
        }
        let mut b = Browser {
            http,
            base: self.base.clone(),
            csrf: String::new(),
        };
        b.refresh_csrf().await;
        b
    }

    async fn enrolled(&self, login: &str) -> bool {
        let id = self.user_id(login).await;
        self.st.store.totp_of(id).await.expect("db").is_some()
    }

    /// The TOTP code of an enrolled user a minute from now, moving the clock there: each code
    /// is accepted once.
    pub async fn totp_code(&self, login: &str) -> String {
        let id = self.user_id(login).await;
        let totp = self
            .st
            .store
            .totp_of(id)
            .await
            .expect("db")
            .unwrap_or_else(|| panic!("{login} has no second factor"));
        self.advance_minutes(1);
        gaibu::mfa::code_at(&totp.secret, self.st.now()).expect("code")
    }

    /// Answers that meet the class-1 sheet in force.
    pub async fn met_answers(&self) -> Value {
        self.met_answers_for(gaibu_domain::classification::Track::Class1)
            .await
    }

    pub async fn met_answers_for(&self, track: gaibu_domain::classification::Track) -> Value {
        let sheet = gaibu::policies::sheet_in_force(&self.st, track)
            .await
            .expect("sheet in force");
        serde_json::to_value(gaibu::demo::met_answers(&sheet.doc)).expect("json")
    }
}

/// The real clock moved by the minutes in `offset` (which tests advance).
fn moved_clock(offset: std::sync::Arc<std::sync::atomic::AtomicI64>) -> gaibu::state::Clock {
    #[allow(clippy::disallowed_methods)] // the test clock is the real one, moved
    std::sync::Arc::new(move || {
        let minutes = offset.load(Ordering::SeqCst);
        jiff::Timestamp::now()
            .checked_add(jiff::SignedDuration::from_mins(minutes))
            .expect("moved clock")
    })
}

/// A client that keeps cookies and does not follow redirects (each step of a sign-in seen).
pub fn raw_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

pub fn form(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).expect("form")
}

pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
}

impl Api {
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method, format!("{}/api/v1{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        let text = res.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }
    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(reqwest::Method::GET, path, None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }
    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::PUT, path, Some(body)).await
    }
}

pub struct Browser {
    pub http: reqwest::Client,
    pub base: String,
    pub csrf: String,
}

impl Browser {
    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("get");
        (res.status(), res.text().await.expect("body"))
    }

    /// Reads the session's CSRF token (as `GET /api/v1/me` gives it).
    pub async fn refresh_csrf(&mut self) {
        let (_, body) = self.get("/api/v1/me").await;
        let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        self.csrf = v["csrf_token"].as_str().unwrap_or("").to_string();
    }

    /// Posts a form with the page's CSRF token; returns status, redirect target and body.
    pub async fn post(&self, path: &str, pairs: &[(&str, &str)]) -> (StatusCode, String, String) {
        let mut all: Vec<(&str, &str)> = vec![("_csrf", self.csrf.as_str())];
        all.extend_from_slice(pairs);
        self.post_raw(path, &form(&all)).await
    }

    pub async fn post_raw(&self, path: &str, body: &str) -> (StatusCode, String, String) {
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_string())
            .send()
            .await
            .expect("post");
        let status = res.status();
        let loc = res
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        (status, loc, res.text().await.expect("body"))
    }
}

/// A valid class-1 application body for the API.
pub fn application_json(name: &str, conf: &str) -> Value {
    serde_json::json!({
        "service_name": name,
        "provider": "株式会社テスト",
        "url": "https://svc.example.com",
        "purpose": "広報資料の共同編集",
        "user_scope": "市民課の職員に限る",
        "period_from": "2026-12-01",
        "period_to": "2027-03-31",
        "confidentiality": conf,
        "integrity": "1",
        "availability": "1",
        "handling": [],
        "data_locations": ["日本"],
        "governing_law": "日本法",
        "court": "東京地方裁判所",
        "tos_url": "https://svc.example.com/terms",
        "tos_version": "v3",
        "citizen_facing": false
    })
}

pub fn id_of(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no id in {v}"))
}

pub fn version_of(v: &Value) -> i64 {
    v["version"]
        .as_i64()
        .unwrap_or_else(|| panic!("no version in {v}"))
}
