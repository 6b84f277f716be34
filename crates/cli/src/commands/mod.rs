//! The command tree, one module per domain as in the core and the app.

pub mod analytics;
pub mod assets;
pub mod campaigns;
pub mod contacts;
pub mod events;
pub mod fields;
pub mod policy;
pub mod segments;
pub mod settings;
pub mod suppressions;
pub mod tags;
pub mod templates;
pub mod tracking;
pub mod workspaces;

use clap::Subcommand;
use herald_core::workspaces::{Home, Workspace};
use herald_core::{Error, Result};

use crate::output::Output;

pub struct Context {
    pub home: Home,
    pub workspace: Option<String>,
    pub out: Output,
}

impl Context {
    /// The workspace named by `--workspace`, else the one used last.
    pub fn open_workspace(&self) -> Result<Workspace> {
        match &self.workspace {
            Some(name) => self.home.open(name),
            None => self.home.open_last()?.ok_or_else(|| {
                Error::Validation(vec![herald_core::FieldError::new(
                    "workspace",
                    "No workspace chosen. Pass --workspace NAME (or set HERALD_WORKSPACE); \
                     `herald workspace list` shows them.",
                )])
            }),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create, list, rename, open and delete workspaces.
    #[command(subcommand)]
    Workspace(workspaces::WorkspaceCommand),
    /// Show and change the workspace's settings.
    #[command(subcommand)]
    Settings(settings::SettingsCommand),
    /// Store or clear the workspace's AWS access key in the OS keychain.
    #[command(subcommand)]
    Credentials(settings::CredentialsCommand),
    /// Show the IT policy in force on this machine and the settings it manages.
    #[command(subcommand)]
    Policy(policy::PolicyCommand),
    /// Talk to Amazon SES with the workspace's settings.
    #[command(subcommand)]
    Ses(settings::SesCommand),
    /// Email templates: the gallery, your own, rendering and test sends.
    #[command(subcommand)]
    Templates(templates::TemplatesCommand),
    /// The asset library: images and files for templates, and publishing them.
    #[command(subcommand)]
    Assets(assets::AssetsCommand),
    /// Contacts: list, count, show, add, update, delete, export and CSV import.
    #[command(subcommand)]
    Contacts(contacts::ContactsCommand),
    /// Tags: list, create, rename, colour, delete, assign, unassign.
    #[command(subcommand)]
    Tags(tags::TagsCommand),
    /// Custom fields: list, create, update, change-type, delete.
    #[command(subcommand)]
    Fields(fields::FieldsCommand),
    /// Segments: saved rules, their count and their contacts.
    #[command(subcommand)]
    Segments(segments::SegmentsCommand),
    /// Campaigns: create, edit, review, schedule, send, pause, resume, cancel, status.
    #[command(subcommand)]
    Campaigns(campaigns::CampaignsCommand),
    /// The suppression list: addresses Herald never sends to again.
    #[command(subcommand)]
    Suppressions(suppressions::SuppressionsCommand),
    /// Delivery and engagement events from Herald Relay: poll, status, relay token.
    #[command(subcommand)]
    Events(events::EventsCommand),
    /// Campaign analytics: numbers, rates, charts and the CSV report.
    #[command(subcommand)]
    Analytics(analytics::AnalyticsCommand),
    /// Connect event tracking: SES configuration set, SNS topic, event destination, relay.
    #[command(subcommand)]
    Tracking(tracking::TrackingCommand),
}

pub fn run(ctx: &Context, command: Command) -> Result<()> {
    match command {
        Command::Workspace(cmd) => workspaces::run(ctx, cmd),
        Command::Settings(cmd) => settings::run_settings(ctx, cmd),
        Command::Credentials(cmd) => settings::run_credentials(ctx, cmd),
        Command::Ses(cmd) => settings::run_ses(ctx, cmd),
        Command::Policy(cmd) => policy::run(ctx, cmd),
        Command::Templates(cmd) => templates::run(ctx, cmd),
        Command::Assets(cmd) => assets::run(ctx, cmd),
        Command::Contacts(cmd) => contacts::run(ctx, cmd),
        Command::Tags(cmd) => tags::run(ctx, cmd),
        Command::Fields(cmd) => fields::run(ctx, cmd),
        Command::Segments(cmd) => segments::run(ctx, cmd),
        Command::Campaigns(cmd) => campaigns::run(ctx, cmd),
        Command::Suppressions(cmd) => suppressions::run(ctx, cmd),
        Command::Events(cmd) => events::run(ctx, cmd),
        Command::Analytics(cmd) => analytics::run(ctx, cmd),
        Command::Tracking(cmd) => tracking::run(ctx, cmd),
    }
}

/// A tag named on the command line (any case).
pub fn tag_by_name(conn: &rusqlite::Connection, name: &str) -> Result<herald_core::tags::Tag> {
    herald_core::tags::find_by_name(conn, name)?.ok_or_else(|| {
        Error::Validation(vec![herald_core::FieldError::new(
            "tag",
            format!("There is no tag “{name}”; `herald tags list` shows them."),
        )])
    })
}

/// A saved segment named on the command line (any case).
pub fn segment_by_name(
    conn: &rusqlite::Connection,
    name: &str,
) -> Result<herald_core::segments::Segment> {
    herald_core::segments::find_by_name(conn, name)?.ok_or_else(|| {
        Error::Validation(vec![herald_core::FieldError::new(
            "segment",
            format!("There is no segment “{name}”; `herald segments list` shows them."),
        )])
    })
}
