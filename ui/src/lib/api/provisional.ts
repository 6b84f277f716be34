// Provisional types for the contacts domain, until herald-core's ts-rs bindings land in
// $lib/bindings. Delete this file when they do; nothing outside src/lib/api imports it.

export type ContactStatus = "subscribed" | "unsubscribed" | "bounced" | "complained" | "blocked";
export type FieldType = "text" | "number" | "date" | "boolean" | "choice";

export interface Tag {
  id: number;
  name: string;
  color: string;
  contact_count: number;
}

export interface TagInput {
  name: string;
  color: string;
}

export interface CustomField {
  id: number;
  key: string;
  label: string;
  field_type: FieldType;
  required: boolean;
  options: string[];
}

export interface FieldInput {
  key: string;
  label: string;
  field_type: FieldType;
  required: boolean;
  options: string[];
}

export interface FieldChangeImpact {
  values: number;
  lost: number;
}

export interface Contact {
  id: number;
  email: string;
  first_name: string | null;
  last_name: string | null;
  status: ContactStatus;
  source: string;
  created_at: string;
  updated_at: string;
  tags: number[];
  custom: Record<string, string>;
}

export interface ContactInput {
  email: string;
  first_name: string | null;
  last_name: string | null;
  status: ContactStatus;
  tags: number[];
  custom: Record<string, string>;
}

export interface ContactQuery {
  search: string | null;
  tag_ids: number[];
  status: ContactStatus | null;
  segment_id: number | null;
  sort: string;
  descending: boolean;
  offset: number;
  limit: number;
}

export interface ContactPage {
  contacts: Contact[];
  total: number;
}

export type Combinator = "all" | "any";
export interface Condition {
  field: string;
  op: string;
  value?: unknown;
}
export interface RuleGroup {
  match: Combinator;
  rules: (RuleGroup | Condition)[];
}

export interface Segment {
  id: number;
  name: string;
  rules: RuleGroup;
  created_at: string;
  updated_at: string;
}

export type OnExisting = "update" | "skip";

export type MappingTarget =
  | { kind: "ignore" }
  | { kind: "standard"; field: string }
  | { kind: "custom"; key: string }
  | { kind: "new_custom"; key: string; label: string; field_type: FieldType };

export interface ImportPreview {
  path: string;
  file_name: string;
  encoding: string;
  delimiter: string;
  headers: string[];
  rows: string[][];
  mapping: MappingTarget[];
  encodings: string[];
}

export interface ImportOptions {
  encoding: string | null;
  mapping: MappingTarget[];
  tags: string[];
  on_existing: OnExisting;
  dry_run: boolean;
}

export interface ImportProgress {
  rows: number;
  bytes: number;
  total_bytes: number;
}

export interface ImportFailure {
  line: number;
  reason: string;
}

export interface ImportReport {
  total: number;
  created: number;
  updated: number;
  skipped: number;
  failed: number;
  errors: ImportFailure[];
  dry_run: boolean;
  cancelled: boolean;
}
