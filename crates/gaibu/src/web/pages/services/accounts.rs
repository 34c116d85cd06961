//! A service's official accounts (S5.2.2-4): the list on the service page, adding one (only
//! an official account), closing one, and the accounts page of its own.

use super::*;

pub(super) struct AccountView {
    row: AccountRow,
    holder_org: String,
    /// Its close button is shown.
    closable: bool,
}

/// The account register as its own fragment, so that htmx can swap it in place.
#[derive(Template, WebTemplate)]
#[template(path = "service_accounts.html")]
pub(super) struct AccountsPartial {
    t: Tr,
    csrf: String,
    service_id: i64,
    /// The buttons are shown exactly when their moves would be allowed.
    pub(super) caps: ServiceCapabilities,
    accounts: Option<Vec<AccountView>>,
    input: AccountInput,
    errors: FieldErrors,
    org_units: Vec<(i64, String)>,
    added: bool,
    /// The filters of the accounts list (none on the service's page).
    f: AccountListQuery,
    lists: super::super::lists::ListCtx,
    /// The section stands on its own page (`/services/{id}/accounts`), with its filters.
    own_page: bool,
}

impl AccountsPartial {
    fn org_selected(&self, id: &i64) -> bool {
        self.input.holder_org_unit == id.to_string()
    }
}

/// How the accounts section is asked for: the service's page (its first page) or the accounts'
/// own page with `f`.
pub(super) struct AccountsAsk {
    f: AccountListQuery,
    own_page: bool,
}

impl AccountsAsk {
    pub(super) fn on_service_page() -> Self {
        AccountsAsk {
            f: AccountListQuery::default(),
            own_page: false,
        }
    }
}

pub(super) async fn accounts_partial(
    cx: &Cx,
    (s, units): (&ServiceRow, &[gaibu_store::OrgUnitRow]),
    (input, errors, added): (AccountInput, FieldErrors, bool),
    ask: AccountsAsk,
) -> AppResult<AccountsPartial> {
    let t = cx.t();
    let caps = ops::capabilities(&cx.u, s, &crate::auth::org_tree(&cx.st).await?);
    let mut lists = super::super::lists::ListCtx::plain();
    let own = format!("/services/{}/accounts", s.id);
    // The account register names people's addresses: shown to those who may see it.
    let accounts = match (caps.view_details, ask.f.parse(s.id)) {
        (false, _) => None,
        (true, Ok((filter, page_ask))) => {
            let later = page_ask.after.is_some();
            let p = cx.st.store.account_page(&filter, &page_ask).await?;
            let next = p.next_cursor().map(|c| ask.f.url_from(&own, &c));
            lists = lists.paged(next, later, ask.f.url(&own));
            Some(p.items)
        }
        (true, Err(e)) => {
            lists = lists.refused(t, e)?;
            Some(Vec::new())
        }
    };
    Ok(AccountsPartial {
        f: ask.f,
        lists,
        own_page: ask.own_page,
        t,
        csrf: cx.u.csrf().to_string(),
        service_id: s.id,
        caps,
        accounts: accounts.map(|rows| {
            rows.into_iter()
                .map(|row| AccountView {
                    holder_org: org_name(t, units, row.holder_org_unit_id),
                    closable: caps.close_account && row.status == AccountStatus::Active,
                    row,
                })
                .collect()
        }),
        input,
        errors,
        org_units: org_options(t, units),
        added,
    })
}

pub(super) fn is_htmx(h: &HeaderMap) -> bool {
    h.get("hx-request").is_some_and(|v| v == "true")
}

pub(super) async fn add_account(
    cx: Cx,
    headers: HeaderMap,
    Path(id): Path<i64>,
    form: FormPairs,
) -> AppResult<Response> {
    let input: AccountInput = form.to_input(&[])?;
    let result = ops::add_account(&cx.st, &cx.u, id, &input).await;
    if !is_htmx(&headers) {
        return match result {
            Ok(_) => Ok(Redirect::to(&format!("/services/{id}#accounts")).into_response()),
            Err(e) => on_page(&cx, id, Err::<(), _>(e), |e| Forms::account(input, e)).await,
        };
    }
    // htmx swaps only 2xx answers by default: the errors come back as a 200 fragment.
    let (input, errors, added) = match result {
        Ok(_) => {
            let fresh = AccountInput {
                kind: input.kind.clone(),
                holder_org_unit: input.holder_org_unit.clone(),
                created_on: input.created_on.clone(),
                ..Default::default()
            };
            (fresh, FieldErrors::default(), true)
        }
        Err(AppError::Invalid(errs)) => (input, cx.errors(&errs), false),
        Err(e) => return Err(e),
    };
    let (s, units) = load(&cx, id).await?;
    let form = (input, errors, added);
    show(accounts_partial(&cx, (&s, &units), form, AccountsAsk::on_service_page()).await?)
}

#[derive(Template, WebTemplate)]
#[template(path = "service_accounts_page.html")]
pub(super) struct AccountsPage {
    t: Tr,
    page: PageCtx,
    s: ServiceRow,
    acc: AccountsPartial,
}

/// `/services/{id}/accounts`: every official account of a service, filtered and paged.
pub(super) async fn accounts_page(
    cx: Cx,
    Path(id): Path<i64>,
    Query(f): Query<AccountListQuery>,
) -> AppResult<Response> {
    let (s, units) = load(&cx, id).await?;
    let page = cx.page(&format!("/services/{id}/accounts"));
    let t = page.t;
    let input = AccountInput {
        kind: "user".into(),
        holder_org_unit: s.org_unit_id.to_string(),
        created_on: cx.st.today().to_string(),
        ..Default::default()
    };
    let form = (input, FieldErrors::default(), false);
    let ask = AccountsAsk { f, own_page: true };
    let acc = accounts_partial(&cx, (&s, &units), form, ask).await?;
    show(AccountsPage { t, page, s, acc })
}

pub(super) async fn close_account(
    cx: Cx,
    Path(id): Path<i64>,
    form: FormPairs,
) -> AppResult<Response> {
    let input: ops::CloseAccountInput = ops::CloseAccountInput {
        version: form.version()?,
        closed_on: form.get("closed_on").to_string(),
    };
    let acc = ops::close_account(&cx.st, &cx.u, id, &input).await?;
    Ok(Redirect::to(&format!("/services/{}#accounts", acc.service_id)).into_response())
}
