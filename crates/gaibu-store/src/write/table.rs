//! The versioned tables that governance writes change, and what each holds.

use gaibu_domain::audit::Entity;

/// The versioned tables that governance writes change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Table {
    Applications,
    Services,
    UsageRegister,
    Accounts,
    Submissions,
    Terminations,
    ServiceMeasures,
    ServiceRules,
    Rechecks,
    CorrectiveActions,
    CheckOrderTargets,
}

impl Table {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Table::Applications => "applications",
            Table::Services => "services",
            Table::UsageRegister => "usage_register",
            Table::Accounts => "accounts",
            Table::Submissions => "contractor_submissions",
            Table::Terminations => "terminations",
            Table::ServiceMeasures => "service_measures",
            Table::ServiceRules => "service_rules",
            Table::Rechecks => "rechecks",
            Table::CorrectiveActions => "corrective_actions",
            Table::CheckOrderTargets => "check_order_targets",
        }
    }

    /// The column holding the record's state, whose allowed values a write names.
    pub(super) fn state_column(self) -> &'static str {
        match self {
            Table::Applications
            | Table::Submissions
            | Table::Terminations
            | Table::Rechecks
            | Table::CorrectiveActions
            | Table::CheckOrderTargets => "state",
            Table::Services => "ledger_status",
            Table::UsageRegister => "'entered'",
            Table::ServiceMeasures | Table::ServiceRules => "'recorded'",
            Table::Accounts => "status",
        }
    }

    /// The searchable table of this name (its records are part of a search document).
    pub(crate) fn searchable(name: &str) -> Option<Table> {
        [
            Table::Services,
            Table::UsageRegister,
            Table::Applications,
            Table::Accounts,
        ]
        .into_iter()
        .find(|t| t.name() == name)
    }

    /// Whether `col` is part of the text the search index holds for this table's records (a
    /// change of any other column leaves the index as it is: `search::text_of`).
    pub(super) fn indexes_column(self, col: &str) -> bool {
        let cols: &[&str] = match self {
            Table::Services => &["name", "provider", "system_name", "ledger_note"],
            Table::UsageRegister => &["service_name", "provider_name", "purpose", "user_scope"],
            Table::Applications => &["service_name", "provider", "fields", "decision_reason"],
            Table::Accounts => &["account_id", "holder_position", "purpose"],
            _ => &[],
        };
        cols.contains(&col)
    }

    pub(super) fn has_updated_at(self) -> bool {
        self != Table::Accounts
    }

    pub(crate) fn entity(self) -> Entity {
        match self {
            Table::Applications => Entity::Application,
            Table::Services => Entity::Service,
            Table::UsageRegister => Entity::Register,
            Table::Accounts => Entity::Account,
            Table::Submissions => Entity::Submission,
            Table::Terminations => Entity::Termination,
            Table::ServiceMeasures => Entity::Measure,
            Table::ServiceRules => Entity::ServiceRule,
            Table::Rechecks => Entity::Recheck,
            Table::CorrectiveActions => Entity::CorrectiveAction,
            Table::CheckOrderTargets => Entity::CheckOrderTarget,
        }
    }
}
