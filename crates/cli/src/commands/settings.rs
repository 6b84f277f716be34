use std::io::Read;

use clap::Subcommand;
use herald_core::credentials::{self, AwsKeyPair};
use herald_core::policy::Policy;
use herald_core::secrets::OsKeychain;
use herald_core::ses::SesConnection;
use herald_core::settings::{self, KEYS};
use herald_core::{Error, FieldError, Result};

use super::Context;

#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// Show every setting of the workspace.
    Show,
    /// Set one setting; an empty VALUE clears it. Keys: from_name, from_address, reply_to,
    /// postal_address, aws_region, aws_profile, ses_endpoint, relay_url, assets_bucket,
    /// assets_prefix, assets_public_base_url, s3_endpoint. Settings the IT policy locks
    /// cannot be set.
    Set { key: String, value: String },
}

#[derive(Debug, Subcommand)]
pub enum CredentialsCommand {
    /// Store an AWS access key pair in the OS keychain. The secret is read from standard
    /// input so it never appears in the process list or shell history.
    Set {
        #[arg(long, value_name = "ID")]
        access_key_id: String,
        /// Read the secret access key from standard input (required).
        #[arg(long, required = true)]
        secret_access_key_stdin: bool,
    },
    /// Remove the stored access key pair.
    Clear,
    /// Say which credentials are in force, without showing any secret.
    Show,
}

#[derive(Debug, Subcommand)]
pub enum SesCommand {
    /// Call SES GetAccount: sending status, sandbox, rate and 24-hour quota.
    Account,
}

pub fn run_settings(ctx: &Context, cmd: SettingsCommand) -> Result<()> {
    let mut ws = ctx.open_workspace()?;
    match cmd {
        SettingsCommand::Show => {
            let policy = Policy::load()?;
            let s = settings::load_with(ws.conn(), &policy)?;
            ctx.out.print(&s, || {
                KEYS.iter()
                    .map(|k| {
                        let mark = match policy.get(k) {
                            Some(m) if m.locked => "  [managed by IT, locked]",
                            Some(_) => "  [preset by IT]",
                            None => "",
                        };
                        format!(
                            "{k:<15} {}{mark}\n",
                            s.get(k)
                                .ok()
                                .flatten()
                                .unwrap_or("(not set)")
                                .replace('\n', ", ")
                        )
                    })
                    .collect()
            });
        }
        SettingsCommand::Set { key, value } => {
            let policy = Policy::load()?;
            let mut s = settings::load_with(ws.conn(), &policy)?;
            s.set(&key, &value)?;
            let saved = settings::save_with(ws.conn_mut(), s, &policy)?;
            ctx.out
                .print(&saved, || match saved.get(&key).ok().flatten() {
                    Some(v) => format!("{key} = {v}"),
                    None => format!("{key} cleared"),
                });
        }
    }
    Ok(())
}

pub fn run_credentials(ctx: &Context, cmd: CredentialsCommand) -> Result<()> {
    let ws = ctx.open_workspace()?;
    match cmd {
        CredentialsCommand::Set { access_key_id, .. } => {
            let mut secret = String::new();
            std::io::stdin().read_to_string(&mut secret).map_err(|_| {
                Error::Validation(vec![FieldError::new(
                    "secret_access_key",
                    "Standard input could not be read.",
                )])
            })?;
            let keys = AwsKeyPair {
                access_key_id,
                secret_access_key: secret.trim().to_owned(),
            };
            credentials::store(&OsKeychain, ws.id(), &keys)?;
        }
        CredentialsCommand::Clear => credentials::clear(&OsKeychain, ws.id())?,
        CredentialsCommand::Show => {}
    }
    let s = settings::load(ws.conn())?;
    let status = credentials::status(&s, &OsKeychain, ws.id());
    ctx.out.print(&status, || match &status.keychain_error {
        Some(problem) => format!("{}\nWarning: {problem}", status.description),
        None => status.description.clone(),
    });
    Ok(())
}

pub fn run_ses(ctx: &Context, cmd: SesCommand) -> Result<()> {
    let ws = ctx.open_workspace()?;
    let connection = SesConnection::for_workspace(&ws, &OsKeychain)?;
    drop(ws);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Io {
            action: "started",
            path: "the async runtime".into(),
            source: e,
        })?;
    match cmd {
        SesCommand::Account => {
            let account = runtime.block_on(connection.account())?;
            ctx.out.print(&account, || {
                let quota = if account.max_24_hour_send < 0.0 {
                    "unlimited".to_owned()
                } else {
                    format!("{} of {} used", account.sent_last_24_hours, account.max_24_hour_send)
                };
                format!(
                    "Region:           {}\nSending:          {}\nAccount:          {}\nMax send rate:    {} per second\n24-hour quota:    {quota}{}",
                    account.region,
                    if account.sending_enabled { "enabled" } else { "DISABLED" },
                    if account.production_access { "production" } else { "sandbox (only verified recipients)" },
                    account.max_send_rate,
                    account.enforcement_status.as_deref().map(|s| format!("\nEnforcement:      {s}")).unwrap_or_default(),
                )
            });
        }
    }
    Ok(())
}
