use clap::Parser;
use tracing_subscriber::EnvFilter;

// glibc's malloc was a third of the server's CPU under list load (its arenas' locks and
// consolidation across the SQLite and runtime threads); mimalloc keeps per-thread heaps
// (docs/benchmarks.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    // sqlx's slow-statement warning prints the whole statement: for an import's final batch
    // (tens of thousands of statements) that is megabytes on one line, so it is off unless
    // asked for (`GAIBU_LOG=info,sqlx::query=warn`).
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("GAIBU_LOG").unwrap_or_else(|_| {
                EnvFilter::new("info,sqlx=warn,sqlx::query=error,tower_http=warn")
            }),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = gaibu::cli::Cli::parse();
    match gaibu::cli::run(cli).await {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("gaibu: {e:#}");
            std::process::exit(2);
        }
    }
}
