//! Rendering email templates: MJML (through `mrml`) or HTML source with Tera variables
//! becomes email-ready HTML with CSS inlined (`css-inline`) and a plain-text part.
//!
//! Public API (stable; front ends and the campaign sender build on it):
//! - [`TemplateContent`]: what is rendered (format, source, subject, preheader).
//! - [`SharedContext`] (workspace sender details, optional campaign) and [`Recipient`]
//!   ([`RenderContact`] + unsubscribe and view-in-browser links): what a template sees.
//! - [`CompiledTemplate::compile`] once per campaign: MJML → HTML → CSS inlined → text part
//!   derived → Tera templates compiled. Then [`CompiledTemplate::render`] per recipient only
//!   fills variables, giving a [`RenderedMessage`] `{subject, html, text}`.
//! - [`render_once`]: compile and render in one go (the naive path; tests and benchmarks).
//! - [`preview`]: for the editor; never fails, returns the message or a [`TemplateError`]
//!   plus [`TemplateWarning`]s, and is bounded in time.
//! - [`warnings`]: missing unsubscribe link or postal address, local images.
//!
//! The context: `contact` (email, first_name, last_name, status, every custom field as
//! `contact.<key>` and `contact.fields.<key>`), `campaign` (name, subject; null in
//! previews), `workspace` (from_name, from_address, reply_to, postal_address),
//! `unsubscribe_url`, `view_in_browser_url`, and the flat aliases `first_name`,
//! `last_name`, `email`. Missing or blank values are null, so
//! `{{ contact.first_name | default(value="there") }}` falls back.
//!
//! Sandbox: templates come from users, so no `include`/`import`/`extends` (nothing is ever
//! read from disk; MJML's `mj-include` is refused too), `get_env` is disabled, `range` is
//! capped at [`MAX_RANGE`] items, each part's output is capped at [`MAX_OUTPUT_BYTES`] and a
//! render stops after [`MAX_RENDER_TIME`]. Errors name the line (in the template source)
//! and the variable where Tera or MJML say which.

pub mod context;
pub mod text;

use std::collections::HashMap;
use std::fmt;
use std::io::Write;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use regex::Regex;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use context::{
    sample_contact, Recipient, RenderCampaign, RenderContact, RenderWorkspace, SharedContext,
};

/// Largest template source accepted, in bytes.
pub const MAX_SOURCE_BYTES: usize = 512 * 1024;
/// Largest output of one part (HTML, text or subject) of one message, in bytes.
pub const MAX_OUTPUT_BYTES: usize = 2 * 1024 * 1024;
/// Longest a single render (or a whole preview) may take.
pub const MAX_RENDER_TIME: Duration = Duration::from_secs(2);
/// Most items `range()` may produce.
pub const MAX_RANGE: usize = 1000;

/// How the template source is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TemplateFormat {
    Mjml,
    Html,
}

impl TemplateFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            TemplateFormat::Mjml => "mjml",
            TemplateFormat::Html => "html",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "mjml" => Some(TemplateFormat::Mjml),
            "html" => Some(TemplateFormat::Html),
            _ => None,
        }
    }
}

/// What gets rendered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TemplateContent {
    pub format: TemplateFormat,
    pub source: String,
    pub subject: String,
    /// The inbox preview line. Ignored when an MJML source has its own `<mj-preview>`.
    pub preheader: String,
}

/// One message, ready to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RenderedMessage {
    pub subject: String,
    pub html: String,
    pub text: String,
}

/// Which field of the template an error is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TemplatePart {
    Source,
    Subject,
    Preheader,
}

/// A problem in a template, placed as precisely as Tera and MJML allow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TemplateError {
    pub part: TemplatePart,
    /// 1-based line in that part, when known.
    pub line: Option<u32>,
    /// 1-based column, when known.
    pub column: Option<u32>,
    /// The variable involved, e.g. `contact.nickname`, when there is one.
    pub variable: Option<String>,
    pub message: String,
}

impl TemplateError {
    fn new(part: TemplatePart, message: impl Into<String>) -> Self {
        Self {
            part,
            line: None,
            column: None,
            variable: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let part = match self.part {
            TemplatePart::Source => "Template",
            TemplatePart::Subject => "Subject",
            TemplatePart::Preheader => "Preheader",
        };
        match (self.line, self.column) {
            (Some(line), Some(col)) => write!(f, "{part}, line {line}, column {col}: ")?,
            (Some(line), None) => write!(f, "{part}, line {line}: ")?,
            _ => write!(f, "{part}: ")?,
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for TemplateError {}

impl From<TemplateError> for crate::Error {
    fn from(e: TemplateError) -> Self {
        crate::Error::Template(e)
    }
}

/// Something worth fixing that does not stop rendering; a stable code for front ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum WarningCode {
    MissingUnsubscribe,
    MissingPostalAddress,
    PostalAddressNotSet,
    LocalImagesWithoutBucket,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TemplateWarning {
    pub code: WarningCode,
    /// 1-based line in the source it is about, when it is about one place.
    pub line: Option<u32>,
    pub message: String,
}

/// What the editor shows: the rendered message or the error, and warnings either way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Preview {
    pub message: Option<RenderedMessage>,
    pub error: Option<TemplateError>,
    pub warnings: Vec<TemplateWarning>,
}

/// Asset URLs to substitute for `assets/<sha256>.<ext>` references: sha256 → URL.
pub type AssetUrls = HashMap<String, String>;

const HTML: &str = "body.html";
const TEXT: &str = "body.txt";
const SUBJECT: &str = "subject.txt";

/// How the text part is produced per recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextMode {
    /// From a text template derived once from the HTML; only variables are filled in.
    Compiled,
    /// Control flow did not survive the conversion: convert each rendered HTML instead.
    PerRecipient,
}

/// A template made ready for many recipients.
pub struct CompiledTemplate {
    tera: tera::Tera,
    base: tera::Context,
    text_mode: TextMode,
    source: String,
    subject: String,
}

impl fmt::Debug for CompiledTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CompiledTemplate")
            .field("text_mode", &self.text_mode)
            .finish_non_exhaustive()
    }
}

impl CompiledTemplate {
    /// Compiles once: sandbox checks, MJML → HTML, CSS inlining, text derivation and the
    /// Tera templates. `asset_urls` replaces asset references (public URLs when sending,
    /// data URIs in previews); references without an entry are left as they are.
    pub fn compile(
        content: &TemplateContent,
        shared: &SharedContext,
        asset_urls: &AssetUrls,
    ) -> Result<Self, TemplateError> {
        let source = content.source.as_str();
        if source.len() > MAX_SOURCE_BYTES {
            return Err(TemplateError::new(
                TemplatePart::Source,
                format!(
                    "The template is {} KB; the limit is {} KB.",
                    source.len() / 1024,
                    MAX_SOURCE_BYTES / 1024
                ),
            ));
        }
        check_sandbox(source, TemplatePart::Source)?;
        check_sandbox(&content.subject, TemplatePart::Subject)?;
        check_sandbox(&content.preheader, TemplatePart::Preheader)?;
        // Tera syntax first, against what the user wrote, so errors carry their lines.
        check_syntax(source, TemplatePart::Source)?;
        check_syntax(&content.subject, TemplatePart::Subject)?;
        check_syntax(&content.preheader, TemplatePart::Preheader)?;

        let with_assets = crate::assets::rewrite_refs(source, asset_urls);
        let with_preheader = insert_preheader(content.format, &with_assets, &content.preheader);
        let tokens = Tokenized::new(&with_preheader, content.format);
        let html = match content.format {
            TemplateFormat::Mjml => mjml_to_html(&tokens, source)?,
            TemplateFormat::Html => tokens.text.clone(),
        };
        let inlined = inline_css(&html)?;
        // Control tags between table rows only keep their place in an HTML parser as
        // comments; the text converter would move them, so such templates convert per message.
        let text_safe = !TABLE_CONTROL.is_match(&inlined);
        let text = text::html_to_text(&COMMENT_TOKEN.replace_all(&inlined, "$1"));

        let html_template = tokens.restore(&inlined);
        let (text_template, text_complete) = tokens.restore_checked(&text);

        let mut tera = new_tera();
        tera.add_raw_template(HTML, &html_template)
            .map_err(|e| map_tera_error(&e, source, TemplatePart::Source))?;
        tera.add_raw_template(SUBJECT, &content.subject)
            .map_err(|e| map_tera_error(&e, &content.subject, TemplatePart::Subject))?;
        let text_mode =
            if text_safe && text_complete && tera.add_raw_template(TEXT, &text_template).is_ok() {
                TextMode::Compiled
            } else {
                TextMode::PerRecipient
            };
        Ok(Self {
            tera,
            base: shared.base(),
            text_mode,
            source: source.to_owned(),
            subject: content.subject.clone(),
        })
    }

    /// Renders one message: only the variables are filled in.
    pub fn render(&self, recipient: &Recipient) -> Result<RenderedMessage, TemplateError> {
        let ctx = context::recipient_context(&self.base, recipient);
        let deadline = Instant::now() + MAX_RENDER_TIME;
        let html = self.run(HTML, &ctx, deadline, &self.source, TemplatePart::Source)?;
        let text = match self.text_mode {
            TextMode::Compiled => {
                self.run(TEXT, &ctx, deadline, &self.source, TemplatePart::Source)?
            }
            TextMode::PerRecipient => text::html_to_text(&html),
        };
        let subject = self.run(
            SUBJECT,
            &ctx,
            deadline,
            &self.subject,
            TemplatePart::Subject,
        )?;
        // A header is one line.
        let subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
        Ok(RenderedMessage {
            subject,
            html,
            text,
        })
    }

    fn run(
        &self,
        name: &str,
        ctx: &tera::Context,
        deadline: Instant,
        source: &str,
        part: TemplatePart,
    ) -> Result<String, TemplateError> {
        let mut out = BoundedWriter::new(deadline);
        match self.tera.render_to(name, ctx, &mut out) {
            Ok(()) => Ok(String::from_utf8(out.buf).unwrap_or_else(|e| {
                String::from_utf8_lossy(e.as_bytes()).into_owned()
            })),
            Err(_) if out.overflowed => Err(TemplateError::new(
                part,
                format!(
                    "The rendered message is larger than {} MB. Check loops in the template.",
                    MAX_OUTPUT_BYTES / (1024 * 1024)
                ),
            )),
            Err(_) if out.timed_out => Err(TemplateError::new(
                part,
                format!(
                    "Rendering took longer than {} seconds and was stopped. Check loops in the template.",
                    MAX_RENDER_TIME.as_secs()
                ),
            )),
            Err(e) => Err(map_tera_error(&e, source, part)),
        }
    }
}

/// Compiles and renders in one step (the naive path: everything per message).
pub fn render_once(
    content: &TemplateContent,
    shared: &SharedContext,
    recipient: &Recipient,
    asset_urls: &AssetUrls,
) -> Result<RenderedMessage, TemplateError> {
    CompiledTemplate::compile(content, shared, asset_urls)?.render(recipient)
}

/// Renders for the editor: the message or the error, with warnings. Runs on a helper
/// thread so a runaway template cannot hang the caller beyond [`MAX_RENDER_TIME`].
pub fn preview(
    content: &TemplateContent,
    shared: &SharedContext,
    recipient: &Recipient,
    asset_urls: &AssetUrls,
    publishing_configured: bool,
) -> Preview {
    let warnings = warnings(content, &shared.workspace, publishing_configured);
    let (tx, rx) = std::sync::mpsc::channel();
    let job = (
        content.clone(),
        shared.clone(),
        recipient.clone(),
        asset_urls.clone(),
    );
    std::thread::spawn(move || {
        let (content, shared, recipient, urls) = job;
        let _ = tx.send(render_once(&content, &shared, &recipient, &urls));
    });
    // Compiling (MJML, CSS) gets its own allowance on top of the render's.
    let result = rx.recv_timeout(MAX_RENDER_TIME * 2).unwrap_or_else(|_| {
        Err(TemplateError::new(
            TemplatePart::Source,
            "Rendering took too long and was stopped. Check loops in the template.",
        ))
    });
    match result {
        Ok(message) => Preview {
            message: Some(message),
            error: None,
            warnings,
        },
        Err(error) => Preview {
            message: None,
            error: Some(error),
            warnings,
        },
    }
}

static UNSUBSCRIBE_USE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\{\{[^}]*\bunsubscribe_url\b").expect("valid regex"));
static POSTAL_USE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\{\{[^}]*\bworkspace\.postal_address\b").expect("valid regex"));

/// Checks a template for what every marketing email needs.
pub fn warnings(
    content: &TemplateContent,
    workspace: &RenderWorkspace,
    publishing_configured: bool,
) -> Vec<TemplateWarning> {
    let mut out = Vec::new();
    if !UNSUBSCRIBE_USE.is_match(&content.source) {
        out.push(TemplateWarning {
            code: WarningCode::MissingUnsubscribe,
            line: None,
            message: "There is no unsubscribe link. Add <a href=\"{{ unsubscribe_url }}\">Unsubscribe</a>: \
                      the law and mailbox providers require one."
                .into(),
        });
    }
    if !POSTAL_USE.is_match(&content.source) {
        out.push(TemplateWarning {
            code: WarningCode::MissingPostalAddress,
            line: None,
            message:
                "The postal address is missing. Add {{ workspace.postal_address }} to the footer: \
                      anti-spam laws require it."
                    .into(),
        });
    } else if workspace
        .postal_address
        .as_deref()
        .is_none_or(|a| a.trim().is_empty())
    {
        out.push(TemplateWarning {
            code: WarningCode::PostalAddressNotSet,
            line: None,
            message: "The workspace has no postal address yet; set it in Settings.".into(),
        });
    }
    let first_asset = crate::assets::first_reference(&content.source);
    if let (false, Some(at)) = (publishing_configured, first_asset) {
        out.push(TemplateWarning {
            code: WarningCode::LocalImagesWithoutBucket,
            line: Some(line_col(&content.source, at).0),
            message:
                "This template uses images from the asset library, but no publishing bucket is \
                      set up, so recipients would not see them. Set the assets bucket in Settings."
                    .into(),
        });
    }
    out
}

/// The variables a template uses, as written: `contact.first_name`, `unsubscribe_url`…
pub fn variables(content: &TemplateContent) -> Vec<String> {
    static EXPR: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?s)\{\{(.*?)\}\}|\{%(.*?)%\}").expect("valid regex"));
    static PATH: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?:"[^"]*"|'[^']*'|\b([a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)*))"#)
            .expect("valid regex")
    });
    const ROOTS: [&str; 8] = [
        "contact",
        "campaign",
        "workspace",
        "unsubscribe_url",
        "view_in_browser_url",
        "first_name",
        "last_name",
        "email",
    ];
    let mut found = std::collections::BTreeSet::new();
    for text in [&content.subject, &content.preheader, &content.source] {
        for caps in EXPR.captures_iter(text) {
            let inner = caps.get(1).or(caps.get(2)).map_or("", |m| m.as_str());
            for path in PATH.captures_iter(inner).filter_map(|c| c.get(1)) {
                let path = path.as_str();
                let root = path.split('.').next().unwrap_or(path);
                // Only the objects have fields; `unsubscribe_url.x` is not a variable.
                let object = matches!(root, "contact" | "campaign" | "workspace");
                if ROOTS.contains(&root) && (object || !path.contains('.')) {
                    found.insert(path.to_owned());
                }
            }
        }
    }
    found.into_iter().collect()
}

// ---- sandbox -------------------------------------------------------------------------

static FORBIDDEN_TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\{%-?\s*(include|import|extends)\b|<mj-include\b").expect("valid regex")
});

fn check_sandbox(text: &str, part: TemplatePart) -> Result<(), TemplateError> {
    if let Some(m) = FORBIDDEN_TAG.find(text) {
        let (line, column) = line_col(text, m.start());
        let what = if m.as_str().starts_with("<mj-include") {
            "mj-include".to_owned()
        } else {
            m.as_str()
                .trim_start_matches("{%")
                .trim_start_matches('-')
                .trim()
                .to_owned()
        };
        return Err(TemplateError {
            part,
            line: Some(line),
            column: Some(column),
            variable: None,
            message: format!(
                "“{what}” is not allowed: templates cannot read other files. Paste the content in instead."
            ),
        });
    }
    Ok(())
}

fn new_tera() -> tera::Tera {
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![".html"]);
    tera.set_escape_fn(escape_html);
    tera.register_function("range", bounded_range);
    tera.register_function("get_env", |_: &HashMap<String, tera::Value>| {
        Err(tera::Error::msg(
            "get_env is not available in email templates",
        ))
    });
    tera
}

/// Like Tera's, without escaping `/`: URLs in links stay readable in the HTML source.
fn escape_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + 8);
    for c in input.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn bounded_range(args: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    let number = |key: &str, default: i64| -> tera::Result<i64> {
        match args.get(key) {
            None => Ok(default),
            Some(v) => v
                .as_i64()
                .ok_or_else(|| tera::Error::msg(format!("range: `{key}` must be a whole number"))),
        }
    };
    let start = number("start", 0)?;
    let end = number("end", 0)?;
    let step = number("step_by", 1)?;
    if step <= 0 {
        return Err(tera::Error::msg("range: `step_by` must be positive"));
    }
    let count = ((end - start).max(0) + step - 1) / step;
    if count > MAX_RANGE as i64 {
        return Err(tera::Error::msg(format!(
            "range: at most {MAX_RANGE} items are allowed in an email template"
        )));
    }
    Ok(tera::Value::Array(
        (start..end)
            .step_by(step as usize)
            .map(tera::Value::from)
            .collect(),
    ))
}

/// Collects output, refusing more than [`MAX_OUTPUT_BYTES`] or writing past the deadline.
struct BoundedWriter {
    buf: Vec<u8>,
    deadline: Instant,
    writes: u32,
    overflowed: bool,
    timed_out: bool,
}

impl BoundedWriter {
    fn new(deadline: Instant) -> Self {
        Self {
            buf: Vec::with_capacity(32 * 1024),
            deadline,
            writes: 0,
            overflowed: false,
            timed_out: false,
        }
    }
}

impl Write for BoundedWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if self.buf.len() + data.len() > MAX_OUTPUT_BYTES {
            self.overflowed = true;
            return Err(std::io::Error::other("output limit"));
        }
        self.writes = self.writes.wrapping_add(1);
        if self.writes % 256 == 0 && Instant::now() > self.deadline {
            self.timed_out = true;
            return Err(std::io::Error::other("time limit"));
        }
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

// ---- compile steps -------------------------------------------------------------------

fn check_syntax(text: &str, part: TemplatePart) -> Result<(), TemplateError> {
    let mut tera = new_tera();
    tera.add_raw_template("check", text)
        .map(|_| ())
        .map_err(|e| map_tera_error(&e, text, part))
}

/// Puts the preheader in: as `<mj-preview>` for MJML (unless the source has one), as a
/// hidden block at the top of the body for HTML.
fn insert_preheader(format: TemplateFormat, source: &str, preheader: &str) -> String {
    let preheader = preheader.trim();
    if preheader.is_empty() {
        return source.to_owned();
    }
    let escaped = preheader
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    match format {
        TemplateFormat::Mjml => {
            if source.contains("<mj-preview") {
                return source.to_owned();
            }
            let tag = format!("<mj-preview>{escaped}</mj-preview>");
            if let Some(pos) = source.find("<mj-head>") {
                let at = pos + "<mj-head>".len();
                format!("{}{tag}{}", &source[..at], &source[at..])
            } else if let Some(pos) = source.find("<mjml") {
                match source[pos..].find('>') {
                    Some(end) => {
                        let at = pos + end + 1;
                        format!("{}<mj-head>{tag}</mj-head>{}", &source[..at], &source[at..])
                    }
                    None => source.to_owned(),
                }
            } else {
                source.to_owned()
            }
        }
        TemplateFormat::Html => {
            static BODY: LazyLock<Regex> =
                LazyLock::new(|| Regex::new(r"(?i)<body[^>]*>").expect("valid regex"));
            let block = format!(
                "<div style=\"display:none;font-size:1px;line-height:1px;max-height:0;max-width:0;opacity:0;overflow:hidden;\">{escaped}</div>"
            );
            match BODY.find(source) {
                Some(m) => format!("{}{block}{}", &source[..m.end()], &source[m.end()..]),
                None => format!("{block}{source}"),
            }
        }
    }
}

fn mjml_to_html(tokens: &Tokenized, original: &str) -> Result<String, TemplateError> {
    static POSITION: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r" at position (\d+):\d+").expect("valid regex"));
    static LINE_COL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r" at (\d+):(\d+)").expect("valid regex"));
    let parsed = mrml::parse(&tokens.text).map_err(|e| {
        if let Some(err) = unbalanced_tag(tokens, original) {
            return err;
        }
        let mut raw = e.to_string();
        if let Some(inner) = std::error::Error::source(&e) {
            raw = format!("{raw}: {inner}");
        }
        let mut err = TemplateError::new(TemplatePart::Source, "");
        let offset = POSITION
            .captures(&raw)
            .and_then(|c| c[1].parse::<usize>().ok())
            .or_else(|| {
                let c = LINE_COL.captures(&raw)?;
                offset_of(&tokens.text, c[1].parse().ok()?, c[2].parse().ok()?)
            });
        if let Some(pos) = offset {
            let (line, column) = line_col(original, tokens.original_offset(pos));
            err.line = Some(line);
            err.column = Some(column);
        }
        let what = LINE_COL
            .replace_all(&POSITION.replace_all(&raw, ""), "")
            .into_owned();
        err.message = format!(
            "The MJML could not be read ({}). Check that every tag is closed and spelled right.",
            what.replace(" in root template", "")
        );
        err
    })?;
    let options = mrml::prelude::render::RenderOptions {
        disable_comments: true,
        ..Default::default()
    };
    parsed.element.render(&options).map_err(|e| {
        TemplateError::new(
            TemplatePart::Source,
            format!("The MJML could not be turned into HTML: {e}"),
        )
    })
}

/// Finds the first MJML tag that is closed by the wrong end tag or never closed: mrml only
/// says "unexpected end of stream" for those.
fn unbalanced_tag(tokens: &Tokenized, original: &str) -> Option<TemplateError> {
    static TAG: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"<(/?)(mjml|mj-[a-z-]+)\b[^>]*?(/?)>").expect("valid regex"));
    let text = &tokens.text;
    let place = |pos: usize, message: String| {
        let (line, column) = line_col(original, tokens.original_offset(pos));
        TemplateError {
            part: TemplatePart::Source,
            line: Some(line),
            column: Some(column),
            variable: None,
            message,
        }
    };
    let mut open: Vec<(String, usize)> = Vec::new();
    for caps in TAG.captures_iter(text) {
        let whole = caps.get(0).expect("match");
        let name = caps[2].to_owned();
        if &caps[3] == "/" {
            continue;
        }
        if caps[1].is_empty() {
            open.push((name, whole.start()));
            continue;
        }
        match open.pop() {
            Some((expected, _)) if expected == name => {}
            Some((expected, at)) => {
                let (line, _) = line_col(original, tokens.original_offset(at));
                return Some(place(
                    whole.start(),
                    format!("</{name}> closes <{expected}>, opened on line {line}. Close <{expected}> first."),
                ));
            }
            None => {
                return Some(place(
                    whole.start(),
                    format!("</{name}> has no opening tag."),
                ))
            }
        }
    }
    open.pop()
        .map(|(name, at)| place(at, format!("<{name}> is never closed; add </{name}>.")))
}

fn offset_of(text: &str, line: usize, column: usize) -> Option<usize> {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let col: usize = l
                .chars()
                .take(column.saturating_sub(1))
                .map(char::len_utf8)
                .sum();
            return Some(offset + col);
        }
        offset += l.len();
    }
    None
}

fn inline_css(html: &str) -> Result<String, TemplateError> {
    let inliner = css_inline::CSSInliner::options()
        .keep_style_tags(false)
        .keep_at_rules(true)
        .load_remote_stylesheets(false)
        .build();
    inliner.inline(html).map_err(|e| {
        TemplateError::new(
            TemplatePart::Source,
            format!("The CSS could not be inlined: {e}"),
        )
    })
}

/// The template with every Tera tag replaced by a plain token, so HTML tools (MJML, the
/// CSS inliner, the text converter) pass them through untouched.
struct Tokenized {
    text: String,
    originals: Vec<String>,
    /// (start in `text`, token length, start in the source, original length)
    spans: Vec<(usize, usize, usize, usize)>,
}

static TERA_TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}").expect("valid regex"));
static TOKEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<!--\s*hrldtk(\d+)x\s*-->|hrldtk(\d+)x").expect("valid regex"));
static COMMENT_TOKEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<!--\s*(hrldtk\d+x)\s*-->").expect("valid regex"));
static TABLE_CONTROL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:</t[dh]>|<(?:/?(?:tr|tbody|thead|tfoot)|table)\b[^>]*>)\s*<!--\s*hrldtk\d+x\s*-->|<!--\s*hrldtk\d+x\s*-->\s*<(?:/?(?:tr|tbody|thead|tfoot|table)|t[dh])\b",
    )
    .expect("valid regex")
});

impl Tokenized {
    /// In HTML, control tags and comments outside a tag become HTML comments, which an HTML
    /// parser leaves in place even between table rows. (MJML drops comments; its structure
    /// has no tables for them to fall out of.)
    fn new(source: &str, format: TemplateFormat) -> Self {
        let mut text = String::with_capacity(source.len());
        let mut originals = Vec::new();
        let mut spans = Vec::new();
        let mut last = 0;
        for m in TERA_TAG.find_iter(source) {
            text.push_str(&source[last..m.start()]);
            let inside_tag = match (text.rfind('<'), text.rfind('>')) {
                (Some(open), Some(close)) => open > close,
                (Some(_), None) => true,
                _ => false,
            };
            let control = !m.as_str().starts_with("{{");
            let token = if format == TemplateFormat::Html && control && !inside_tag {
                format!("<!--hrldtk{}x-->", originals.len())
            } else {
                format!("hrldtk{}x", originals.len())
            };
            spans.push((text.len(), token.len(), m.start(), m.len()));
            text.push_str(&token);
            originals.push(m.as_str().to_owned());
            last = m.end();
        }
        text.push_str(&source[last..]);
        Self {
            text,
            originals,
            spans,
        }
    }

    fn restore(&self, text: &str) -> String {
        self.restore_checked(text).0
    }

    /// Restores the tags; the flag says whether every control tag (`{% %}`) is still there,
    /// exactly once, so the result keeps the template's structure.
    fn restore_checked(&self, text: &str) -> (String, bool) {
        let mut seen = vec![0u32; self.originals.len()];
        let restored = TOKEN.replace_all(text, |caps: &regex::Captures| {
            let index = caps.get(1).or(caps.get(2)).map_or("", |m| m.as_str());
            match index
                .parse::<usize>()
                .ok()
                .and_then(|i| self.originals.get(i).map(|o| (i, o)))
            {
                Some((i, original)) => {
                    seen[i] += 1;
                    original.clone()
                }
                None => caps[0].to_owned(),
            }
        });
        let complete = self
            .originals
            .iter()
            .zip(&seen)
            .all(|(original, n)| *n == 1 || (!original.starts_with("{%") && *n <= 1));
        (restored.into_owned(), complete)
    }

    /// Maps a byte offset in the tokenized text back to the source.
    fn original_offset(&self, pos: usize) -> usize {
        let mut shift: isize = 0;
        for &(start, len, orig_start, orig_len) in &self.spans {
            if start > pos {
                break;
            }
            if pos < start + len {
                return orig_start;
            }
            shift += orig_len as isize - len as isize;
        }
        (pos as isize + shift).max(0) as usize
    }
}

// ---- errors --------------------------------------------------------------------------

fn line_col(text: &str, offset: usize) -> (u32, u32) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() as u32 + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
    (line, column)
}

static PARSE_POSITION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"-->\s*(\d+):(\d+)").expect("valid regex"));
static PARSE_REASON: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?m)^\s*=\s*(.+)$").expect("valid regex"));
static MISSING_VARIABLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"Variable `([^`]+)` not found").expect("valid regex"));
static NAMED_THING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(Filter|Function|Test) `([^`]+)` (?:not found|was called)").expect("valid regex")
});

/// Turns Tera's error chain into a [`TemplateError`] with a line in `source`.
fn map_tera_error(err: &tera::Error, source: &str, part: TemplatePart) -> TemplateError {
    let mut chain = vec![err.to_string()];
    let mut cause = std::error::Error::source(err);
    while let Some(inner) = cause {
        chain.push(inner.to_string());
        cause = inner.source();
    }
    let all = chain.join("\n");
    let mut out = TemplateError::new(part, "");

    if let Some(caps) = PARSE_POSITION.captures(&all) {
        out.line = caps[1].parse().ok();
        out.column = caps[2].parse().ok();
        let reason = PARSE_REASON
            .captures(&all)
            .map(|c| c[1].trim().to_owned())
            .unwrap_or_else(|| "the template syntax is invalid".into());
        out.message = format!("Syntax error: {reason}.");
        return out;
    }
    if let Some(caps) = MISSING_VARIABLE.captures(&all) {
        let variable = caps[1].to_owned();
        if let Some((line, column)) = locate_in_tags(source, &variable) {
            out.line = Some(line);
            out.column = Some(column);
        }
        out.message = format!(
            "`{variable}` has no value here. Check the spelling, or give a fallback: \
             {{{{ {variable} | default(value=\"…\") }}}}."
        );
        out.variable = Some(variable);
        return out;
    }
    if let Some(caps) = NAMED_THING.captures(&all) {
        let name = caps[2].to_owned();
        if let Some((line, column)) = locate_in_tags(source, &name) {
            out.line = Some(line);
            out.column = Some(column);
        }
    }
    // The innermost message is the specific one; the outer ones only say "failed to render".
    let detail = chain
        .iter()
        .rev()
        .find(|m| !m.starts_with("Failed to render"))
        .cloned()
        .unwrap_or_else(|| all.clone());
    out.message = detail
        .replace(&format!(" while rendering '{HTML}'"), "")
        .replace(&format!(" while rendering '{TEXT}'"), "")
        .replace(&format!(" while rendering '{SUBJECT}'"), "")
        .replace(" while rendering 'check'", "");
    out
}

/// Where `name` first appears inside a Tera tag of `source`.
fn locate_in_tags(source: &str, name: &str) -> Option<(u32, u32)> {
    let pattern = Regex::new(&format!(r"\b{}\b", regex::escape(name))).ok()?;
    TERA_TAG.find_iter(source).find_map(|tag| {
        pattern
            .find(tag.as_str())
            .map(|m| line_col(source, tag.start() + m.start()))
    })
}

#[cfg(test)]
mod tests;
