//! The real per-recipient renderer: the campaign's subject, preheader and body compiled
//! once ([`CompiledTemplate::compile`]), then filled per recipient with the contact data
//! captured in the snapshot and the recipient's own unsubscribe URL.
//!
//! Every message must carry a visible unsubscribe link and the postal address: when the
//! body lacks either, a small footer with what is missing is added at the end of the body
//! before compiling, so the HTML and the text part both carry it.

use super::Campaign;
use crate::error::{Error, Result};
use crate::render::{
    self, AssetUrls, CompiledTemplate, RenderCampaign, RenderContact, RenderWorkspace,
    SharedContext, TemplateContent, TemplateFormat, WarningCode,
};
use crate::sending::{self, Recipient, RecipientRenderer};
use crate::settings::Settings;

/// A campaign's compiled content.
#[derive(Debug)]
pub struct CampaignRenderer {
    compiled: CompiledTemplate,
}

impl CampaignRenderer {
    /// Compiles the campaign's content (with a footer added where needed) for the
    /// workspace's settings. `asset_urls` maps asset references to their public URLs.
    pub fn new(campaign: &Campaign, settings: &Settings, asset_urls: &AssetUrls) -> Result<Self> {
        let content = campaign.content().ok_or_else(|| {
            Error::invalid(
                "body_source",
                "The campaign has no body yet. Choose a template first.",
            )
        })?;
        let workspace = RenderWorkspace::from(settings);
        let content = with_footer(content, &workspace);
        let shared = SharedContext {
            workspace,
            campaign: Some(RenderCampaign {
                name: campaign.name.clone(),
                subject: campaign.subject.clone(),
            }),
        };
        let compiled = CompiledTemplate::compile(&content, &shared, asset_urls)?;
        Ok(Self { compiled })
    }

    /// Renders one recipient (the engine calls this through [`RecipientRenderer`]).
    pub fn render_contact(
        &self,
        contact: RenderContact,
        unsubscribe_url: &str,
    ) -> std::result::Result<render::RenderedMessage, render::TemplateError> {
        self.compiled.render(&render::Recipient {
            contact,
            unsubscribe_url: unsubscribe_url.to_owned(),
            view_in_browser_url: String::new(),
        })
    }
}

impl RecipientRenderer for CampaignRenderer {
    fn render(
        &self,
        _campaign: &Campaign,
        recipient: &Recipient,
        unsubscribe_url: &str,
    ) -> std::result::Result<sending::RenderedMessage, String> {
        let contact = recipient
            .variables
            .clone()
            .and_then(|v| serde_json::from_value::<RenderContact>(v).ok())
            .unwrap_or_else(|| RenderContact {
                email: recipient.email.clone(),
                first_name: None,
                last_name: None,
                status: "subscribed".into(),
                fields: Default::default(),
            });
        let message = self
            .render_contact(contact, unsubscribe_url)
            .map_err(|e| e.to_string())?;
        Ok(sending::RenderedMessage {
            subject: message.subject,
            html: message.html,
            text: message.text,
        })
    }
}

/// The content exactly as it is sent (with the footer added where needed), e.g. for a
/// test send through [`crate::templates::test_send::prepare`]; `None` without a body.
pub fn sending_content(campaign: &Campaign, settings: &Settings) -> Option<TemplateContent> {
    Some(with_footer(
        campaign.content()?,
        &RenderWorkspace::from(settings),
    ))
}

const FOOTER_STYLE: &str =
    "font-family:Arial,Helvetica,sans-serif;font-size:12px;line-height:18px;color:#666666;text-align:center;padding:24px 16px;";
const POSTAL: &str = "{{ workspace.postal_address | escape | linebreaksbr | safe }}";
const UNSUBSCRIBE: &str =
    "<a ses:no-track href=\"{{ unsubscribe_url }}\" style=\"color:#666666;text-decoration:underline;\">Unsubscribe</a>";

/// The content with a footer carrying whatever of the unsubscribe link and the postal
/// address the body does not already show.
pub fn with_footer(mut content: TemplateContent, workspace: &RenderWorkspace) -> TemplateContent {
    let warnings = render::warnings(&content, workspace, true);
    let needs_unsubscribe = warnings
        .iter()
        .any(|w| w.code == WarningCode::MissingUnsubscribe);
    let needs_postal = warnings
        .iter()
        .any(|w| w.code == WarningCode::MissingPostalAddress);
    if !needs_unsubscribe && !needs_postal {
        return content;
    }
    let mut parts = Vec::new();
    if needs_postal {
        parts.push(format!(
            "{{% if workspace.postal_address %}}{POSTAL}{{% endif %}}"
        ));
    }
    if needs_unsubscribe {
        parts.push(UNSUBSCRIBE.to_owned());
    }
    let inner = parts.join("<br>");
    let (footer, closing) = match content.format {
        TemplateFormat::Html => (
            format!("<div data-herald-footer style=\"{FOOTER_STYLE}\">{inner}</div>"),
            "</body>",
        ),
        TemplateFormat::Mjml => (
            format!(
                "<mj-section><mj-column><mj-text align=\"center\" font-size=\"12px\" line-height=\"18px\" color=\"#666666\">{inner}</mj-text></mj-column></mj-section>"
            ),
            "</mj-body>",
        ),
    };
    let lower = content.source.to_ascii_lowercase();
    match lower.rfind(closing) {
        Some(at) => content.source.insert_str(at, &footer),
        None => content.source.push_str(&footer),
    }
    content
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workspace() -> RenderWorkspace {
        RenderWorkspace {
            postal_address: Some("1 Main St\nSpringfield".into()),
            ..RenderWorkspace::default()
        }
    }

    fn render(format: TemplateFormat, source: &str) -> render::RenderedMessage {
        let content = with_footer(
            TemplateContent {
                format,
                source: source.into(),
                subject: "Hi {{ first_name | default(value=\"there\") }}".into(),
                preheader: "Spring is here".into(),
            },
            &workspace(),
        );
        let compiled = CompiledTemplate::compile(
            &content,
            &SharedContext {
                workspace: workspace(),
                campaign: None,
            },
            &AssetUrls::new(),
        )
        .unwrap();
        let renderer = CampaignRenderer { compiled };
        renderer
            .render_contact(
                RenderContact {
                    email: "jane@example.com".into(),
                    first_name: Some("Jane".into()),
                    last_name: None,
                    status: "subscribed".into(),
                    fields: Default::default(),
                },
                "https://relay.example/u/TOKEN",
            )
            .unwrap()
    }

    #[test]
    fn a_body_without_footer_gets_the_link_and_the_postal_address() {
        for (format, source) in [
            (
                TemplateFormat::Html,
                "<html><body><p>Hello {{ first_name }}</p></body></html>",
            ),
            (
                TemplateFormat::Mjml,
                "<mjml><mj-body><mj-section><mj-column><mj-text>Hello {{ first_name }}</mj-text></mj-column></mj-section></mj-body></mjml>",
            ),
        ] {
            let m = render(format, source);
            assert_eq!(m.subject, "Hi Jane");
            assert!(m.html.contains("Hello Jane"), "{format:?}");
            assert!(
                m.html.contains("https://relay.example/u/TOKEN"),
                "{format:?}: {}",
                m.html
            );
            assert!(m.html.contains("1 Main St<br>Springfield"), "{}", m.html);
            assert!(m.html.contains("Spring is here"), "hidden preheader");
            assert!(m.text.contains("https://relay.example/u/TOKEN"), "{}", m.text);
            assert!(m.text.contains("Springfield"), "{}", m.text);
        }
    }

    #[test]
    fn a_body_with_its_own_footer_is_left_alone() {
        let source = "<html><body><p>Hi</p><p>{{ workspace.postal_address }} <a href=\"{{ unsubscribe_url }}\">Leave</a></p></body></html>";
        let m = render(TemplateFormat::Html, source);
        assert!(!m.html.contains("data-herald-footer"));
        assert_eq!(m.html.matches("https://relay.example/u/TOKEN").count(), 1);
    }
}
