//! Pages of the checks the ISM orders (S6.3): the orders with their progress, the form to
//! issue one, and one order's services, each list filtered and paged in the database.

use super::rechecks::state;
use super::{Again, Cx, FieldErrors, FormPairs, PageCtx, answer, show, user_name};
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::lists::lifecycle::OrderListQuery;
use crate::rechecks as ops;
use crate::rechecks::lists as rechecks_lists;
use crate::state::AppState;
use crate::web::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::Query;
use axum::response::Response;
use axum::routing::get;
use gaibu_domain::FieldError;
use gaibu_domain::check_order::OrderInput;
use gaibu_store::{OrderProgressRow, OrderTargetView};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/check-orders", get(orders).post(issue_order))
        .route("/check-orders/{id}", get(order_detail))
}

#[derive(Template, WebTemplate)]
#[template(path = "check_orders.html")]
struct OrdersPage {
    t: Tr,
    page: PageCtx,
    rows: Vec<(OrderProgressRow, String)>,
    input: OrderInput,
    errors: FieldErrors,
    providers: Vec<String>,
    f: OrderListQuery,
    lists: super::lists::ListCtx,
}

/// What a check order is of, as its page (and its export) writes it.
pub fn target_text(t: Tr, target: &serde_json::Value) -> String {
    if let Some(p) = target.get("provider").and_then(|p| p.as_str()) {
        return format!("{}: {p}", t.check_order_provider());
    }
    match target.get("service").and_then(|s| s.as_i64()) {
        Some(id) => format!("{} #{id}", t.check_order_service()),
        None => String::new(),
    }
}

async fn orders_page(
    cx: &Cx,
    f: OrderListQuery,
    input: OrderInput,
    errs: Vec<FieldError>,
) -> AppResult<OrdersPage> {
    let listed = rechecks_lists::orders(&cx.st, &cx.u, &f).await?;
    let page = cx.page("/check-orders");
    let t = page.t;
    let lists = super::lists::ListCtx::new(cx).await?;
    let (rows, lists) = match listed {
        Ok(p) => {
            let next = p.next_cursor().map(|c| f.url_from("/check-orders", &c));
            let rows = p
                .items
                .into_iter()
                .map(|r| {
                    let tt = target_text(t, &r.target);
                    (r, tt)
                })
                .collect();
            (
                rows,
                lists.paged(next, !f.cursor.is_empty(), f.url("/check-orders")),
            )
        }
        Err(e) => (Vec::new(), lists.refused(t, e)?),
    };
    let providers: Vec<String> = cx
        .st
        .store
        .providers_in_use()
        .await?
        .into_iter()
        .map(|p| p.provider)
        .collect();
    Ok(OrdersPage {
        rows,
        input,
        errors: FieldErrors::from(t, &errs),
        providers,
        f,
        lists,
        t,
        page,
    })
}

async fn orders(cx: Cx, Query(f): Query<OrderListQuery>) -> AppResult<Response> {
    let input = OrderInput {
        due_on: cx
            .st
            .today()
            .checked_add(jiff::Span::new().days(14))
            .map(|d| d.to_string())
            .unwrap_or_default(),
        ..Default::default()
    };
    show(orders_page(&cx, f, input, vec![]).await?)
}

async fn issue_order(cx: Cx, form: FormPairs) -> AppResult<Response> {
    let input: OrderInput = form.to_input(&[])?;
    let result = ops::order(&cx.st, &cx.u, &input).await;
    answer(
        result,
        |(o, _)| format!("/check-orders/{}", o.id),
        async |why: Again| orders_page(&cx, OrderListQuery::default(), input, why.invalid()?).await,
    )
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "check_order.html")]
struct OrderPage {
    t: Tr,
    page: PageCtx,
    o: OrderProgressRow,
    target: String,
    rows: Vec<(OrderTargetView, String, String)>,
    f: OrderListQuery,
    lists: super::lists::ListCtx,
}

async fn order_detail(
    cx: Cx,
    Path(id): Path<i64>,
    Query(f): Query<OrderListQuery>,
) -> AppResult<Response> {
    let (o, listed) = rechecks_lists::order_detail(&cx.st, &cx.u, id, &f).await?;
    let path = format!("/check-orders/{id}");
    let page = cx.page(&path);
    let t = page.t;
    let lists = super::lists::ListCtx::new(&cx).await?;
    let (targets, lists) = match listed {
        Ok(p) => {
            let next = p.next_cursor().map(|c| f.url_from(&path, &c));
            (
                p.items,
                lists.paged(next, !f.cursor.is_empty(), f.url(&path)),
            )
        }
        Err(e) => (Vec::new(), lists.refused(t, e)?),
    };
    let mut rows = Vec::with_capacity(targets.len());
    for tg in targets {
        let admin = user_name(&cx.st, tg.administrator_id).await;
        let st = state(t, &tg.state);
        rows.push((tg, admin, st));
    }
    show(OrderPage {
        target: target_text(t, &o.target),
        o,
        rows,
        f,
        lists,
        t,
        page,
    })
}
