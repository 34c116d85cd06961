//! A refusal as a page: the layout and the user's menu kept, what to do in plain words, the
//! items to fix linked, and a way back.

use super::{PageCtx, session};
use crate::auth::{CurrentUser, request_lang};
use crate::error::ErrorInfo;
use crate::i18n::{Lang, Tr};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    t: Tr,
    page: PageCtx,
    message: String,
    /// What to fix: a field or an item, and its message.
    details: Vec<String>,
    /// The items of a sheet to fix, each linking to it on the page the user came from.
    items: Vec<(String, String)>,
    /// The page the user came from (this site only), to go back to.
    back: String,
}

/// Turns an API-style error response into a page, for every route outside `/api/`.
pub async fn render_error_pages(jar: CookieJar, req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let lang = request_lang(&jar, req.headers());
    let path = req.uri().path().to_string();
    // Back to where the user came from, on this site only (no script: the CSP allows none).
    let back = req
        .headers()
        .get(axum::http::header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.split_once("://").map(|(_, rest)| rest))
        .and_then(|rest| rest.find('/').map(|i| rest[i..].to_string()))
        .map(|p| session::safe_next(&p).to_string())
        .filter(|p| p != &path)
        .unwrap_or_else(|| "/".into());
    let res = next.run(req).await;
    if is_api {
        return res;
    }
    let Some(info) = res.extensions().get::<ErrorInfo>().cloned() else {
        return res;
    };
    let t = Tr::new(lang);
    let pick = |b: &crate::error::Bilingual| match lang {
        Lang::Ja => b.ja.clone(),
        Lang::En => b.en.clone(),
    };
    let details: Vec<String> = info
        .body
        .error
        .fields
        .iter()
        .map(|f| format!("{}: {}", t.field(&f.field), pick(&f.message)))
        .collect();
    let items = info
        .body
        .error
        .items
        .iter()
        .map(|i| (i.item.clone(), pick(&i.message)))
        .collect();
    // The signed-in user's menu stays (`authenticate` hands the user on with the refusal).
    let page = match res.extensions().get::<CurrentUser>() {
        Some(u) => PageCtx::new(u, &jar, &back),
        None => PageCtx::anonymous(lang),
    };
    let page = ErrorPage {
        t,
        page,
        message: pick(&info.body.error.message),
        details,
        items,
        back,
    };
    (info.status, page).into_response()
}
