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

/// The first bytes of a file kept for the type check (the longest magic number is 8 bytes).
pub const HEAD_BYTES: usize = 16;
/// The last bytes of a file kept for the type check: where a PDF says `%%EOF` and a zip
/// archive keeps its directory's end (issue 9: a zip that starts like a PDF was accepted).
pub const TAIL_BYTES: usize = 1024;

/// What the type check needs of a file's bytes, learned as they stream past (`Sampler`), so
/// that an upload is never held whole in memory: its first and last bytes, its size, and whether
/// all of it is text (UTF-8 without NUL).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sample {
    pub head: Vec<u8>,
    pub tail: Vec<u8>,
    pub size: u64,
    pub text: bool,
}

impl Sample {
    /// The sample of bytes at hand.
    pub fn of(bytes: &[u8]) -> Sample {
        let mut s = Sampler::default();
        s.push(bytes);
        s.finish()
    }
}

/// Builds a `Sample` chunk by chunk; a character split between two chunks is still text.
#[derive(Debug, Clone)]
pub struct Sampler {
    head: Vec<u8>,
    tail: Vec<u8>,
    size: u64,
    text: bool,
    /// The start of a character whose rest is in the next chunk.
    pending: Vec<u8>,
}

impl Default for Sampler {
    fn default() -> Self {
        Sampler {
            head: Vec::new(),
            tail: Vec::new(),
            size: 0,
            text: true,
            pending: Vec::new(),
        }
    }
}

impl Sampler {
    pub fn push(&mut self, chunk: &[u8]) {
        if self.head.len() < HEAD_BYTES {
            let take = (HEAD_BYTES - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        self.size += chunk.len() as u64;
        let keep = chunk.len().min(TAIL_BYTES);
        self.tail.extend_from_slice(&chunk[chunk.len() - keep..]);
        if self.tail.len() > TAIL_BYTES {
            self.tail.drain(..self.tail.len() - TAIL_BYTES);
        }
        if !self.text {
            return;
        }
        if chunk.contains(&0) {
            self.text = false;
            return;
        }
        let joined;
        let bytes = if self.pending.is_empty() {
            chunk
        } else {
            joined = [std::mem::take(&mut self.pending).as_slice(), chunk].concat();
            &joined
        };
        match std::str::from_utf8(bytes) {
            Ok(_) => {}
            // Cut short at the end: the character goes on in the next chunk.
            Err(e) if e.error_len().is_none() => {
                self.pending = bytes[e.valid_up_to()..].to_vec();
            }
            Err(_) => self.text = false,
        }
    }

    /// The bytes seen so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn finish(self) -> Sample {
        Sample {
            head: self.head,
            tail: self.tail,
            size: self.size,
            text: self.text && self.pending.is_empty(),
        }
    }
}

/// Checks a file against its declared content type (and its name's extension).
pub fn check_content(declared: &str, filename: &str, bytes: &[u8]) -> Result<(), &'static str> {
    check_sample(declared, filename, &Sample::of(bytes))
}

/// `check_content` of a file that streamed past.
pub fn check_sample(declared: &str, filename: &str, s: &Sample) -> Result<(), &'static str> {
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
    if s.size == 0 {
        return Err("empty_file");
    }
    let (head, tail) = (s.head.as_slice(), s.tail.as_slice());
    let has = |needle: &[u8]| tail.windows(needle.len()).any(|w| w == needle);
    // A zip archive ends with its directory's end record.
    let zip_end = b"PK\x05\x06";
    // Both ends must say the type: a file that starts as one thing and ends as another (a
    // zip behind a PDF header) is refused.
    let ok = match declared.as_str() {
        "application/pdf" => head.starts_with(b"%PDF-") && has(b"%%EOF") && !has(zip_end),
        "image/png" => {
            head.starts_with(b"\x89PNG\r\n\x1a\n") && tail.ends_with(b"IEND\xAE\x42\x60\x82")
        }
        "image/jpeg" => head.starts_with(&[0xFF, 0xD8, 0xFF]) && has(&[0xFF, 0xD9]),
        "text/plain" => s.text,
        // Office Open XML documents are zip archives.
        _ => head.starts_with(b"PK\x03\x04") && has(zip_end),
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
            check_content("application/pdf", "iso27001.pdf", b"%PDF-1.7 ...\n%%EOF\n"),
            Ok(())
        );
        // A zip behind a PDF header, or a PDF cut short: refused (issue 9).
        assert_eq!(
            check_content(
                "application/pdf",
                "cert.pdf",
                b"%PDF-1.7\nPK\x03\x04...PK\x05\x06\0\0%%EOF"
            ),
            Err("content_mismatch")
        );
        assert_eq!(
            check_content("application/pdf", "cert.pdf", b"%PDF-1.7 ..."),
            Err("content_mismatch")
        );
        assert_eq!(
            check_content(
                "image/png",
                "a.png",
                b"\x89PNG\r\n\x1a\n...IEND\xAE\x42\x60\x82"
            ),
            Ok(())
        );
        assert_eq!(
            check_content("image/jpeg", "a.jpg", b"\xFF\xD8\xFF...\xFF\xD9"),
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
                b"PK\x03\x04rest PK\x05\x06 end"
            ),
            Ok(())
        );
        assert_eq!(
            check_content("application/zip", "a.zip", b"PK\x03\x04 no directory"),
            Err("content_mismatch")
        );
    }

    // clause: S3.2c — a file checked as it streams past is judged as a whole one
    #[test]
    fn a_streamed_file_is_judged_as_the_whole_file() {
        let text = "稼働率99.9%、ISMAP登録済み".repeat(50);
        let bytes = text.as_bytes();
        // Every cut, including through the middle of a character, gives the same sample.
        for cut in [1, 2, 3, 5, 7, 64] {
            let mut s = Sampler::default();
            for chunk in bytes.chunks(cut) {
                s.push(chunk);
            }
            assert_eq!(s.finish(), Sample::of(bytes), "cut {cut}");
        }
        assert!(Sample::of(bytes).text);
        assert_eq!(Sample::of(bytes).head.len(), HEAD_BYTES);
        // Cut short inside a character, or a NUL anywhere: not text.
        assert!(!Sample::of(&bytes[..bytes.len() - 1]).text);
        let mut s = Sampler::default();
        s.push(b"plain");
        s.push(b"\0");
        assert!(!s.finish().text);
        let pdf = Sample::of(b"%PDF-1.7 and more\n%%EOF");
        assert_eq!(check_sample("application/pdf", "a.pdf", &pdf), Ok(()));
        // The tail is the file's last bytes, however it was cut.
        let long: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
        for cut in [1, 7, 1000, 1024, 4096] {
            let mut s = Sampler::default();
            for chunk in long.chunks(cut) {
                s.push(chunk);
            }
            assert_eq!(
                s.finish().tail,
                long[long.len() - TAIL_BYTES..],
                "cut {cut}"
            );
        }
    }
}
