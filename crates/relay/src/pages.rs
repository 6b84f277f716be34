//! `/u/{token}`: the unsubscribe link. A GET only shows a page with a confirm button
//! (mail clients and scanners fetch links); a POST unsubscribes: the RFC 8058 one-click
//! POST (`List-Unsubscribe=One-Click`, urlencoded or multipart, no cookies, no redirect)
//! or the page's button. Either records one unsubscribe event per recipient and campaign.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use herald_protocol::api::{EventBody, UnsubscribeEvent, UnsubscribeMethod};
use herald_protocol::unsubscribe::{self, UnsubscribeRequest};

use crate::store::{self, NewEvent};
use crate::AppState;

/// Longer than any token Herald makes (workspace id + campaign + address + MAC).
const MAX_TOKEN_LEN: usize = 2048;
/// Form fields read from a POST, at most.
const MAX_FIELDS: usize = 8;

pub async fn show(State(state): State<Arc<AppState>>, Path(token): Path<String>) -> Response {
    let (workspace_id, request) = match resolve(&state, &token).await {
        Ok(Some(found)) => found,
        Ok(None) => return invalid_link(),
        Err(response) => return response,
    };
    let key = dedupe_key(workspace_id, &request);
    let already = state
        .pool
        .run(move |c| store::has_event(c, &key))
        .await
        .unwrap_or(false);
    if already {
        return page(
            StatusCode::OK,
            "Unsubscribed",
            &format!(
                r#"<h1 data-testid="unsubscribe-done">You are already unsubscribed</h1>
<p><strong>{}</strong> will not receive these emails any more.</p>"#,
                escape(&request.email)
            ),
        );
    }
    page(
        StatusCode::OK,
        "Unsubscribe",
        &format!(
            r#"<h1>Unsubscribe</h1>
<p>Stop receiving these emails at <strong>{}</strong>?</p>
<form method="post">
  <input type="hidden" name="confirm" value="yes">
  <button type="submit" data-testid="unsubscribe-confirm">Unsubscribe</button>
</form>
<p class="note">Nothing changes until you press the button.</p>"#,
            escape(&request.email)
        ),
    )
}

/// Once per recipient and campaign, however often the link is used.
fn dedupe_key(workspace_id: i64, request: &UnsubscribeRequest) -> String {
    format!(
        "unsubscribe\n{workspace_id}\n{}\n{}\n{}",
        request.workspace_id, request.campaign_id, request.email
    )
}

pub async fn confirm(
    State(state): State<Arc<AppState>>,
    Path(token): Path<String>,
    request: Request,
) -> Response {
    let Some(method) = read_method(request).await else {
        return page(
            StatusCode::BAD_REQUEST,
            "Unsubscribe",
            "<h1>Nothing was changed</h1><p>Open the link from the email again and press the button.</p>",
        );
    };
    let (workspace_id, request) = match resolve(&state, &token).await {
        Ok(Some(found)) => found,
        Ok(None) if method == UnsubscribeMethod::OneClick => {
            return plain(
                StatusCode::NOT_FOUND,
                "This unsubscribe link is not valid.\n",
            )
        }
        Ok(None) => return invalid_link(),
        Err(response) => return response,
    };
    let event = NewEvent {
        workspace_id,
        dedupe_key: dedupe_key(workspace_id, &request),
        body: EventBody::Unsubscribe(UnsubscribeEvent {
            workspace_id: request.workspace_id.clone(),
            campaign_id: request.campaign_id,
            email: request.email.clone(),
            at: store::now_rfc3339(),
            method,
        }),
    };
    if let Err(e) = state.writer.store(event).await {
        tracing::error!(error = %e, "could not record an unsubscribe");
        return page(
            StatusCode::SERVICE_UNAVAILABLE,
            "Unsubscribe",
            "<h1>Please try again</h1><p>Your request could not be saved just now. Try again in a minute.</p>",
        );
    }
    match method {
        // RFC 8058: a plain success, no redirect.
        UnsubscribeMethod::OneClick => plain(StatusCode::OK, "You are unsubscribed.\n"),
        UnsubscribeMethod::Page => page(
            StatusCode::OK,
            "Unsubscribed",
            &format!(
                r#"<h1 data-testid="unsubscribe-done">You are unsubscribed</h1>
<p><strong>{}</strong> will not receive these emails any more.</p>
<p class="note">A message that was already on its way may still arrive.</p>"#,
                escape(&request.email)
            ),
        ),
    }
}

/// Which kind of POST this is: the one-click body, the page's button, or neither.
async fn read_method(request: Request) -> Option<UnsubscribeMethod> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let mut fields = Vec::new();
    if content_type.starts_with("multipart/form-data") {
        let mut form = Multipart::from_request(request, &()).await.ok()?;
        while let Ok(Some(field)) = form.next_field().await {
            let name = field.name().unwrap_or("").to_owned();
            let value = field.text().await.ok()?;
            fields.push((name, value));
            if fields.len() >= MAX_FIELDS {
                break;
            }
        }
    } else {
        let body = Bytes::from_request(request, &()).await.ok()?;
        fields.extend(
            url::form_urlencoded::parse(&body)
                .take(MAX_FIELDS)
                .map(|(k, v)| (k.into_owned(), v.into_owned())),
        );
    }
    let has = |name: &str, value: &str| fields.iter().any(|(k, v)| k == name && v.trim() == value);
    if has("List-Unsubscribe", "One-Click") {
        Some(UnsubscribeMethod::OneClick)
    } else if has("confirm", "yes") {
        Some(UnsubscribeMethod::Page)
    } else {
        None
    }
}

/// The relay workspace and recipient a token is valid for: it must verify under a key that
/// a workspace registered for the desktop workspace id the token names.
async fn resolve(
    state: &AppState,
    token: &str,
) -> Result<Option<(i64, UnsubscribeRequest)>, Response> {
    if token.len() > MAX_TOKEN_LEN {
        return Ok(None);
    }
    let Some(app_workspace_id) = unsubscribe::claimed_workspace_id(token) else {
        return Ok(None);
    };
    let keys = state
        .pool
        .run(move |c| store::keys_for_app_workspace(c, &app_workspace_id))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "could not read unsubscribe keys");
            page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Unsubscribe",
                "<h1>Please try again</h1><p>This page is unavailable just now. Try again in a minute.</p>",
            )
        })?;
    Ok(keys.into_iter().find_map(|(workspace_id, key)| {
        unsubscribe::verify(&key, token).map(|request| (workspace_id, request))
    }))
}

fn invalid_link() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "Link not valid",
        "<h1>This link is not valid</h1>\
         <p>The unsubscribe link may be incomplete. Open it from the email again, \
         or reply to the email and ask to be removed.</p>",
    )
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    let mut response = (status, text).into_response();
    private(&mut response);
    response
}

/// Pages carry the token in their URL: keep them out of caches, referrers and frames.
fn private(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert("x-robots-tag", HeaderValue::from_static("noindex"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
}

fn page(status: StatusCode, title: &str, main: &str) -> Response {
    let html = format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title}</title>
<style>
  :root {{ color-scheme: light dark; --fg: #1d2330; --muted: #5b6474; --bg: #f6f7f9; --card: #fff; --accent: #2453c7; }}
  @media (prefers-color-scheme: dark) {{ :root {{ --fg: #e8ebf0; --muted: #a7afbd; --bg: #15181e; --card: #1e222a; --accent: #7fa2ff; }} }}
  body {{ margin: 0; padding: 0 1rem; font: 1.0625rem/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); color: var(--fg); }}
  main {{ max-width: 30rem; margin: 12vh auto; padding: 2rem; background: var(--card); border-radius: 12px; box-shadow: 0 1px 4px rgb(0 0 0 / 0.12); }}
  h1 {{ font-size: 1.5rem; margin: 0 0 1rem; }}
  strong {{ overflow-wrap: anywhere; }}
  button {{ font: inherit; font-weight: 600; padding: 0.7rem 1.4rem; border: 0; border-radius: 8px; background: var(--accent); color: #fff; cursor: pointer; }}
  @media (prefers-color-scheme: dark) {{ button {{ color: #0d1220; }} }}
  button:focus-visible {{ outline: 3px solid var(--fg); outline-offset: 3px; }}
  .note {{ color: var(--muted); font-size: 0.9375rem; margin-top: 1.5rem; }}
</style>
</head>
<body>
<main>
{main}
</main>
</body>
</html>
"#
    );
    let mut response = (status, Html(html)).into_response();
    private(&mut response);
    response
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
