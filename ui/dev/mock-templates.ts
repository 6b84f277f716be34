// Dev-only fake templates and assets backend for `vite --mode mock` (see mock-ipc.ts).
// Renders with a crude {{ }} substitution; the real rendering lives in herald-core.
import type { AddOutcome } from "../src/lib/bindings/AddOutcome";
import type { Asset } from "../src/lib/bindings/Asset";
import type { AssetFilter } from "../src/lib/bindings/AssetFilter";
import type { AssetFolder } from "../src/lib/bindings/AssetFolder";
import type { Preview } from "../src/lib/bindings/Preview";
import type { PreviewRequest } from "../src/lib/bindings/PreviewRequest";
import type { RenderContact } from "../src/lib/bindings/RenderContact";
import type { Template } from "../src/lib/bindings/Template";
import type { TemplateContent } from "../src/lib/bindings/TemplateContent";
import type { TemplateDraft } from "../src/lib/bindings/TemplateDraft";
import type { TemplateError } from "../src/lib/bindings/TemplateError";
import type { TemplateSummary } from "../src/lib/bindings/TemplateSummary";
import type { TemplateWarning } from "../src/lib/bindings/TemplateWarning";

type Fail = (code: string, message: string) => never;

const sample: RenderContact = {
  email: "alex.morgan@example.com",
  first_name: "Alex",
  last_name: "Morgan",
  status: "subscribed",
  fields: { company: "Northwind Traders", city: "Lisbon" },
};

function email(accent: string, kicker: string, headline: string, body: string, button: string): string {
  return `<!doctype html>
<html>
<head><meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="margin:0;background:#f3f1ee;font-family:Helvetica,Arial,sans-serif;color:#222">
  <table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center" style="padding:32px 12px">
    <table role="presentation" width="600" style="max-width:600px;width:100%;background:#ffffff;border-radius:10px;overflow:hidden">
      <tr><td style="background:${accent};padding:28px 36px;color:#fff;font-size:13px;letter-spacing:.12em;text-transform:uppercase">${kicker}</td></tr>
      <tr><td style="padding:36px">
        <h1 style="margin:0 0 16px;font-size:28px;line-height:1.2">${headline}</h1>
        <p style="margin:0 0 16px;font-size:16px;line-height:1.6">Hi {{ contact.first_name | default(value="there") }},</p>
        <p style="margin:0 0 24px;font-size:16px;line-height:1.6">${body}</p>
        <a href="#" style="display:inline-block;background:${accent};color:#fff;text-decoration:none;padding:12px 22px;border-radius:6px;font-weight:bold">${button}</a>
      </td></tr>
      <tr><td style="padding:20px 36px;background:#faf9f7;color:#777;font-size:12px;line-height:1.6">
        {{ workspace.postal_address }}<br><a href="{{ unsubscribe_url }}" style="color:#777">Unsubscribe</a>
      </td></tr>
    </table>
  </td></tr></table>
</body>
</html>`;
}

const now = "2026-11-20T10:00:00Z";
const gallerySpec: [string, string, string, string, string, string][] = [
  ["newsletter", "Newsletter", "Monthly digest with stories and links", "#3b5bdb", "The November issue", "Three stories from the roastery, a brewing tip, and what is coming next month."],
  ["announcement", "Announcement", "One big piece of news", "#0b7285", "Big news", "We have moved into a new home, and you are invited to see it."],
  ["product-launch", "Product launch", "Hero image, features and a call to action", "#862e9c", "Meet the new Origin Series", "Single-estate beans, roasted to order and at your door in two days."],
  ["event-invitation", "Event invitation", "Date, place and RSVP", "#d9480f", "You are invited", "Join us on 12 December for a tasting evening at the Bristol roastery."],
  ["sale", "Sale / promotion", "A bold offer with a code", "#c92a2a", "25% off everything", "This weekend only: use code WARM25 at checkout."],
  ["welcome", "Welcome", "A warm first hello", "#2b8a3e", "Welcome aboard", "Thank you for joining. Here is what to expect from us."],
  ["re-engagement", "Re-engagement", "We miss you", "#5f3dc4", "It has been a while", "Here is what you missed, and a little something to welcome you back."],
  ["letter", "Plain personal letter", "Looks like a note from a person", "#495057", "A note from our founder", "I wanted to write to you personally about what we are planning next year."],
];

const gallery: Template[] = gallerySpec.map(([slug, name, description, accent, headline, body], i) => ({
  id: i + 1,
  kind: "admin_provided",
  gallery_key: slug,
  name,
  description,
  category: name,
  subject: `${headline}, {{ contact.first_name | default(value="friend") }}`,
  preheader: body.slice(0, 60),
  format: "html",
  source: email(accent, name, headline, body, "Read more"),
  variables: ["contact.first_name", "workspace.postal_address", "unsubscribe_url"],
  created_at: now,
  updated_at: now,
}));

const userTemplates: Template[] = [];
let nextId = 100;

const summary = (t: Template): TemplateSummary => ({
  id: t.id,
  kind: t.kind,
  gallery_key: t.gallery_key,
  name: t.name,
  description: t.description,
  category: t.category,
  subject: t.subject,
  format: t.format,
  updated_at: t.updated_at,
});

function find(id: number, fail: Fail): Template {
  const t = [...gallery, ...userTemplates].find((x) => x.id === id);
  if (!t) fail("template_not_found", "That template no longer exists.");
  return t;
}

const assets: Asset[] = [];
const folders = new Set<string>(["Brand", "Brand/Logos", "Products"]);

function render(content: TemplateContent, contact: RenderContact | null): Preview {
  const c = contact ?? sample;
  const values: Record<string, string> = {
    "contact.first_name": c.first_name ?? "",
    "contact.last_name": c.last_name ?? "",
    "contact.email": c.email,
    first_name: c.first_name ?? "",
    email: c.email,
    "workspace.postal_address": "Acme Coffee Ltd, 12 Roastery Lane, Bristol BS1 4DJ",
    unsubscribe_url: "https://example.com/unsubscribe?preview=1",
    preheader: content.preheader,
  };
  const warnings: TemplateWarning[] = [];
  let error: TemplateError | null = null;
  content.source.split("\n").forEach((line: string, i: number) => {
    const open = line.indexOf("{{");
    if (open >= 0 && line.indexOf("}}", open) < 0 && !error) {
      error = { part: "source", message: "This {{ is never closed.", line: i + 1, column: open + 1, variable: null };
    }
    const m = /\{\{\s*([a-z_.]+)/.exec(line);
    if (m && !(m[1] in values) && !line.includes("default(") && !error) {
      error = { part: "source", message: `There is no variable called “${m[1]}”.`, line: i + 1, column: m.index + 1, variable: m[1] };
    }
  });
  if (!content.source.includes("unsubscribe_url")) {
    warnings.push({ code: "missing_unsubscribe", line: null, message: "There is no unsubscribe link: add {{ unsubscribe_url }}." });
  }
  if (!content.source.includes("postal_address")) {
    warnings.push({ code: "missing_postal_address", line: null, message: "There is no postal address: add {{ workspace.postal_address }} to the footer." });
  }
  const firstImage = content.source.split("\n").findIndex((l: string) => l.includes('src="assets/'));
  if (firstImage >= 0) {
    warnings.push({ code: "local_images_without_bucket", line: firstImage + 1, message: "This template uses images from the library, but no S3 bucket is set in Settings: recipients would not see them." });
  }
  const fill = (s: string) =>
    s
      .replace(/\{\{\s*([a-z_.]+)\s*\|\s*default\(value="([^"]*)"\)\s*\}\}/g, (_, k, d) => values[k] || d)
      .replace(/\{\{\s*([a-z_.]+)\s*\}\}/g, (_, k) => values[k] ?? "")
      .replace(/src="assets\/([^".]+)\.[a-z]+"/g, (_, sha) => `src="${assetData(sha)}"`);
  if (error) return { message: null, error, warnings };
  const html = fill(content.source);
  return {
    message: {
      subject: fill(content.subject),
      html,
      text: html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim(),
    },
    error: null,
    warnings,
  };
}

const hues = [12, 160, 210, 280, 40, 330];
function svgImage(label: string, hue: number, w = 640, h = 400): string {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><rect width="100%" height="100%" fill="hsl(${hue} 60% 55%)"/><circle cx="${w * 0.7}" cy="${h * 0.35}" r="${h * 0.22}" fill="hsl(${hue} 70% 75%)"/><text x="32" y="${h - 36}" font-family="sans-serif" font-size="36" fill="white">${label}</text></svg>`;
  return `data:image/svg+xml;base64,${btoa(svg)}`;
}
function assetData(sha: string): string {
  const a = assets.find((x) => x.sha256 === sha);
  return a ? svgImage(a.name, hues[assets.indexOf(a) % hues.length]) : "";
}

function addAsset(name: string, folder: string, tags: string[], kind: Asset["kind"] = "image"): Asset {
  const id = nextId++;
  const sha256 = `${id}`.padStart(8, "0") + "ab".repeat(28);
  const ext = kind === "image" ? "png" : "pdf";
  const asset: Asset = {
    id,
    sha256,
    name,
    mime_type: kind === "image" ? "image/png" : "application/pdf",
    kind,
    size_bytes: 20_000 + id * 13_777,
    width: kind === "image" ? 1280 : null,
    height: kind === "image" ? 800 : null,
    folder,
    tags,
    created_at: new Date(2026, 10, id % 28).toISOString(),
    reference: `assets/${sha256}.${ext}`,
    file: `assets/${sha256}.${ext}`,
    thumbnail: kind === "image" ? `assets/thumbs/${sha256}.png` : null,
    published_key: null,
  };
  assets.push(asset);
  folders.add(folder);
  return asset;
}

if (!new URLSearchParams(window.location.search).get("assets")) {
  addAsset("acme-logo.png", "Brand/Logos", ["logo"]);
  addAsset("roastery-hero.jpg", "Products", ["hero", "autumn"]);
  addAsset("origin-series.jpg", "Products", ["product"]);
  addAsset("price-list-2026.pdf", "", [], "document");
}

function folderList(): AssetFolder[] {
  return [...folders]
    .filter(Boolean)
    .sort()
    .map((path) => ({
      path,
      name: path.split("/").pop() ?? path,
      parent: path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : null,
      asset_count: assets.filter((a) => a.folder === path).length,
    }));
}

const outcome = (a: Asset): AddOutcome => ({ file: `/home/maria/Pictures/${a.name}`, added: { asset: a, duplicate: false }, error: null });

export function templatesMock(cmd: string, args: Record<string, unknown>, fail: Fail): unknown {
  const id = Number(args.id);
  switch (cmd) {
    case "templates_list":
      return [...gallery, ...userTemplates].map(summary);
    case "templates_get":
      return find(id, fail);
    case "templates_sample_contact":
      return sample;
    case "templates_create":
    case "templates_update": {
      const draft = args.draft as TemplateDraft;
      if (!draft.name.trim()) fail("validation", "Give the template a name.");
      if (cmd === "templates_update") {
        const t = find(id, fail);
        if (t.kind === "admin_provided") fail("template_read_only", "Gallery templates cannot be changed.");
        Object.assign(t, draft, { updated_at: new Date().toISOString() });
        return t;
      }
      const t: Template = { ...draft, id: nextId++, kind: "user_created", gallery_key: null, variables: [], created_at: now, updated_at: now };
      userTemplates.push(t);
      return t;
    }
    case "templates_duplicate": {
      const from = find(id, fail);
      const t: Template = {
        ...from,
        id: nextId++,
        kind: "user_created",
        gallery_key: null,
        name: (args.name as string | null) ?? `${from.name} (copy)`,
        created_at: new Date().toISOString(),
        updated_at: new Date().toISOString(),
      };
      userTemplates.push(t);
      return t;
    }
    case "templates_delete": {
      const i = userTemplates.findIndex((t) => t.id === id);
      if (i >= 0) userTemplates.splice(i, 1);
      return null;
    }
    case "templates_preview": {
      const r = args.request as PreviewRequest;
      return render(r.content, r.contact);
    }
    case "templates_test_send": {
      const to = args.to as string[];
      const content = args.content as TemplateContent;
      return {
        subject: `[Test] ${render(content, null).message?.subject ?? ""}`,
        sent: to.map((address) => ({
          to: address,
          message_id: address.includes("bad") ? null : "mock-1",
          error: address.includes("bad") ? "SES rejected this address: it is not verified in the sandbox." : null,
        })),
        warnings: [],
      };
    }
    case "assets_list": {
      const f = args.filter as AssetFilter;
      return assets.filter(
        (a) =>
          (f.folder === null || a.folder === f.folder) &&
          (!f.tag || a.tags.includes(f.tag)) &&
          (!f.kind || a.kind === f.kind) &&
          (!f.search || a.name.toLowerCase().includes(f.search.toLowerCase())),
      );
    }
    case "assets_folders":
      return folderList();
    case "assets_tags": {
      const tags = [...new Set(assets.flatMap((a) => a.tags))].sort();
      return tags.map((tag) => ({ tag, asset_count: assets.filter((a) => a.tags.includes(tag)).length }));
    }
    case "assets_limits":
      return { max_bytes: 10 * 1024 * 1024, accepted: ["PNG", "JPEG", "GIF", "WebP", "SVG", "PDF"] };
    case "assets_upload_dialog": {
      const folder = String(args.folder ?? "");
      const tags = args.tags as string[];
      const outcomes: AddOutcome[] = [
        outcome(addAsset(`photo-${nextId}.png`, folder, tags)),
        outcome(addAsset(`banner-${nextId}.png`, folder, tags)),
        {
          file: "/home/maria/Documents/notes.docx",
          added: null,
          error: { code: "asset_rejected", message: "This file type is not supported: use PNG, JPEG, GIF, WebP, SVG or PDF." },
        },
      ];
      return outcomes;
    }
    case "assets_upload_dropped":
      return [];
    case "assets_folder_create": {
      const path = String(args.path).trim().replace(/^\/+|\/+$/g, "");
      if (!path) fail("validation", "Give the folder a name.");
      const parts = path.split("/");
      parts.forEach((_, i) => folders.add(parts.slice(0, i + 1).join("/")));
      return folderList();
    }
    case "assets_move": {
      const a = assets.find((x) => x.id === id) ?? fail("asset_not_found", "That asset no longer exists.");
      a.folder = String(args.folder);
      folders.add(a.folder);
      return a;
    }
    case "assets_rename": {
      const a = assets.find((x) => x.id === id) ?? fail("asset_not_found", "That asset no longer exists.");
      if (!String(args.name).trim()) fail("validation", "Give the asset a name.");
      a.name = String(args.name).trim();
      return a;
    }
    case "assets_tag": {
      const a = assets.find((x) => x.id === id) ?? fail("asset_not_found", "That asset no longer exists.");
      const remove = args.remove as string[];
      a.tags = [...a.tags.filter((t) => !remove.includes(t)), ...(args.add as string[])];
      return a;
    }
    case "assets_delete": {
      const i = assets.findIndex((x) => x.id === id);
      const a = assets[i];
      const used = a ? userTemplates.filter((t) => t.source.includes(a.sha256)) : [];
      if (used.length && !args.force) {
        fail("asset_in_use", `“${a.name}” is used by ${used.map((t) => `“${t.name}”`).join(", ")}.`);
      }
      if (i >= 0) assets.splice(i, 1);
      return null;
    }
    case "assets_thumbnail":
    case "assets_original": {
      const a = assets.find((x) => x.id === id);
      return a?.kind === "image" ? assetData(a.sha256) : null;
    }
    case "assets_publish":
      return 0;
    default:
      return undefined;
  }
}
