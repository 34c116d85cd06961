//! `/services/{id}/administrator`: the change of a service's External Service Administrator
//! (S3.4c, S5.2.1-5h), by the ISM over its unit (class 2+) or an Information Manager etc. over
//! it (class 1).

use super::{Again, Cx, FieldErrors, FormPairs, PageCtx, answer, show, user_name};
use crate::administrator as ops;
use crate::auth::org_tree;
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::state::AppState;
use crate::web::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::Query;
use axum::response::Response;
use axum::routing::get;
use gaibu_domain::administrator::AdministratorInput;
use gaibu_store::ServiceRow;

#[derive(Template, WebTemplate)]
#[template(path = "administrator.html")]
struct AdministratorPage {
    t: Tr,
    page: PageCtx,
    s: ServiceRow,
    current: String,
    /// The form is shown exactly when the change would be allowed.
    may_change: bool,
    options: Vec<(i64, String)>,
    /// What the picker's search asked for.
    who: String,
    input: AdministratorInput,
    errors: FieldErrors,
    stale: bool,
}

async fn page(
    cx: &Cx,
    (id, who): (i64, String),
    input: AdministratorInput,
    why: Option<Again>,
) -> AppResult<AdministratorPage> {
    let s = crate::services::get(&cx.st, id).await?;
    let tree = org_tree(&cx.st).await?;
    let page = cx.page(&format!("/services/{id}/administrator"));
    let t = page.t;
    let may_change = ops::may_change(&cx.u, &s, &tree);
    let options = match may_change {
        true => {
            let keep = input.administrator.trim().parse().ok();
            crate::people::staff_choices(&cx.st, &who, keep).await?
        }
        false => vec![],
    };
    Ok(AdministratorPage {
        current: user_name(&cx.st, s.administrator_id).await,
        errors: why.as_ref().map(|w| w.field_errors(t)).unwrap_or_default(),
        stale: why.as_ref().is_some_and(Again::is_stale),
        t,
        page,
        s,
        may_change,
        options,
        who,
        input,
    })
}

/// The picker's search: part of a login or name.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct Who {
    who: String,
}

async fn form(cx: Cx, Path(id): Path<i64>, Query(q): Query<Who>) -> AppResult<Response> {
    show(page(&cx, (id, q.who), AdministratorInput::default(), None).await?)
}

async fn save(cx: Cx, Path(id): Path<i64>, form: FormPairs) -> AppResult<Response> {
    let input: AdministratorInput = form.to_input(&[])?;
    let result = ops::change(&cx.st, &cx.u, id, form.version()?, &input).await;
    answer(
        result,
        |_| format!("/services/{id}"),
        async |why: Again| page(&cx, (id, String::new()), input, Some(why)).await,
    )
    .await
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/services/{id}/administrator", get(form).post(save))
}
