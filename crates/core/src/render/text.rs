//! The plain-text part, generated from the HTML: paragraphs and headings as lines, tables
//! laid out as blocks (email layouts are tables, not data), links as "text (url)", images by
//! their alt text, hidden preheader text left out.

use std::sync::LazyLock;

use html2text::render::{TaggedLine, TextDecorator};
use regex::Regex;

/// Line width of the text part.
pub const TEXT_WIDTH: usize = 78;

/// The hidden preheader block Herald and MJML put at the top of the body; not shown in text.
static HIDDEN_BLOCK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?is)<div[^>]*style="[^"]*display:\s*none[^"]*"[^>]*>.*?</div>"#)
        .expect("valid regex")
});

static BLANK_RUNS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\n[ \t]*(\n[ \t]*){2,}").expect("valid regex"));

/// Converts email HTML into its plain-text alternative.
pub fn html_to_text(html: &str) -> String {
    let visible = HIDDEN_BLOCK.replace_all(html, "");
    let text = html2text::config::with_decorator(LinkDecorator::default())
        .raw_mode(true)
        .no_table_borders()
        .no_link_wrapping()
        .string_from_read(visible.as_bytes(), TEXT_WIDTH)
        .unwrap_or_else(|_| visible.into_owned());
    let trimmed: Vec<&str> = text.lines().map(str::trim_end).collect();
    let joined = trimmed.join("\n");
    BLANK_RUNS.replace_all(joined.trim(), "\n\n").into_owned() + "\n"
}

/// Writes a link as its text followed by the URL in brackets, unless they are the same.
#[derive(Debug, Clone, Default)]
struct LinkDecorator {
    links: Vec<String>,
}

impl TextDecorator for LinkDecorator {
    type Annotation = ();

    fn decorate_link_start(&mut self, url: &str) -> (String, ()) {
        self.links.push(url.to_owned());
        (String::new(), ())
    }

    fn decorate_link_end(&mut self) -> String {
        match self.links.pop() {
            Some(url)
                if !url.is_empty() && !url.starts_with('#') && !url.starts_with("mailto:") =>
            {
                format!(" ({url})")
            }
            Some(url) if url.starts_with("mailto:") => {
                format!(" ({})", url.trim_start_matches("mailto:"))
            }
            _ => String::new(),
        }
    }

    fn decorate_em_start(&self) -> (String, ()) {
        (String::new(), ())
    }

    fn decorate_em_end(&self) -> String {
        String::new()
    }

    fn decorate_strong_start(&self) -> (String, ()) {
        (String::new(), ())
    }

    fn decorate_strong_end(&self) -> String {
        String::new()
    }

    fn decorate_strikeout_start(&self) -> (String, ()) {
        (String::new(), ())
    }

    fn decorate_strikeout_end(&self) -> String {
        String::new()
    }

    fn decorate_code_start(&self) -> (String, ()) {
        (String::new(), ())
    }

    fn decorate_code_end(&self) -> String {
        String::new()
    }

    fn decorate_preformat_first(&self) {}

    fn decorate_preformat_cont(&self) {}

    fn decorate_image(&mut self, _src: &str, title: &str) -> (String, ()) {
        (title.trim().to_owned(), ())
    }

    fn header_prefix(&self, _level: usize) -> String {
        String::new()
    }

    fn quote_prefix(&self) -> String {
        "> ".to_owned()
    }

    fn unordered_item_prefix(&self) -> String {
        "- ".to_owned()
    }

    fn ordered_item_prefix(&self, i: i64) -> String {
        format!("{i}. ")
    }

    fn make_subblock_decorator(&self) -> Self {
        Self::default()
    }

    fn finalise(&mut self, _links: Vec<String>) -> Vec<TaggedLine<()>> {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_their_url_and_hidden_text_is_dropped() {
        let html = r#"<html><body><div style="display:none;font-size:1px">Secret preheader</div>
            <table><tr><td><h1>Hello Alex</h1><p>Read <a href="https://example.com/a">the story</a>.</p>
            <p><a href="https://example.com/u">Unsubscribe</a> · <img src="x.png" alt="Logo"></p></td></tr></table></body></html>"#;
        let text = html_to_text(html);
        assert!(!text.contains("Secret preheader"), "{text}");
        assert!(text.contains("Hello Alex"), "{text}");
        assert!(
            text.contains("Read the story (https://example.com/a)."),
            "{text}"
        );
        assert!(
            text.contains("Unsubscribe (https://example.com/u)"),
            "{text}"
        );
        assert!(text.contains("Logo"), "{text}");
        assert!(!text.contains('│'), "no table borders: {text}");
    }
}
