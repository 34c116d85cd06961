//! The application form: new, edit, and the same form again with what went wrong.

use super::super::{Again, Cx, FieldErrors, FormPairs, PageCtx, answer, org_options, show};
use crate::applications as ops;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::policies;
use crate::web::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use axum::response::Response;
use gaibu_domain::application::ApplicationInput;
use gaibu_domain::classification::{Level, Restriction, Scheme};

#[derive(Template, WebTemplate)]
#[template(path = "application_form.html")]
pub(super) struct FormPage {
    t: Tr,
    page: PageCtx,
    action: String,
    is_new: bool,
    input: ApplicationInput,
    version: i64,
    errors: FieldErrors,
    stale: bool,
    confidentiality: Vec<Level>,
    integrity: Vec<Level>,
    availability: Vec<Level>,
    restrictions: Vec<Restriction>,
    org_units: Vec<(i64, String)>,
}

impl FormPage {
    fn handled(&self, code: &str) -> bool {
        self.input.handling.iter().any(|h| h == code)
    }
    fn locations(&self) -> String {
        self.input.data_locations.join(", ")
    }
    fn level_label(&self, l: &Level) -> String {
        format!(
            "{} — {}",
            self.t.pick(&l.label_ja, &l.label_en),
            self.t.pick(&l.description_ja, &l.description_en)
        )
    }
    fn org_selected(&self, id: &i64) -> bool {
        self.input.org_unit == id.to_string()
    }
}

/// The form for a new application (`id` none) or an existing one, showing `input` based on
/// `version`, with what went wrong (`why`).
async fn form_page(
    cx: &Cx,
    id: Option<i64>,
    input: ApplicationInput,
    version: i64,
    why: Option<&Again>,
) -> AppResult<FormPage> {
    let page = match id {
        Some(id) => cx.page(&format!("/applications/{id}")),
        None => cx.page("/applications/new"),
    };
    let Scheme {
        confidentiality,
        integrity,
        availability,
        handling_restrictions,
    } = policies::scheme_in_force(&cx.st).await?.doc;
    let org_units = org_options(page.t, &cx.st.store.org_units().await?);
    Ok(FormPage {
        action: match id {
            Some(id) => format!("/applications/{id}"),
            None => "/applications".into(),
        },
        is_new: id.is_none(),
        input,
        version,
        errors: why.map(|w| w.field_errors(page.t)).unwrap_or_default(),
        stale: why.is_some_and(Again::is_stale),
        confidentiality,
        integrity,
        availability,
        restrictions: handling_restrictions,
        org_units,
        t: page.t,
        page,
    })
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(super) struct NewQuery {
    reuse: Option<i64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "reuse.html")]
struct ReusePage {
    t: Tr,
    page: PageCtx,
    service: gaibu_store::ServiceRow,
}

pub(super) async fn new_form(cx: Cx, Query(q): Query<NewQuery>) -> AppResult<Response> {
    // Starting from an approved evaluation: confirm first (a GET changes nothing).
    if let Some(sid) = q.reuse {
        let service = cx.st.store.service(sid).await?.ok_or(AppError::NotFound)?;
        let page = cx.page("/applications/new");
        return show(ReusePage {
            t: page.t,
            page,
            service,
        });
    }
    let input = ApplicationInput {
        org_unit: cx.u.user.org_unit_id.to_string(),
        period_from: cx.st.today().to_string(),
        ..Default::default()
    };
    show(form_page(&cx, None, input, 0, None).await?)
}

const MULTI: &[&str] = &["handling"];

pub(super) async fn create(cx: Cx, form: FormPairs) -> AppResult<Response> {
    let input: ApplicationInput = form.to_input(MULTI)?;
    let result = ops::create(&cx.st, &cx.u, &input).await;
    answer(
        result,
        |row| format!("/applications/{}", row.id),
        async |why| form_page(&cx, None, input, 0, Some(&why)).await,
    )
    .await
}

pub(super) async fn edit_form(cx: Cx, Path(id): Path<i64>) -> AppResult<Response> {
    let row = ops::get(&cx.st, &cx.u, id).await?;
    let input = ApplicationInput::from(&row.fields);
    show(form_page(&cx, Some(id), input, row.version, None).await?)
}

pub(super) async fn update(cx: Cx, Path(id): Path<i64>, form: FormPairs) -> AppResult<Response> {
    let input: ApplicationInput = form.to_input(MULTI)?;
    let result = ops::update(&cx.st, &cx.u, id, form.version()?, &input).await;
    answer(
        result,
        |_| format!("/applications/{id}"),
        async |why| {
            // Someone saved first: show this user's input again over the newer version, so
            // nothing is lost and they decide what to keep.
            let version = match why {
                Again::Stale => ops::get(&cx.st, &cx.u, id).await?.version,
                Again::Invalid(_) => form.version()?,
            };
            form_page(&cx, Some(id), input, version, Some(&why)).await
        },
    )
    .await
}
