//! How dates are written (issue 10, item 10): the city's default, which a System Administrator
//! sets on `/admin`, and each user's own choice on `/account` (the Western calendar, the
//! Japanese era, or as the city sets it). Both changes are audited.

use super::{Cx, FormPairs};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::i18n::Tr;
use crate::state::AppState;
use axum::Router;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use gaibu_domain::calendar::DateStyle;

/// The form's value of "as the city sets it" on `/account`.
pub const CITY: &str = "city";

/// A style's name, with an example.
pub fn label(t: Tr, s: DateStyle) -> &'static str {
    match s {
        DateStyle::Western => t.date_style_western(),
        DateStyle::Era => t.date_style_era(),
    }
}

/// The styles as a form offers them: (value, label).
pub fn choices(t: Tr) -> Vec<(&'static str, &'static str)> {
    DateStyle::ALL
        .into_iter()
        .map(|s| (s.as_str(), label(t, s)))
        .collect()
}

/// The style a form chose; anything else is a malformed request (the form offers no other).
fn chosen(form: &FormPairs) -> AppResult<Option<DateStyle>> {
    match form.get("date_style") {
        CITY => Ok(None),
        s => DateStyle::parse(s)
            .map(Some)
            .ok_or(AppError::Refused(ErrorCode::MalformedForm)),
    }
}

async fn set_city(cx: Cx, form: FormPairs) -> AppResult<Response> {
    crate::people::require_system_administrator(&cx.st, &cx.u, "setting.date_style").await?;
    let style = chosen(&form)?.ok_or(AppError::Refused(ErrorCode::MalformedForm))?;
    let st = &cx.st;
    st.store
        .set_city_date_style(&cx.u.who(), style, st.now())
        .await?;
    Ok(Redirect::to("/admin#date-style-heading").into_response())
}

async fn set_own(cx: Cx, form: FormPairs) -> AppResult<Response> {
    let style = chosen(&form)?;
    let (st, u) = (&cx.st, &cx.u);
    st.store
        .set_user_date_style(&u.who(), u.user.id, style, st.now())
        .await?;
    Ok(Redirect::to("/account#date-style-heading").into_response())
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/date-style", post(set_city))
        .route("/account/date-style", post(set_own))
}
