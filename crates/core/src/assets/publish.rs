//! Publishing assets to an S3 bucket so recipients' mail clients can load them.
//!
//! Keys are content-addressed (`<prefix><sha256>.<ext>`), so a key's content never changes:
//! publishing checks with `HeadObject` first and skips what is already there, which makes
//! publishing twice a no-op. Public URLs are `<public base URL>/<key>`; the base defaults to
//! the bucket's virtual-hosted URL.
//!
//! Public API (stable): [`PublishTarget::for_workspace`] (sync, reads settings and
//! credentials), [`PublishTarget::publish`] (async, no workspace borrowed across awaits),
//! [`record`] (sync, remembers the keys), [`publish_blocking`] for the CLI, and
//! [`public_urls`] to rewrite a template's references when sending.

use std::path::PathBuf;

use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream;
use serde::Serialize;
use ts_rs::TS;

use super::{find_by_hash, path_of, referenced_hashes, Asset};
use crate::credentials::{self, ResolvedCredentials};
use crate::error::{Error, Result};
use crate::render::AssetUrls;
use crate::secrets::SecretStore;
use crate::ses::SesConnection;
use crate::settings::{self, Settings};
use crate::workspaces::Workspace;

/// Where and how assets are published for one workspace.
#[derive(Debug, Clone)]
pub struct PublishTarget {
    pub bucket: String,
    pub prefix: String,
    pub public_base_url: String,
    region: Option<String>,
    endpoint: Option<String>,
    credentials: ResolvedCredentials,
}

/// One asset after publishing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PublishedAsset {
    #[ts(type = "number")]
    pub asset_id: i64,
    pub name: String,
    pub key: String,
    pub url: String,
    /// False when the object was already in the bucket and nothing was uploaded.
    pub uploaded: bool,
}

/// What to upload: taken from the workspace before any network call.
#[derive(Debug, Clone)]
pub struct PublishItem {
    pub asset_id: i64,
    pub name: String,
    pub key: String,
    pub mime_type: String,
    pub path: PathBuf,
}

impl PublishTarget {
    /// The target the workspace's settings describe, or a validation error naming the
    /// missing setting.
    pub fn for_workspace(ws: &Workspace, secrets: &dyn SecretStore) -> Result<Self> {
        let settings = settings::load(ws.conn())?;
        Self::from_settings(
            &settings,
            credentials::resolve(&settings, secrets, ws.id())?,
        )
    }

    pub fn from_settings(settings: &Settings, credentials: ResolvedCredentials) -> Result<Self> {
        let bucket = settings.assets_bucket.clone().ok_or_else(|| {
            Error::invalid(
                "assets_bucket",
                "No publishing bucket is set. Set assets_bucket (and usually assets_public_base_url) in Settings.",
            )
        })?;
        let mut prefix = settings.assets_prefix.clone().unwrap_or_default();
        if !prefix.is_empty() && !prefix.ends_with('/') {
            prefix.push('/');
        }
        let region = settings.aws_region.clone();
        let endpoint = settings.effective_s3_endpoint();
        let public_base_url = match &settings.assets_public_base_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => match (&endpoint, &region) {
                (Some(endpoint), _) => format!("{}/{bucket}", endpoint.trim_end_matches('/')),
                (None, Some(region)) => format!("https://{bucket}.s3.{region}.amazonaws.com"),
                (None, None) => format!("https://{bucket}.s3.amazonaws.com"),
            },
        };
        Ok(Self {
            bucket,
            prefix,
            public_base_url,
            region,
            endpoint,
            credentials,
        })
    }

    pub fn key_for(&self, asset: &Asset) -> String {
        format!(
            "{}{}",
            self.prefix,
            asset.file.trim_start_matches("assets/")
        )
    }

    pub fn url_for_key(&self, key: &str) -> String {
        format!("{}/{key}", self.public_base_url)
    }

    pub fn item(&self, ws: &Workspace, asset: &Asset) -> PublishItem {
        PublishItem {
            asset_id: asset.id,
            name: asset.name.clone(),
            key: self.key_for(asset),
            mime_type: asset.mime_type.clone(),
            path: path_of(ws, asset),
        }
    }

    async fn client(&self) -> Result<aws_sdk_s3::Client> {
        // The SES connection builds a generic AWS configuration; only the endpoint differs.
        let config = SesConnection {
            region: self.region.clone(),
            endpoint: self.endpoint.clone(),
            credentials: self.credentials.clone(),
        }
        .sdk_config()
        .await?;
        let s3 = aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(self.endpoint.is_some())
            .build();
        Ok(aws_sdk_s3::Client::from_conf(s3))
    }

    /// Uploads what the bucket does not have yet. Content-addressed keys make a present
    /// object the right one, so it is not uploaded again.
    pub async fn publish(&self, items: Vec<PublishItem>) -> Result<Vec<PublishedAsset>> {
        let client = self.client().await?;
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let exists = match client
                .head_object()
                .bucket(&self.bucket)
                .key(&item.key)
                .send()
                .await
            {
                Ok(_) => true,
                Err(SdkError::ServiceError(e)) if e.err().is_not_found() => false,
                Err(e) => return Err(self.error("check", &item.name, e)),
            };
            if !exists {
                let body = ByteStream::from_path(&item.path).await.map_err(|e| {
                    Error::Publishing(format!("“{}” could not be read: {e}", item.name))
                })?;
                client
                    .put_object()
                    .bucket(&self.bucket)
                    .key(&item.key)
                    .content_type(&item.mime_type)
                    .cache_control("public, max-age=31536000, immutable")
                    .body(body)
                    .send()
                    .await
                    .map_err(|e| self.error("upload", &item.name, e))?;
            }
            out.push(PublishedAsset {
                asset_id: item.asset_id,
                url: self.url_for_key(&item.key),
                name: item.name,
                key: item.key,
                uploaded: !exists,
            });
        }
        Ok(out)
    }

    fn error<E, R>(&self, action: &str, name: &str, err: SdkError<E, R>) -> Error
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        let target = match &self.endpoint {
            Some(endpoint) => format!("the bucket “{}” at {endpoint}", self.bucket),
            None => format!("the bucket “{}”", self.bucket),
        };
        let detail = match &err {
            SdkError::ServiceError(service) => match service.err().code() {
                Some("NoSuchBucket") => {
                    "it does not exist; check assets_bucket in Settings".to_owned()
                }
                Some("AccessDenied") | Some("Forbidden") => {
                    "access was denied; the credentials need s3:PutObject and s3:GetObject on it"
                        .to_owned()
                }
                Some(code) => format!(
                    "{code}: {}",
                    service.err().message().unwrap_or("no details")
                ),
                None => "the bucket refused the request".to_owned(),
            },
            SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => {
                "it could not be reached; check the network and the region".to_owned()
            }
            _ => DisplayErrorContext(&err).to_string(),
        };
        Error::Publishing(format!(
            "Could not {action} “{name}” in {target}: {detail}."
        ))
    }
}

/// Remembers where published assets live.
pub fn record(ws: &Workspace, published: &[PublishedAsset]) -> Result<()> {
    let mut stmt = ws
        .conn()
        .prepare("UPDATE assets SET published_key = ?1 WHERE id = ?2")?;
    for p in published {
        stmt.execute(rusqlite::params![p.key, p.asset_id])?;
    }
    Ok(())
}

/// Publishes `assets` (all of them when empty is not wanted, pass the list) and records the
/// keys: the CLI's `herald assets publish`.
pub fn publish_blocking(
    ws: &Workspace,
    secrets: &dyn SecretStore,
    assets: &[Asset],
) -> Result<Vec<PublishedAsset>> {
    let target = PublishTarget::for_workspace(ws, secrets)?;
    let items: Vec<PublishItem> = assets.iter().map(|a| target.item(ws, a)).collect();
    let published = runtime()?.block_on(target.publish(items))?;
    record(ws, &published)?;
    Ok(published)
}

/// The items to publish for a template source: the assets it refers to.
pub fn items_for_source(
    ws: &Workspace,
    target: &PublishTarget,
    source: &str,
) -> Result<Vec<PublishItem>> {
    let mut items = Vec::new();
    for hash in referenced_hashes(source) {
        if let Some(asset) = find_by_hash(ws.conn(), &hash)? {
            items.push(target.item(ws, &asset));
        }
    }
    Ok(items)
}

/// sha256 → public URL for every asset a source refers to (whether or not uploaded yet).
pub fn public_urls(ws: &Workspace, target: &PublishTarget, source: &str) -> Result<AssetUrls> {
    let mut urls = AssetUrls::new();
    for hash in referenced_hashes(source) {
        if let Some(asset) = find_by_hash(ws.conn(), &hash)? {
            urls.insert(hash, target.url_for_key(&target.key_for(&asset)));
        }
    }
    Ok(urls)
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("started", "the async runtime", e))
}
