//! The checks ordered by the ISM (S6.3) as lists: the orders with their progress, and the
//! services of orders (one order's, or those an administrator has to report on), filtered by
//! state and overdue and paged by keyset in the database.

use crate::page::{Key, Page, PageAsk, Query, SortBy};
use crate::rechecks::{OrderProgressRow, OrderTargetView};
use crate::{Result, Store};
use jiff::civil::Date;

/// A target's state: waiting for the administrator's report, or reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetState {
    Pending,
    Reported,
}

impl TargetState {
    pub fn parse(s: &str) -> Option<TargetState> {
        match s {
            "pending" => Some(TargetState::Pending),
            "reported" => Some(TargetState::Reported),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TargetState::Pending => "pending",
            TargetState::Reported => "reported",
        }
    }
}

/// What the list of orders asks for, on `today` (what is overdue).
#[derive(Debug, Clone)]
pub struct OrderFilter {
    pub today: Date,
    /// `Pending`: with a service not reported yet; `Reported`: every service reported.
    pub state: Option<TargetState>,
    /// With a service whose report is overdue.
    pub overdue: bool,
}

const ORDERS: &str = "SELECT o.*, \
    (SELECT COUNT(*) FROM check_order_targets t WHERE t.order_id = o.id) AS total, \
    (SELECT COUNT(*) FROM check_order_targets t WHERE t.order_id = o.id AND t.state = 'reported') AS reported, \
    (SELECT COUNT(*) FROM check_order_targets t WHERE t.order_id = o.id AND t.state = 'pending' AND t.due_on >= $1) AS pending, \
    (SELECT COUNT(*) FROM check_order_targets t WHERE t.order_id = o.id AND t.state = 'pending' AND t.due_on < $1) AS overdue \
    FROM check_orders o";

pub const ORDER_SORTS: &[SortBy<OrderProgressRow>] = &[
    SortBy {
        name: "id",
        expr: "o.id",
        key: |r| Key::Int(r.id),
    },
    SortBy {
        name: "due_on",
        expr: "o.due_on",
        key: |r| Key::Text(r.due_on.to_string()),
    },
];

impl OrderFilter {
    fn query(&self) -> Query {
        let mut q = Query::new(ORDERS);
        let today = q.bind(self.today);
        let pending = "SELECT 1 FROM check_order_targets t WHERE t.order_id = o.id \
                       AND t.state = 'pending'";
        match self.state {
            None => {}
            Some(TargetState::Pending) => q.and(format!("EXISTS ({pending})")),
            Some(TargetState::Reported) => q.and(format!("NOT EXISTS ({pending})")),
        }
        if self.overdue {
            q.and(format!("EXISTS ({pending} AND t.due_on < {today})"));
        }
        q
    }
}

/// What a list of order targets asks for. Empty fields do not filter.
#[derive(Debug, Clone)]
pub struct TargetFilter {
    pub today: Date,
    /// One order's services.
    pub order_id: Option<i64>,
    /// The services one administrator reports on.
    pub administrator_id: Option<i64>,
    pub state: Option<TargetState>,
    /// Pending and past their due date.
    pub overdue: bool,
}

const TARGETS: &str = "SELECT t.id, t.order_id, t.service_id, s.name AS service_name, \
    t.administrator_id, t.due_on, t.state, t.result, o.reason, t.reported_at, t.version \
    FROM check_order_targets t JOIN services s ON s.id = t.service_id \
    JOIN check_orders o ON o.id = t.order_id";

pub const TARGET_SORTS: &[SortBy<OrderTargetView>] = &[
    SortBy {
        name: "due_on",
        expr: "t.due_on",
        key: |r| Key::Text(r.due_on.to_string()),
    },
    SortBy {
        name: "id",
        expr: "t.id",
        key: |r| Key::Int(r.id),
    },
    SortBy {
        name: "service_name",
        expr: "s.name",
        key: |r| Key::Text(r.service_name.clone()),
    },
];

impl TargetFilter {
    fn query(&self) -> Query {
        let mut q = Query::new(TARGETS);
        if let Some(o) = self.order_id {
            let p = q.bind(o);
            q.and(format!("t.order_id = {p}"));
        }
        if let Some(a) = self.administrator_id {
            let p = q.bind(a);
            q.and(format!("t.administrator_id = {p}"));
        }
        if let Some(s) = self.state {
            let p = q.bind(s.as_str());
            q.and(format!("t.state = {p}"));
        }
        if self.overdue {
            let p = q.bind(self.today);
            q.and(format!("t.state = 'pending' AND t.due_on < {p}"));
        }
        q
    }
}

impl Store {
    /// A page of the check orders with their progress.
    pub async fn order_page(
        &self,
        f: &OrderFilter,
        ask: &PageAsk,
    ) -> Result<Page<OrderProgressRow>> {
        self.page(f.query(), "o.id", ORDER_SORTS, ask).await
    }

    /// The database's plan for that page.
    pub async fn order_page_plan(&self, f: &OrderFilter, ask: &PageAsk) -> Result<String> {
        self.page_plan(f.query(), "o.id", ORDER_SORTS, ask).await
    }

    /// A page of order targets.
    pub async fn target_page(
        &self,
        f: &TargetFilter,
        ask: &PageAsk,
    ) -> Result<Page<OrderTargetView>> {
        self.page(f.query(), "t.id", TARGET_SORTS, ask).await
    }

    /// The database's plan for that page.
    pub async fn target_page_plan(&self, f: &TargetFilter, ask: &PageAsk) -> Result<String> {
        self.page_plan(f.query(), "t.id", TARGET_SORTS, ask).await
    }
}
