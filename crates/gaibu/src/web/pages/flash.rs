//! A short confirmation after every successful change (issue 10, item 5): a form's POST that
//! ends in a redirect leaves a one-time cookie naming what was done; the next page shows it in
//! a live region (announced by screen readers) and the cookie is cleared with that page.

use crate::i18n::{Msg, Tr, data_key};
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

pub const COOKIE: &str = "gaibu_flash";

/// What a change at `path` did, as a key of the `flash` messages: the path's last segment
/// (`approve`, `submit`, …), `saved` for a record's own path, `done` for anything else.
fn key_of(path: &str) -> String {
    let last = path.rsplit('/').next().unwrap_or("");
    if last.chars().all(|c| c.is_ascii_digit()) {
        return "saved".into();
    }
    let key = last.replace('-', "_");
    match data_key("flash", &key) {
        Some(_) => key,
        None => "done".into(),
    }
}

/// The message of a flash key (an unknown one reads as the generic "done").
pub fn message(t: Tr, key: &str) -> String {
    t.get(data_key("flash", key).unwrap_or(Msg::FlashDone))
        .to_string()
}

/// Paths whose success needs no word: the session's own and the language switch.
fn silent(path: &str) -> bool {
    path.starts_with("/api/")
        || path.starts_with("/login")
        || matches!(path, "/logout" | "/lang" | "/notifications/read")
}

pub async fn flash(jar: CookieJar, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let post = req.method() == Method::POST;
    let shown = req.method() == Method::GET && jar.get(COOKIE).is_some();
    let mut res = next.run(req).await;
    if silent(&path) {
        return res;
    }
    if post && res.status() == StatusCode::SEE_OTHER {
        let to = res
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        // A page that says itself what was done (`?done=…`) needs no second word.
        if !to.contains("done=") && !to.starts_with("/login") {
            let c = Cookie::build((COOKIE, key_of(&path)))
                .path("/")
                .http_only(true)
                .same_site(SameSite::Lax)
                .build();
            set_cookie(&mut res, &c);
        }
    } else if shown && res.status() == StatusCode::OK {
        let c = Cookie::build((COOKIE, "")).path("/").removal().build();
        set_cookie(&mut res, &c);
    }
    res
}

fn set_cookie(res: &mut Response, c: &Cookie<'_>) {
    if let Ok(v) = HeaderValue::from_str(&c.to_string()) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
}

#[cfg(test)]
mod tests {
    use super::key_of;

    #[test]
    fn a_change_is_named_by_its_path() {
        assert_eq!(key_of("/applications/5/approve"), "approve");
        assert_eq!(key_of("/applications/5"), "saved");
        assert_eq!(key_of("/services/3/no-such-thing"), "done");
    }
}
