use std::path::PathBuf;

use clap::{Parser, Subcommand};
use herald_relay::config::{Config, LogFormat};
use herald_relay::{store, Relay};

/// Herald Relay: SES event intake, unsubscribe links and the event poll API.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The configuration file (TOML); HERALD_RELAY_* variables override it.
    #[arg(long, short, env = "HERALD_RELAY_CONFIG", global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server (the default).
    Serve,
    /// Manage workspaces and their tokens.
    #[command(subcommand)]
    Workspace(WorkspaceCommand),
    /// Delete events past the retention period now (the server also does it hourly).
    Purge,
}

#[derive(Debug, Subcommand)]
enum WorkspaceCommand {
    /// Create a workspace and print its token (shown once; only its hash is stored).
    Add { name: String },
    /// List the workspaces.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Remove a workspace with its topics, keys and events.
    Remove { name: String },
    /// Replace a workspace's token; the old one stops working at once.
    Rotate { name: String },
}

fn main() {
    let args = Args::parse();
    let config = match Config::load(args.config.as_deref()) {
        Ok(config) => config,
        Err(e) => fail(&e.to_string()),
    };
    match args.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config),
        Command::Workspace(command) => workspace(&config, command),
        Command::Purge => {
            let conn = open(&config);
            match store::purge(&conn, config.retention_days) {
                Ok(n) => println!(
                    "deleted {n} events older than {} days",
                    config.retention_days
                ),
                Err(e) => fail(&e.to_string()),
            }
        }
    }
}

fn workspace(config: &Config, command: WorkspaceCommand) {
    let conn = open(config);
    match command {
        WorkspaceCommand::Add { name } => {
            let name = name.trim();
            if name.is_empty() || name.len() > 100 {
                fail("the workspace name must be 1 to 100 characters");
            }
            match store::add_workspace(&conn, name) {
                Ok(token) => print_token(name, &token),
                Err(e) => fail(&e.to_string()),
            }
        }
        WorkspaceCommand::Rotate { name } => match store::rotate_token(&conn, &name) {
            Ok(token) => print_token(&name, &token),
            Err(e) => fail(&e.to_string()),
        },
        WorkspaceCommand::Remove { name } => match store::remove_workspace(&conn, &name) {
            Ok(()) => println!("removed workspace {name:?} with its topics, keys and events"),
            Err(e) => fail(&e.to_string()),
        },
        WorkspaceCommand::List { json } => match store::list_workspaces(&conn) {
            Ok(list) if json => println!(
                "{}",
                serde_json::to_string_pretty(&list).unwrap_or_default()
            ),
            Ok(list) if list.is_empty() => {
                println!("no workspaces yet; add one with `herald-relay workspace add NAME`")
            }
            Ok(list) => {
                for w in list {
                    println!("{}\tcreated {}", w.name, w.created_at);
                }
            }
            Err(e) => fail(&e.to_string()),
        },
    }
}

fn print_token(name: &str, token: &str) {
    eprintln!("Token for workspace {name:?} (shown once; paste it into Herald's settings):");
    println!("{token}");
}

fn open(config: &Config) -> rusqlite::Connection {
    store::open(&config.database).unwrap_or_else(|e| fail(&e.to_string()))
}

fn serve(config: Config) {
    init_logs(config.log_format);
    if !config.public_url.starts_with("https://") {
        tracing::warn!(public_url = %config.public_url, "public_url is not https: SNS and mail providers need an HTTPS address");
    }
    if config.testing.allow_loopback_certificates {
        tracing::warn!(
            "testing.allow_loopback_certificates is on: never use this setting in production"
        );
    }
    let runtime = tokio::runtime::Runtime::new().unwrap_or_else(|e| fail(&e.to_string()));
    runtime.block_on(async {
        let listen = config.listen.clone();
        let relay = Relay::open(config).unwrap_or_else(|e| fail(&e.to_string()));
        let listener = tokio::net::TcpListener::bind(&listen)
            .await
            .unwrap_or_else(|e| fail(&format!("cannot listen on {listen}: {e}")));
        let address = listener
            .local_addr()
            .map_or_else(|_| listen.clone(), |a| a.to_string());
        tracing::info!(%address, version = env!("CARGO_PKG_VERSION"), "herald-relay listening");
        if let Err(e) = herald_relay::serve(relay, listener, shutdown_signal()).await {
            fail(&e.to_string());
        }
        tracing::info!("herald-relay stopped");
    });
}

fn init_logs(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("HERALD_RELAY_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

fn fail(message: &str) -> ! {
    eprintln!("herald-relay: {message}");
    std::process::exit(1);
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
    tracing::info!("shutting down: finishing requests in flight");
}
