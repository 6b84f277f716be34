//! Test sends: a rendered template to up to [`MAX_TEST_RECIPIENTS`] addresses through SES,
//! with the workspace's sender settings. Each address gets its own message.
//!
//! Public API (stable): [`prepare`] for unsaved editor content or [`prepare_template`] for
//! a stored template (sync: reads the workspace, renders, resolves credentials), then
//! [`PreparedTestSend::send`] (async; borrows nothing from the workspace; one result per
//! address), and [`send_blocking`] for the CLI.

use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
use serde::Serialize;
use ts_rs::TS;

use crate::assets::publish::{self, PublishItem, PublishTarget};
use crate::error::{Error, FieldError, Result};
use crate::render::{
    self, CompiledTemplate, Recipient, RenderContact, RenderWorkspace, RenderedMessage,
    SharedContext, TemplateContent, TemplateWarning,
};
use crate::secrets::SecretStore;
use crate::ses::SesConnection;
use crate::settings::{self, check_email};
use crate::workspaces::Workspace;

pub const MAX_TEST_RECIPIENTS: usize = 5;

/// One address's outcome: the SES message id, or what went wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TestSendResult {
    pub to: String,
    pub message_id: Option<String>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TestSendReport {
    pub subject: String,
    pub sent: Vec<TestSendResult>,
    /// The template's warnings (unsubscribe link, postal address, images).
    pub warnings: Vec<TemplateWarning>,
}

/// Everything needed to send, taken from the workspace.
#[derive(Debug)]
pub struct PreparedTestSend {
    ses: SesConnection,
    from: String,
    reply_to: Option<String>,
    to: Vec<String>,
    message: RenderedMessage,
    publish: Option<(PublishTarget, Vec<PublishItem>)>,
    warnings: Vec<TemplateWarning>,
}

/// Checks the addresses, renders the template for `contact` (the sample contact when
/// `None`) and resolves the SES connection. With a publishing bucket set, the template's
/// images are published and linked by their public URLs.
pub fn prepare(
    ws: &Workspace,
    secrets: &dyn SecretStore,
    content: &TemplateContent,
    to: &[String],
    contact: Option<RenderContact>,
) -> Result<PreparedTestSend> {
    let to = check_recipients(to)?;
    let s = settings::load(ws.conn())?;
    let from_address = s.from_address.clone().ok_or_else(|| {
        Error::invalid(
            "from_address",
            "Set the sender address (from_address) in Settings before sending.",
        )
    })?;
    let workspace = RenderWorkspace::from(&s);
    let warnings = render::warnings(content, &workspace, s.publishing_configured());
    let (urls, publish) = if s.publishing_configured() {
        let target = PublishTarget::for_workspace(ws, secrets)?;
        let urls = publish::public_urls(ws, &target, &content.source)?;
        let items = publish::items_for_source(ws, &target, &content.source)?;
        (urls, Some((target, items)))
    } else {
        (Default::default(), None)
    };
    let shared = SharedContext {
        workspace,
        campaign: None,
    };
    let recipient = Recipient::preview(contact.unwrap_or_else(RenderContact::sample));
    let mut message = CompiledTemplate::compile(content, &shared, &urls)?.render(&recipient)?;
    message.subject = format!("[Test] {}", message.subject);
    Ok(PreparedTestSend {
        ses: SesConnection::for_workspace(ws, secrets)?,
        from: mailbox(s.from_name.as_deref(), &from_address),
        reply_to: s.reply_to.clone(),
        to,
        message,
        publish,
        warnings,
    })
}

/// [`prepare`] for a stored template.
pub fn prepare_template(
    ws: &Workspace,
    secrets: &dyn SecretStore,
    template_id: i64,
    to: &[String],
    contact: Option<RenderContact>,
) -> Result<PreparedTestSend> {
    let template = super::get(ws, template_id)?;
    prepare(ws, secrets, &template.content(), to, contact)
}

fn check_recipients(to: &[String]) -> Result<Vec<String>> {
    let to: Vec<String> = to
        .iter()
        .map(|a| a.trim().to_owned())
        .filter(|a| !a.is_empty())
        .collect();
    if to.is_empty() {
        return Err(Error::invalid(
            "to",
            "Enter at least one address to send the test to.",
        ));
    }
    if to.len() > MAX_TEST_RECIPIENTS {
        return Err(Error::invalid(
            "to",
            format!("A test goes to at most {MAX_TEST_RECIPIENTS} addresses."),
        ));
    }
    let problems: Vec<FieldError> = to
        .iter()
        .filter_map(|a| {
            check_email(a)
                .err()
                .map(|reason| FieldError::new("to", reason))
        })
        .collect();
    if !problems.is_empty() {
        return Err(Error::Validation(problems));
    }
    Ok(to)
}

/// `"Name" <address>`, with the name encoded when it is not plain ASCII.
fn mailbox(name: Option<&str>, address: &str) -> String {
    use base64::Engine as _;
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        None => address.to_owned(),
        Some(n) if n.is_ascii() && !n.contains(['"', '\\']) => format!("\"{n}\" <{address}>"),
        Some(n) => format!(
            "=?UTF-8?B?{}?= <{address}>",
            base64::engine::general_purpose::STANDARD.encode(n)
        ),
    }
}

impl PreparedTestSend {
    pub fn message(&self) -> &RenderedMessage {
        &self.message
    }

    /// Publishes the images if needed, then sends one message per address.
    pub async fn send(self) -> Result<TestSendReport> {
        if let Some((target, items)) = &self.publish {
            if !items.is_empty() {
                target.publish(items.clone()).await?;
            }
        }
        let config = self.ses.sdk_config().await?;
        let region = config.region().map(|r| r.to_string()).unwrap_or_default();
        let client = aws_sdk_sesv2::Client::new(&config);
        let utf8 = |text: &str| {
            Content::builder()
                .data(text)
                .charset("UTF-8")
                .build()
                .map_err(|e| Error::invalid("message", e.to_string()))
        };
        let mut sent = Vec::new();
        for to in &self.to {
            let message = Message::builder()
                .subject(utf8(&self.message.subject)?)
                .body(
                    Body::builder()
                        .html(utf8(&self.message.html)?)
                        .text(utf8(&self.message.text)?)
                        .build(),
                )
                .build();
            let mut request = client
                .send_email()
                .from_email_address(&self.from)
                .destination(Destination::builder().to_addresses(to).build())
                .content(EmailContent::builder().simple(message).build());
            if let Some(reply_to) = &self.reply_to {
                request = request.reply_to_addresses(reply_to);
            }
            sent.push(match request.send().await {
                Ok(out) => TestSendResult {
                    to: to.clone(),
                    message_id: out.message_id().map(str::to_owned),
                    error: None,
                },
                Err(e) => TestSendResult {
                    to: to.clone(),
                    message_id: None,
                    error: Some(self.ses.call_error(&region, e).to_string()),
                },
            });
        }
        Ok(TestSendReport {
            subject: self.message.subject,
            sent,
            warnings: self.warnings,
        })
    }
}

/// Prepares and sends in one call, on a private runtime: the CLI's `templates test-send`.
pub fn send_blocking(
    ws: &Workspace,
    secrets: &dyn SecretStore,
    template_id: i64,
    to: &[String],
    contact: Option<RenderContact>,
) -> Result<TestSendReport> {
    let prepared = prepare_template(ws, secrets, template_id, to, contact)?;
    publish::runtime()?.block_on(prepared.send())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipients_are_checked_and_capped() {
        assert!(check_recipients(&[]).is_err());
        let six: Vec<String> = (0..6).map(|i| format!("a{i}@example.com")).collect();
        assert_eq!(check_recipients(&six).unwrap_err().code(), "validation");
        let err = check_recipients(&["ok@example.com".into(), "nope".into()]).unwrap_err();
        assert_eq!(err.fields().len(), 1);
        assert_eq!(
            check_recipients(&[" a@example.com ".into()]).unwrap(),
            vec!["a@example.com".to_owned()]
        );
    }

    #[test]
    fn sender_names_are_quoted_or_encoded() {
        assert_eq!(mailbox(None, "n@example.com"), "n@example.com");
        assert_eq!(
            mailbox(Some("Acme News"), "n@example.com"),
            "\"Acme News\" <n@example.com>"
        );
        assert!(mailbox(Some("Café"), "n@example.com").starts_with("=?UTF-8?B?"));
    }
}
