//! Two-factor sign-in (issue 9): the CISO, ISMs and System Administrators cannot finish
//! signing in without a TOTP code (or a recovery code); a code is accepted once; a user who
//! must enrol is taken to enrolment after the password; anyone may enrol on their own.

use crate::harness::{TestApp, form};
use reqwest::StatusCode;

/// Posts a form; answers the status, the redirect target and the body.
async fn post(
    c: &reqwest::Client,
    url: String,
    pairs: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let res = c
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(pairs))
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

async fn password_step(app: &TestApp, c: &reqwest::Client, login: &str) -> String {
    let pairs = [
        ("login", login),
        ("password", gaibu::demo::DEMO_PASSWORD),
        ("next", "/services"),
    ];
    let (s, to, _) = post(c, format!("{}/login", app.base), &pairs).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{login}");
    to
}

async fn code_step(app: &TestApp, c: &reqwest::Client, code: &str) -> (StatusCode, String, String) {
    post(c, format!("{}/login/mfa", app.base), &[("code", code)]).await
}

async fn me(app: &TestApp, c: &reqwest::Client) -> StatusCode {
    c.get(format!("{}/api/v1/me", app.base))
        .send()
        .await
        .expect("me")
        .status()
}

async fn count(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = $1")
        .bind(action)
        .fetch_one(app.st.store.pool())
        .await
        .expect("count")
}

/// The text of the first element `id="{id}"` … `</{tag}>`.
fn element(page: &str, id: &str, tag: &str) -> String {
    let start = page
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in {page}"));
    let rest = &page[start..];
    let open = rest.find('>').expect("tag") + 1;
    let close = rest.find(&format!("</{tag}>")).expect("close");
    rest[open..close].to_string()
}

pub async fn a_privileged_user_cannot_finish_signing_in_without_totp(app: &TestApp) {
    // The password alone gives no session.
    let c = crate::harness::raw_client();
    assert_eq!(password_step(app, &c, "ism").await, "/login/mfa");
    assert_eq!(me(app, &c).await, StatusCode::UNAUTHORIZED);
    let (s, _) = (
        c.get(format!("{}/services", app.base))
            .send()
            .await
            .expect("get")
            .status(),
        (),
    );
    assert_eq!(s, StatusCode::SEE_OTHER, "still signed out");

    // A wrong code is refused and audited.
    let right = app.totp_code("ism").await;
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    let failed = count(app, "session.mfa_failed").await;
    let (s, _, page) = code_step(app, &c, wrong).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(page.contains("id=\"mfa-failed\""), "{page}");
    assert_eq!(count(app, "session.mfa_failed").await, failed + 1);
    assert_eq!(me(app, &c).await, StatusCode::UNAUTHORIZED);

    // The right one signs in, and the user goes where they were going.
    let (s, to, _) = code_step(app, &c, &right).await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/services"));
    assert_eq!(me(app, &c).await, StatusCode::OK);
    let signed: String = sqlx::query_scalar(
        "SELECT after_json FROM audit_events WHERE action = 'session.signed_in' ORDER BY seq DESC LIMIT 1",
    )
    .fetch_one(app.st.store.pool())
    .await
    .expect("event");
    assert!(signed.contains("\"second_factor\":\"totp\""), "{signed}");

    // The same code again, after the password again, is refused: a code is used once.
    let again = crate::harness::raw_client();
    password_step(app, &again, "ism").await;
    let (s, _, _) = code_step(app, &again, &right).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // Guessing is bounded: after five wrong codes the password must be given again.
    let guesser = crate::harness::raw_client();
    password_step(app, &guesser, "ciso").await;
    for _ in 0..5 {
        let (s, _, _) = code_step(app, &guesser, wrong).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let (s, to, _) = code_step(app, &guesser, wrong).await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/login"));
    let code = app.totp_code("ciso").await;
    let (s, to, _) = code_step(app, &guesser, &code).await;
    assert_eq!(
        (s, to.as_str()),
        (StatusCode::SEE_OTHER, "/login"),
        "the challenge is gone"
    );

    // A member of staff without a second factor signs in with the password alone.
    let staff = crate::harness::raw_client();
    assert_eq!(password_step(app, &staff, "staff").await, "/services");
    assert_eq!(me(app, &staff).await, StatusCode::OK);
}

/// A System Administrator resets a lost second factor; the user must enrol again before any
/// session, gets recovery codes once, and each recovery code signs in once. Others may enrol
/// from their account page.
pub async fn privileged_users_enrol_and_recover(app: &TestApp) {
    let ism = app.user_id("ism").await;
    let admin = app.api("admin").await;
    let (s, body) = admin
        .post(&format!("/users/{ism}/mfa/reset"), serde_json::json!({}))
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(count(app, "mfa.reset").await, 1);

    // Enrolment comes right after the password, and no session before it is finished.
    let c = crate::harness::raw_client();
    assert_eq!(password_step(app, &c, "ism").await, "/login/mfa");
    let page = c
        .get(format!("{}/login/mfa", app.base))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("body");
    assert!(page.contains("<svg"), "a QR code drawn by the server");
    let secret: String = element(&page, "mfa-secret", "code")
        .split_whitespace()
        .collect();
    assert_eq!(me(app, &c).await, StatusCode::UNAUTHORIZED);
    let (s, _, _) = code_step(app, &c, "123456x").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let code = gaibu::mfa::code_at(&secret, app.st.now()).expect("code");
    let (s, _, page) = code_step(app, &c, &code).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let codes: Vec<String> = element(&page, "recovery-codes", "ul")
        .split("<code>")
        .skip(1)
        .filter_map(|x| x.split("</code>").next().map(str::to_string))
        .collect();
    assert_eq!(codes.len(), gaibu::mfa::RECOVERY_CODES, "{page}");
    assert_eq!(me(app, &c).await, StatusCode::OK);
    assert!(count(app, "mfa.enrolled").await >= 1);
    let kept: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM totp_recovery_codes WHERE code_hash = $1")
            .bind(&codes[0])
            .fetch_one(app.st.store.pool())
            .await
            .expect("count");
    assert_eq!(kept, 0, "recovery codes are kept hashed");

    // A recovery code signs in once, however it is typed.
    let lost = crate::harness::raw_client();
    password_step(app, &lost, "ism").await;
    let typed = codes[0].to_uppercase().replace('-', " ");
    let (s, _, _) = code_step(app, &lost, &typed).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(count(app, "mfa.recovery_code_used").await, 1);
    let again = crate::harness::raw_client();
    password_step(app, &again, "ism").await;
    let (s, _, _) = code_step(app, &again, &codes[0]).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // Anyone may enrol from their account page; then their sign-in asks for a code.
    let mut staff = app.browser("staff").await;
    staff.refresh_csrf().await;
    let (s, to, _) = staff.post("/account/mfa", &[]).await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/login/mfa"));
    let (_, page) = staff.get("/login/mfa").await;
    let secret: String = element(&page, "mfa-secret", "code")
        .split_whitespace()
        .collect();
    let code = gaibu::mfa::code_at(&secret, app.st.now()).expect("code");
    let (s, _, page) = staff
        .post_raw("/login/mfa", &form(&[("code", &code)]))
        .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let (_, page) = staff.get("/account").await;
    assert!(page.contains("id=\"mfa-status\""), "{page}");
    let c = crate::harness::raw_client();
    assert_eq!(password_step(app, &c, "staff").await, "/login/mfa");
}
