//! Two-factor sign-in with TOTP (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps, one step of
//! clock drift either way) and recovery codes. Mandatory for the roles of
//! `Role::requires_mfa`, optional for everyone else; a code is accepted once.

use gaibu_domain::role::Role;
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Secret, TOTP};

pub const STEP_SECS: i64 = 30;
/// Recovery codes a user gets at enrolment, each usable once.
pub const RECOVERY_CODES: usize = 10;
/// Codes a sign-in challenge takes before the password must be given again.
pub const MAX_ATTEMPTS: i64 = 5;
/// How long the step between password and code lasts.
pub const CHALLENGE_MINUTES: i64 = 10;
const ISSUER: &str = "gaibu";

/// Whether someone holding `roles` must use a second factor.
pub fn required_for(roles: impl IntoIterator<Item = Role>) -> bool {
    roles.into_iter().any(Role::requires_mfa)
}

/// A new secret (160 random bits, RFC 4226's recommendation), in base32.
pub fn new_secret() -> String {
    let mut b = [0u8; 20];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut b);
    match Secret::Raw(b.to_vec()).to_encoded() {
        Secret::Encoded(s) => s,
        Secret::Raw(_) => String::new(),
    }
}

fn totp(secret: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret.to_string()).to_bytes().ok()?;
    TOTP::new(Algorithm::SHA1, 6, 0, STEP_SECS as u64, bytes).ok()
}

fn step_of(now: jiff::Timestamp) -> i64 {
    now.as_second().div_euclid(STEP_SECS)
}

/// The code of `secret` at `now` (what an authenticator app shows).
pub fn code_at(secret: &str, now: jiff::Timestamp) -> Option<String> {
    let t = totp(secret)?;
    Some(t.generate(u64::try_from(step_of(now) * STEP_SECS).ok()?))
}

/// The time step whose code `code` is, within one step either side of `now`.
pub fn matching_step(secret: &str, code: &str, now: jiff::Timestamp) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let t = totp(secret)?;
    let now = step_of(now);
    (now - 1..=now + 1).find(|s| {
        u64::try_from(s * STEP_SECS)
            .map(|at| crate::auth::ct_eq(t.generate(at).as_bytes(), code.as_bytes()))
            .unwrap_or(false)
    })
}

/// The `otpauth://` address an authenticator app enrols from (as a QR code or typed in).
pub fn otpauth_url(login: &str, secret: &str) -> String {
    let label: String = form_urlencoded(&format!("{ISSUER}:{login}"));
    format!(
        "otpauth://totp/{label}?secret={secret}&issuer={ISSUER}&algorithm=SHA1&digits=6&period={STEP_SECS}"
    )
}

fn form_urlencoded(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The address as a QR code in SVG, drawn by the server (nothing is fetched).
pub fn qr_svg(url: &str) -> String {
    match qrcode::QrCode::new(url.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}

/// New recovery codes, as shown to the user once (`abcd-efgh`, no look-alike characters).
pub fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    (0..RECOVERY_CODES)
        .map(|_| {
            let c: String = (0..8)
                .map(|_| {
                    let i = rand::Rng::gen_range(&mut rng, 0..ALPHABET.len());
                    ALPHABET[i] as char
                })
                .collect();
            format!("{}-{}", &c[..4], &c[4..])
        })
        .collect()
}

/// What is kept of a recovery code: the hash of its normalised form (case, spaces and hyphens
/// do not matter when it is typed).
pub fn recovery_hash(code: &str) -> String {
    let norm: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    hex::encode(Sha256::digest(format!("gaibu-recovery:{norm}").as_bytes()))
}

/// Whether what was typed looks like a recovery code rather than a 6-digit code.
pub fn looks_like_recovery(code: &str) -> bool {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).count() == 8
        && code.chars().any(|c| c.is_ascii_alphabetic())
}

/// Enrols a new secret for every active user who must use a second factor and has none, without
/// a first code: for the demo and the benchmark's city, whose privileged users come enrolled.
/// Answers each one's login and secret.
pub async fn enrol_privileged(
    st: &crate::state::AppState,
    who: &gaibu_store::Who,
) -> crate::error::AppResult<Vec<(String, String)>> {
    let mut ids = Vec::new();
    for role in Role::ALL.into_iter().filter(|r| r.requires_mfa()) {
        for a in st.store.assignments_of(role.as_str()).await? {
            if !ids.contains(&a.user_id) {
                ids.push(a.user_id);
            }
        }
    }
    let mut out = Vec::new();
    for id in ids {
        let Some(user) = st.store.user(id).await?.filter(|u| u.active) else {
            continue;
        };
        if st.store.totp_of(id).await?.is_some() {
            continue;
        }
        let secret = new_secret();
        st.store
            .enrol_totp(who, id, &secret, 0, &[], st.now())
            .await?;
        out.push((user.login, secret));
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B's SHA-1 vectors (the secret "12345678901234567890"), 6 digits.
    #[test]
    fn codes_follow_rfc_6238() {
        let secret = match Secret::Raw(b"12345678901234567890".to_vec()).to_encoded() {
            Secret::Encoded(s) => s,
            Secret::Raw(_) => unreachable!(),
        };
        for (secs, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_234_567_890, "005924"),
        ] {
            let at = jiff::Timestamp::from_second(secs).expect("time");
            assert_eq!(code_at(&secret, at).as_deref(), Some(code));
        }
        let at = jiff::Timestamp::from_second(1_234_567_890).expect("time");
        let step = 1_234_567_890 / 30;
        assert_eq!(matching_step(&secret, "005924", at), Some(step));
        assert_eq!(matching_step(&secret, " 005 924 ", at), Some(step));
        // One step late is accepted (clock drift), two are not.
        let later = jiff::Timestamp::from_second(1_234_567_890 + 30).expect("time");
        assert_eq!(matching_step(&secret, "005924", later), Some(step));
        let much_later = jiff::Timestamp::from_second(1_234_567_890 + 90).expect("time");
        assert_eq!(matching_step(&secret, "005924", much_later), None);
        assert_eq!(matching_step(&secret, "abcdef", at), None);
    }

    #[test]
    fn recovery_codes_are_distinct_and_typed_loosely() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let set: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(set.len(), RECOVERY_CODES);
        let c = &codes[0];
        assert!(looks_like_recovery(c));
        assert_eq!(
            recovery_hash(c),
            recovery_hash(&c.to_uppercase().replace('-', " "))
        );
        assert!(!looks_like_recovery("123456"));
    }

    #[test]
    fn privileged_roles_need_a_second_factor() {
        assert!(required_for([Role::Staff, Role::Ciso]));
        assert!(required_for([Role::InformationSecurityManager]));
        assert!(required_for([Role::SystemAdministrator]));
        assert!(!required_for([Role::InformationManager, Role::Staff]));
        assert!(!required_for([]));
    }
}
