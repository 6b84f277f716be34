use clap::Parser;

/// Herald Relay: SES event intake, unsubscribe links and the event poll API.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Address and port to listen on (put an HTTPS reverse proxy in front of it).
    #[arg(long, env = "HERALD_RELAY_LISTEN", default_value = "127.0.0.1:8787")]
    listen: String,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let listener = match tokio::net::TcpListener::bind(&args.listen).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("herald-relay: cannot listen on {}: {e}", args.listen);
            std::process::exit(1);
        }
    };
    eprintln!("herald-relay: listening on {}", args.listen);
    if let Err(e) = herald_relay::serve(listener, shutdown_signal()).await {
        eprintln!("herald-relay: {e}");
        std::process::exit(1);
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    eprintln!("herald-relay: shutting down");
}
