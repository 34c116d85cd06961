//! The shell's own error codes: each has its stable string (clients depend on it), its HTTP
//! status and its message. Refusals of the rules keep the domain's code (`AppError::Forbidden`,
//! `AppError::Conflict`) and read as `error.<code>`.

use crate::i18n::Msg;
use axum::http::StatusCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    Unauthenticated,
    NotFound,
    StaleVersion,
    InvalidInput,
    SheetNotMet,
    SubmissionIncomplete,
    MeasuresIncomplete,
    Internal,
    MalformedJson,
    MalformedForm,
    BodyTooLarge,
    InvalidCharacters,
    TextTooLong,
    BadOrigin,
    CsrfFailed,
    SelfAssignment,
    ContractorOnly,
    /// Refusals the shell decides and records as denials (through `Refusal::Forbidden`).
    AccountsHidden,
    CisoRequired,
    OwnTokenOnly,
    ResponsibleIsmRequired,
    SystemAdministratorRequired,
    NotForSystemAdministrator,
    PolicyNotInForce,
    ServiceRetired,
    SheetSuperseded,
    NoResponsibleIsm,
    DuplicateRole,
    Duplicate,
    RouteNotFound,
    MethodNotAllowed,
    MalformedMultipart,
    MalformedQuery,
    InvalidVersion,
    BadCursor,
    RecordTooLarge,
    TooManyTokens,
    SelfDeactivation,
    /// The city's directory (issue 11): none configured, its settings not saved, cannot be
    /// reached, refused the bind, refused the search, answered with nobody, or changed since
    /// the dry run.
    DirectoryNotConfigured,
    DirectoryNoSettings,
    DirectoryUnreachable,
    DirectoryBindRefused,
    DirectorySearchFailed,
    DirectoryEmpty,
    DirectoryChanged,
}

/// `(code, its string, its HTTP status, its message)`: one arm per variant, so a new code
/// without a string, a status or a message does not compile.
fn spec(c: ErrorCode) -> (&'static str, StatusCode, Msg) {
    use ErrorCode as E;
    use StatusCode as S;
    match c {
        E::Unauthenticated => (
            "unauthenticated",
            S::UNAUTHORIZED,
            Msg::ErrorUnauthenticated,
        ),
        E::NotFound => ("not_found", S::NOT_FOUND, Msg::ErrorNotFound),
        E::StaleVersion => ("stale_version", S::CONFLICT, Msg::ErrorStaleVersion),
        E::InvalidInput => (
            "invalid_input",
            S::UNPROCESSABLE_ENTITY,
            Msg::ErrorInvalidInput,
        ),
        E::SheetNotMet => ("sheet_not_met", S::CONFLICT, Msg::ErrorSheetNotMet),
        E::SubmissionIncomplete => (
            "submission_incomplete",
            S::CONFLICT,
            Msg::ErrorSubmissionIncomplete,
        ),
        E::MeasuresIncomplete => (
            "measures_incomplete",
            S::CONFLICT,
            Msg::ErrorMeasuresIncomplete,
        ),
        E::Internal => ("internal", S::INTERNAL_SERVER_ERROR, Msg::ErrorInternal),
        E::MalformedJson => ("malformed_json", S::BAD_REQUEST, Msg::ErrorMalformedJson),
        E::RouteNotFound => ("route_not_found", S::NOT_FOUND, Msg::ErrorRouteNotFound),
        E::MethodNotAllowed => (
            "method_not_allowed",
            S::METHOD_NOT_ALLOWED,
            Msg::ErrorMethodNotAllowed,
        ),
        E::MalformedMultipart => (
            "malformed_multipart",
            S::BAD_REQUEST,
            Msg::ErrorMalformedMultipart,
        ),
        E::MalformedQuery => ("malformed_query", S::BAD_REQUEST, Msg::ErrorMalformedQuery),
        E::InvalidVersion => ("invalid_version", S::BAD_REQUEST, Msg::ErrorInvalidVersion),
        E::BadCursor => ("bad_cursor", S::BAD_REQUEST, Msg::ErrorBadCursor),
        E::MalformedForm => ("malformed_form", S::BAD_REQUEST, Msg::ErrorMalformedForm),
        E::BodyTooLarge => (
            "body_too_large",
            S::PAYLOAD_TOO_LARGE,
            Msg::ErrorBodyTooLarge,
        ),
        E::InvalidCharacters => (
            "invalid_characters",
            S::BAD_REQUEST,
            Msg::ErrorInvalidCharacters,
        ),
        E::TextTooLong => ("text_too_long", S::BAD_REQUEST, Msg::ErrorTextTooLong),
        E::BadOrigin => ("bad_origin", S::FORBIDDEN, Msg::ErrorBadOrigin),
        E::CsrfFailed => ("csrf_failed", S::FORBIDDEN, Msg::ErrorCsrfFailed),
        E::SelfAssignment => ("self_assignment", S::FORBIDDEN, Msg::ErrorSelfAssignment),
        E::ContractorOnly => ("contractor_only", S::FORBIDDEN, Msg::ErrorContractorOnly),
        E::AccountsHidden => ("accounts_hidden", S::FORBIDDEN, Msg::ErrorAccountsHidden),
        E::CisoRequired => ("ciso_required", S::FORBIDDEN, Msg::ErrorCisoRequired),
        E::OwnTokenOnly => ("own_token_only", S::FORBIDDEN, Msg::ErrorOwnTokenOnly),
        E::ResponsibleIsmRequired => (
            "responsible_ism_required",
            S::FORBIDDEN,
            Msg::ErrorResponsibleIsmRequired,
        ),
        E::SystemAdministratorRequired => (
            "system_administrator_required",
            S::FORBIDDEN,
            Msg::ErrorSystemAdministratorRequired,
        ),
        E::NotForSystemAdministrator => (
            "not_for_system_administrator",
            S::FORBIDDEN,
            Msg::ErrorNotForSystemAdministrator,
        ),
        E::PolicyNotInForce => (
            "policy_not_in_force",
            S::CONFLICT,
            Msg::ErrorPolicyNotInForce,
        ),
        E::ServiceRetired => ("service_retired", S::CONFLICT, Msg::ErrorServiceRetired),
        E::SheetSuperseded => ("sheet_superseded", S::CONFLICT, Msg::ErrorSheetSuperseded),
        E::NoResponsibleIsm => (
            "no_responsible_ism",
            S::CONFLICT,
            Msg::ErrorNoResponsibleIsm,
        ),
        E::DuplicateRole => ("duplicate_role", S::CONFLICT, Msg::ErrorDuplicateRole),
        E::Duplicate => ("duplicate", S::CONFLICT, Msg::ErrorDuplicate),
        E::RecordTooLarge => (
            "record_too_large",
            S::PAYLOAD_TOO_LARGE,
            Msg::ErrorRecordTooLarge,
        ),
        E::TooManyTokens => ("too_many_tokens", S::CONFLICT, Msg::ErrorTooManyTokens),
        E::SelfDeactivation => (
            "self_deactivation",
            S::FORBIDDEN,
            Msg::ErrorSelfDeactivation,
        ),
        E::DirectoryNotConfigured => (
            "directory_not_configured",
            S::CONFLICT,
            Msg::ErrorDirectoryNotConfigured,
        ),
        E::DirectoryNoSettings => (
            "directory_no_settings",
            S::CONFLICT,
            Msg::ErrorDirectoryNoSettings,
        ),
        E::DirectoryUnreachable => (
            "directory_unreachable",
            S::BAD_GATEWAY,
            Msg::ErrorDirectoryUnreachable,
        ),
        E::DirectoryBindRefused => (
            "directory_bind_refused",
            S::BAD_GATEWAY,
            Msg::ErrorDirectoryBindRefused,
        ),
        E::DirectorySearchFailed => (
            "directory_search_failed",
            S::BAD_GATEWAY,
            Msg::ErrorDirectorySearchFailed,
        ),
        E::DirectoryEmpty => ("directory_empty", S::CONFLICT, Msg::ErrorDirectoryEmpty),
        E::DirectoryChanged => ("directory_changed", S::CONFLICT, Msg::ErrorDirectoryChanged),
    }
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 45] = [
        ErrorCode::Unauthenticated,
        ErrorCode::NotFound,
        ErrorCode::StaleVersion,
        ErrorCode::InvalidInput,
        ErrorCode::SheetNotMet,
        ErrorCode::SubmissionIncomplete,
        ErrorCode::MeasuresIncomplete,
        ErrorCode::Internal,
        ErrorCode::MalformedJson,
        ErrorCode::RouteNotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::MalformedMultipart,
        ErrorCode::MalformedQuery,
        ErrorCode::InvalidVersion,
        ErrorCode::BadCursor,
        ErrorCode::MalformedForm,
        ErrorCode::BodyTooLarge,
        ErrorCode::InvalidCharacters,
        ErrorCode::TextTooLong,
        ErrorCode::BadOrigin,
        ErrorCode::CsrfFailed,
        ErrorCode::SelfAssignment,
        ErrorCode::ContractorOnly,
        ErrorCode::AccountsHidden,
        ErrorCode::CisoRequired,
        ErrorCode::OwnTokenOnly,
        ErrorCode::ResponsibleIsmRequired,
        ErrorCode::SystemAdministratorRequired,
        ErrorCode::NotForSystemAdministrator,
        ErrorCode::PolicyNotInForce,
        ErrorCode::ServiceRetired,
        ErrorCode::SheetSuperseded,
        ErrorCode::NoResponsibleIsm,
        ErrorCode::DuplicateRole,
        ErrorCode::Duplicate,
        ErrorCode::RecordTooLarge,
        ErrorCode::TooManyTokens,
        ErrorCode::SelfDeactivation,
        ErrorCode::DirectoryNotConfigured,
        ErrorCode::DirectoryNoSettings,
        ErrorCode::DirectoryUnreachable,
        ErrorCode::DirectoryBindRefused,
        ErrorCode::DirectorySearchFailed,
        ErrorCode::DirectoryEmpty,
        ErrorCode::DirectoryChanged,
    ];

    /// The stable code in the JSON body, e.g. `stale_version`.
    pub fn as_str(self) -> &'static str {
        spec(self).0
    }
    pub fn status(self) -> StatusCode {
        spec(self).1
    }
    pub fn message(self) -> Msg {
        spec(self).2
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_code_has_a_message_a_fixed_status_and_a_unique_string() {
        let mut seen = HashSet::new();
        for c in ErrorCode::ALL {
            assert!(seen.insert(c.as_str()), "duplicate code {}", c.as_str());
            assert!(!c.message().ja().trim().is_empty(), "{c:?}");
            assert!(!c.message().en().trim().is_empty(), "{c:?}");
            assert_eq!(c.message().key(), format!("error.{}", c.as_str()));
            let expected = match c.as_str() {
                "unauthenticated" => StatusCode::UNAUTHORIZED,
                "not_found" => StatusCode::NOT_FOUND,
                "invalid_input" => StatusCode::UNPROCESSABLE_ENTITY,
                "internal" => StatusCode::INTERNAL_SERVER_ERROR,
                "body_too_large" | "record_too_large" => StatusCode::PAYLOAD_TOO_LARGE,
                "malformed_json"
                | "malformed_form"
                | "invalid_characters"
                | "text_too_long"
                | "malformed_multipart"
                | "malformed_query"
                | "invalid_version"
                | "bad_cursor" => StatusCode::BAD_REQUEST,
                "route_not_found" => StatusCode::NOT_FOUND,
                "method_not_allowed" => StatusCode::METHOD_NOT_ALLOWED,
                "bad_origin"
                | "csrf_failed"
                | "self_assignment"
                | "self_deactivation"
                | "contractor_only"
                | "accounts_hidden"
                | "ciso_required"
                | "own_token_only"
                | "responsible_ism_required"
                | "system_administrator_required"
                | "not_for_system_administrator" => StatusCode::FORBIDDEN,
                "directory_unreachable" | "directory_bind_refused" | "directory_search_failed" => {
                    StatusCode::BAD_GATEWAY
                }
                _ => StatusCode::CONFLICT,
            };
            assert_eq!(c.status(), expected, "{c:?}");
        }
        // ALL lists every variant once (the match in `spec` covers every variant).
        assert_eq!(seen.len(), ErrorCode::ALL.len());
    }

    /// Every code the rules (and the shell's own field checks) can put in a `FieldError`, an
    /// `ItemProblem` or a refusal has a message. The domain does not list them; this list was
    /// taken with `grep` over `crates/gaibu-domain/src` and `crates/gaibu/src`.
    #[test]
    fn every_domain_code_has_a_message() {
        const CODES: &[&str] = &[
            // FieldError / ItemProblem codes of the domain
            "required",
            "invalid_choice",
            "invalid_date",
            "invalid_url",
            "invalid_answer",
            "too_long",
            "period_order",
            "before_registration",
            "private_account",
            "closed_before_created",
            "unknown_org_unit",
            "unknown_item",
            "unknown_level",
            "unknown_restriction",
            "unanswered",
            "blocking_no",
            "comment_required",
            "reuse_unconfirmed",
            "tos_judgement_required",
            "spec_conditions_required",
            "spec_in_contract_required",
            // evidence checks
            "unsupported_type",
            "content_mismatch",
            "empty_file",
            // refusals of the domain
            "administrator_required",
            "already_in_ledger",
            "not_in_operation",
            "service_retired",
            "account_closed",
            "not_your_application",
            "not_draft",
            "may_not_apply_for_org_unit",
            "already_decided",
            "class2_track_required",
            "class1_approver_required",
            "not_your_submission",
            "information_manager_required",
            "not_submitted",
            "class1_is_self_approved",
            "responsible_ism_required",
            "own_application",
            "not_under_review",
            "ciso_required",
            "policy_not_pending",
            // the dashboard
            "ism_or_ciso_required",
            // the measures (S3.5, S3.6)
            "not_building",
            "not_in_ledger",
            "service_manager_required",
            "administrator_or_ism_required",
            "reason_required",
            "unknown_measure",
            "date_in_future",
            "measure_unrecorded",
            // FieldError codes of the shell
            "duplicate_account",
            "duplicate_code",
            "duplicate_login",
            "file_too_large",
            "invalid_login",
            "password_too_short",
            "password_weak",
            "password_mismatch",
            "password_unchanged",
            "wrong_password",
            "token_lifetime",
            "too_many",
            "policy_invalid",
            "unknown_role",
            // the city's directory (issue 11)
            "directory_bad_attribute",
            "directory_bad_dn",
            "directory_bad_filter",
            "directory_bad_mapping_line",
            "directory_contractor_login",
            "directory_duplicate_login",
            "directory_duplicate_value",
            "directory_invalid_login",
            "directory_no_login",
            "directory_no_name",
            "directory_self_leaver",
        ];
        let missing: Vec<_> = CODES
            .iter()
            .filter(|c| crate::i18n::data_key("error", c).is_none())
            .collect();
        assert!(missing.is_empty(), "no message for {missing:?}");
    }
}
