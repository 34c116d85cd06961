//! Which paths answer whom before any handler runs: the public ones, a contractor's person's,
//! a System Administrator's. Everything else needs a signed-in member of the city's staff.

pub(super) fn is_public(path: &str) -> bool {
    matches!(
        path,
        "/login"
            | "/login/mfa"
            | "/login/sso"
            | "/login/sso/callback"
            | "/healthz"
            | "/api/openapi.json"
            | "/favicon.ico"
    ) || path.starts_with("/assets/")
}

/// Every signed-in user's own: their session, language, password and API tokens.
fn own_path(path: &str) -> bool {
    matches!(
        path,
        "/" | "/login"
            | "/logout"
            | "/lang"
            | "/account"
            | "/api/v1/me"
            | "/favicon.ico"
            | "/healthz"
    ) || path.starts_with("/account/")
        || path.starts_with("/api/v1/me/")
        || path.starts_with("/assets/")
}

pub(super) fn contractor_path(path: &str) -> bool {
    own_path(path)
        || path == "/contractor"
        || path.starts_with("/contractor/")
        || path.starts_with("/api/v1/contractor/")
}

/// What a System Administrator reaches: people and org units, their own account and
/// notifications. The role is gaibu's own, not one of the standard's: whoever holds it takes
/// no business action, whatever their unit (separation of duties, issue 9); a person who also
/// works in a section signs in with a second account for that.
pub(super) fn system_administrator_path(path: &str) -> bool {
    own_path(path)
        || matches!(
            path,
            "/notifications"
                | "/notifications/read"
                | "/api/v1/notifications"
                | "/api/v1/notifications/read"
                | "/api/v1/org-units"
                | "/api/v1/users"
                | "/admin"
        )
        || path.starts_with("/admin/")
        || path.starts_with("/api/v1/users/")
        // The city's directory (issue 11): users kept in step with it.
        || path.starts_with("/api/v1/directory/")
        // The personnel rotation's moves (issue 11); its successors are the business roles'.
        || path.starts_with("/api/v1/rotation/moves/")
}

pub(super) fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_pages_are_everyones_and_business_pages_are_not_the_administrators() {
        for p in [
            "/account",
            "/account/password",
            "/api/v1/me/tokens",
            "/lang",
        ] {
            assert!(contractor_path(p), "{p}");
            assert!(system_administrator_path(p), "{p}");
        }
        for p in [
            "/applications",
            "/api/v1/services",
            "/register",
            "/accountsX",
        ] {
            assert!(!system_administrator_path(p), "{p}");
        }
        assert!(!contractor_path("/admin"));
        assert!(system_administrator_path("/admin/users/3/tokens"));
    }
}
