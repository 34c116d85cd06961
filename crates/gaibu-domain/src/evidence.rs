//! Evidence files (S3.2c): which kinds are accepted, and whether a file's content is what its
//! declared type says. A certificate in the wrong format, or a program posing as a PDF, is
//! refused before anything is stored.

/// The accepted types, with the file extensions that may carry them.
pub const ACCEPTED: [(&str, &[&str]); 8] = [
    ("application/pdf", &["pdf"]),
    ("image/png", &["png"]),
    ("image/jpeg", &["jpg", "jpeg"]),
    ("text/plain", &["txt", "csv"]),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &["docx"],
    ),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &["xlsx"],
    ),
    (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        &["pptx"],
    ),
    ("application/zip", &["zip"]),
];

/// Checks a file against its declared content type (and its name's extension).
pub fn check_content(declared: &str, filename: &str, bytes: &[u8]) -> Result<(), &'static str> {
    let declared = declared
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let Some((_, exts)) = ACCEPTED.iter().find(|(t, _)| *t == declared) else {
        return Err("unsupported_type");
    };
    let ext = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if !exts.contains(&ext.as_str()) {
        return Err("content_mismatch");
    }
    if bytes.is_empty() {
        return Err("empty_file");
    }
    let ok = match declared.as_str() {
        "application/pdf" => bytes.starts_with(b"%PDF-"),
        "image/png" => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "image/jpeg" => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        "text/plain" => std::str::from_utf8(bytes).is_ok_and(|s| !s.contains('\0')),
        // Office Open XML documents are zip archives.
        _ => bytes.starts_with(b"PK\x03\x04"),
    };
    if ok { Ok(()) } else { Err("content_mismatch") }
}

#[cfg(test)]
mod tests {
    use super::*;

    // clause: S3.2c — evidence is what it claims to be
    #[test]
    fn content_must_match_the_declared_type() {
        assert_eq!(
            check_content("application/pdf", "iso27001.pdf", b"%PDF-1.7 ..."),
            Ok(())
        );
        assert_eq!(
            check_content("application/pdf", "cert.pdf", b"\x89PNG\r\n\x1a\n"),
            Err("content_mismatch")
        );
        assert_eq!(
            check_content("application/pdf", "cert.exe", b"%PDF-1.7"),
            Err("content_mismatch")
        );
        assert_eq!(
            check_content("application/x-msdownload", "a.exe", b"MZ"),
            Err("unsupported_type")
        );
        assert_eq!(
            check_content(
                "text/plain; charset=utf-8",
                "sla.txt",
                "稼働率99.9%".as_bytes()
            ),
            Ok(())
        );
        assert_eq!(
            check_content("text/plain", "x.txt", b"\xff\xfe"),
            Err("content_mismatch")
        );
        assert_eq!(check_content("image/png", "a.png", b""), Err("empty_file"));
        assert_eq!(
            check_content(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "soc2.xlsx",
                b"PK\x03\x04rest"
            ),
            Ok(())
        );
    }
}
