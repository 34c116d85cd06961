//! How numbers, names and providers are compared (issue 11): full-width characters folded,
//! case and spaces set aside, so that a list typed by hand matches a sheet typed by hand.

use super::Registration;

/// Full-width letters, digits and signs as half-width, lower case.
pub(super) fn fold(s: &str) -> String {
    s.trim()
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// A registration number as it is compared: half-width, upper case, without spaces, and every
/// kind of dash as `-` (`Ｃ２３－０００１－１` is `C23-0001-1`).
pub fn normal_number(s: &str) -> String {
    fold(s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '‐' | '‑' | '–' | '—' | '−' | 'ー' | '―' => '-',
            _ => c,
        })
        .flat_map(char::to_uppercase)
        .collect()
}

/// The words of a name: folded, split at spaces, brackets and punctuation.
fn words(s: &str) -> Vec<String> {
    fold(s)
        .split(|c: char| {
            c.is_whitespace() || "()（）[]［］「」【】・,、，.。/／:：;；&＆+＋|｜\"'".contains(c)
        })
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// A provider's name without its company form (株式会社, Inc. …), folded, no spaces.
fn company(s: &str) -> String {
    const FORMS: &[&str] = &[
        "株式会社",
        "有限会社",
        "合同会社",
        "合資会社",
        "(株)",
        "㈱",
        "(有)",
        "co.,ltd.",
        "co., ltd.",
        "corporation",
        "corp.",
        "inc.",
        "inc",
        "ltd.",
        "llc",
        "k.k.",
    ];
    let mut v = fold(s);
    for f in FORMS {
        v = v.replace(f, "");
    }
    v.chars()
        .filter(|c| !c.is_whitespace() && !",.・".contains(*c))
        .collect()
}

/// Whether the registration covers a service of this name and provider — the rule of the
/// cross-check, kept simple so that a person can follow it:
///
/// - the provider: the registration's provider name contains the service's, or the other way
///   round, after folding full-width characters and case and leaving out spaces and the company
///   form (株式会社, Inc. …);
/// - the service: every word of the service's name (split at spaces, brackets and punctuation)
///   appears in the registration's service name or its scope text, folded the same way.
pub fn covers(r: &Registration, service_name: &str, provider: &str) -> bool {
    let (theirs, ours) = (company(&r.provider), company(provider));
    let same_provider = !ours.is_empty()
        && !theirs.is_empty()
        && (theirs.contains(&ours) || ours.contains(&theirs));
    let text: String = fold(&format!("{} {}", r.service_name, r.scope))
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let name = words(service_name);
    same_provider && !name.is_empty() && name.iter().all(|w| text.contains(w.as_str()))
}
