// PROVISIONAL: stand-ins for the ts-rs bindings of herald-core's templates and assets
// modules, which are being written on this branch right now. Delete this file as soon as
// `ui/src/lib/bindings/` has the real types; nothing outside lib/api may import it.

export type TemplateKind = "admin_provided" | "user_created";
export type SourceFormat = "mjml" | "html";

export interface TemplateSummary {
  id: string;
  kind: TemplateKind;
  name: string;
  description: string;
  category: string;
  subject: string;
  format: SourceFormat;
  updated_at: string;
}

export interface Template extends TemplateSummary {
  preheader: string;
  source: string;
  variables: string[];
  created_at: string;
}

export interface TemplateDraft {
  name: string;
  description: string;
  category: string;
  subject: string;
  preheader: string;
  format: SourceFormat;
  source: string;
}

export interface RenderContact {
  email: string;
  first_name: string | null;
  last_name: string | null;
  fields: Record<string, string>;
}

export interface RenderIssue {
  code: string;
  message: string;
  line: number | null;
  column: number | null;
  variable: string | null;
}

export interface RenderPreview {
  subject: string;
  html: string;
  text: string;
  warnings: RenderIssue[];
  error: RenderIssue | null;
}

export interface TestSendResult {
  address: string;
  message_id: string | null;
  error: string | null;
}

export type AssetKind = "image" | "file";

export interface Asset {
  id: string;
  name: string;
  kind: AssetKind;
  mime: string;
  size: number;
  width: number | null;
  height: number | null;
  folder: string | null;
  tags: string[];
  hash: string;
  /** What the editor inserts into `src="…"`. */
  reference: string;
  created_at: string;
}

export interface AssetFilter {
  folder: string | null;
  tag: string | null;
  kind: AssetKind | null;
  search: string | null;
}

export interface AssetFolder {
  /** Slash-separated path, e.g. `Brand/Logos`. */
  path: string;
  count: number;
}

export interface UploadFailure {
  name: string;
  code: string;
  message: string;
}

export interface UploadReport {
  added: Asset[];
  duplicates: Asset[];
  failed: UploadFailure[];
}

export interface AssetLimits {
  max_bytes: number;
  accepted: string[];
}
