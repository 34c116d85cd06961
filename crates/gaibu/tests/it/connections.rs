//! Connections that send a partial header or sit idle are closed (issue 9): each must finish a
//! request's header within the server's header timeout (30 s by default; 1 s here).

use crate::harness::TestApp;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Reads until the server closes the connection; answers what it sent, or `None` when it was
/// still open after `within`.
async fn read_until_closed(s: &mut TcpStream, within: Duration) -> Option<String> {
    let mut got = Vec::new();
    let read = tokio::time::timeout(within, async {
        let mut buf = [0u8; 4096];
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    read.ok()
        .map(|()| String::from_utf8_lossy(&got).into_owned())
}

pub async fn slow_and_idle_connections_are_closed(app: &TestApp) {
    let cfg = gaibu::state::Config {
        header_timeout: Duration::from_secs(1),
        ..Default::default()
    };
    let base = app.instance_with(cfg).await;
    let addr = base.trim_start_matches("http://").to_string();

    // Half a header, then nothing: closed without an answer.
    let mut slow = TcpStream::connect(&addr).await.expect("connect");
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: gaibu\r\n")
        .await
        .expect("write");
    let sent = read_until_closed(&mut slow, Duration::from_secs(10)).await;
    assert!(sent.is_some(), "a partial header holds the connection open");
    assert!(!sent.unwrap_or_default().contains("200 OK"));

    // A whole request is answered; the idle connection after it is closed.
    let mut idle = TcpStream::connect(&addr).await.expect("connect");
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: gaibu\r\n\r\n")
        .await
        .expect("write");
    let sent = read_until_closed(&mut idle, Duration::from_secs(10)).await;
    let sent = sent.expect("an idle keep-alive connection stays open");
    assert!(sent.starts_with("HTTP/1.1 200"), "{sent}");

    // Clients that keep to the timeout are served as ever.
    let res = reqwest::get(format!("{base}/healthz")).await.expect("get");
    assert_eq!(res.status(), reqwest::StatusCode::OK);
}
