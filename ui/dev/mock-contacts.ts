// The contacts part of the dev-only fake backend (see mock-ipc.ts). In-memory data, enough
// to look at every contacts page in a plain browser. `?contacts=empty` starts with none.
import { emit } from "@tauri-apps/api/event";
import type { BulkAction } from "../src/lib/bindings/BulkAction";
import type { Contact } from "../src/lib/bindings/Contact";
import type { ContactInput } from "../src/lib/bindings/ContactInput";
import type { ContactQuery } from "../src/lib/bindings/ContactQuery";
import type { ContactSelection } from "../src/lib/bindings/ContactSelection";
import type { CustomField } from "../src/lib/bindings/CustomField";
import type { FieldInput } from "../src/lib/bindings/FieldInput";
import type { FieldTypeChange } from "../src/lib/bindings/FieldTypeChange";
import type { FieldUpdate } from "../src/lib/bindings/FieldUpdate";
import type { FieldValue } from "../src/lib/bindings/FieldValue";
import type { ImportFile } from "../src/lib/bindings/ImportFile";
import type { ImportOptions } from "../src/lib/bindings/ImportOptions";
import type { PreviewOptions } from "../src/lib/bindings/PreviewOptions";
import type { Rule } from "../src/lib/bindings/Rule";
import type { Segment } from "../src/lib/bindings/Segment";
import type { SegmentInput } from "../src/lib/bindings/SegmentInput";
import type { Tag } from "../src/lib/bindings/Tag";
import type { TagInput } from "../src/lib/bindings/TagInput";

type Fail = (code: string, message: string, fields?: { field: string; message: string }[]) => never;

const params = new URLSearchParams(window.location.search);
const now = () => new Date().toISOString();

const tags: Tag[] = [
  { id: 1, name: "VIP", colour: "#a855f7", contact_count: 0 },
  { id: 2, name: "Spring fair 2026", colour: "#10b981", contact_count: 0 },
  { id: 3, name: "Newsletter", colour: "#0ea5e9", contact_count: 0 },
  { id: 4, name: "Wholesale", colour: "#f59e0b", contact_count: 0 },
];
const fields: CustomField[] = [
  { id: 1, key: "city", label: "City", type: "text", required: false, options: [], position: 1 },
  { id: 2, key: "plan", label: "Plan", type: "choice", required: false, options: ["Free", "Pro", "Team"], position: 2 },
  { id: 3, key: "orders", label: "Orders", type: "number", required: false, options: [], position: 3 },
];
const segments: Segment[] = [
  {
    id: 1,
    name: "Engaged VIPs",
    rules: {
      kind: "group",
      match: "all",
      rules: [
        { kind: "tag", op: "has", tag_id: 1 },
        { kind: "status", op: "is", values: ["subscribed"] },
      ],
    },
    created_at: "2026-10-01T10:00:00Z",
    updated_at: "2026-11-20T10:00:00Z",
  },
];

const first = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Margaret", "Linus", "Radia", "Tim", "Frances", "Dennis", "Hedy", "John", "Sophie", "Ibrahim", "Chiara", "Mateo", "Yuki", "Amara"];
const last = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Thompson", "Hamilton", "Torvalds", "Perlman", "Berners-Lee", "Allen", "Ritchie", "Lamarr", "McCarthy", "Wilson", "Haddad", "Rossi", "García", "Tanaka", "Okafor"];
const cities = ["Bristol", "Lyon", "Berlin", "Porto", "Leeds", "Ghent", ""];
const statuses = ["subscribed", "subscribed", "subscribed", "subscribed", "unsubscribed", "bounced", "complained", "blocked"] as const;

const tagRef = (id: number) => {
  const t = tags.find((x) => x.id === id)!;
  return { id: t.id, name: t.name, colour: t.colour };
};

const contacts: Contact[] = [];
if (params.get("contacts") !== "empty") {
  for (let i = 0; i < 237; i++) {
    const f = first[i % first.length];
    const l = last[(i * 7) % last.length];
    const created = new Date(Date.UTC(2026, 0, 1) + i * 36e5 * 29).toISOString();
    const values: Record<string, FieldValue> = {};
    if (cities[i % cities.length]) values.city = cities[i % cities.length];
    if (i % 4 < 3) values.plan = ["Free", "Pro", "Team"][i % 4];
    if (i % 5) values.orders = (i * 13) % 40;
    contacts.push({
      id: i + 1,
      email: `${f}.${l}${i > 19 ? i : ""}@example.org`.toLowerCase().replace(/[^a-z0-9.@-]/g, ""),
      first_name: i % 11 === 5 ? "" : f,
      last_name: i % 11 === 5 ? "" : l,
      status: statuses[i % statuses.length],
      source: i % 3 === 0 ? "manual" : "import",
      import_id: i % 3 === 0 ? null : 1,
      created_at: created,
      updated_at: created,
      tags: [1, 2, 3, 4].filter((t) => (i + t) % (t + 2) === 0).map(tagRef),
      values,
    });
  }
}
let nextContact = contacts.length + 1;

function recount() {
  for (const t of tags) t.contact_count = contacts.filter((c) => c.tags.some((x) => x.id === t.id)).length;
}
recount();

const emailish = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function checked(input: ContactInput, selfId: number | null, fail: Fail): Record<string, FieldValue> {
  const errs: { field: string; message: string }[] = [];
  const email = input.email.trim();
  if (!email) errs.push({ field: "email", message: "Enter an email address." });
  else if (!emailish.test(email)) errs.push({ field: "email", message: `“${email}” is not a valid email address.` });
  const values: Record<string, FieldValue> = {};
  for (const f of fields) {
    const v = input.values[f.key];
    if (v === null || v === undefined || v === "") continue;
    if (f.type === "number") {
      const n = Number(String(v).replace(",", "."));
      if (!Number.isFinite(n)) errs.push({ field: `values.${f.key}`, message: `${f.label} must be a number; “${v}” is not.` });
      else values[f.key] = n;
    } else values[f.key] = v;
  }
  if (errs.length) fail("validation", errs[0].message, errs);
  const dup = contacts.find((c) => c.email.toLowerCase() === email.toLowerCase() && c.id !== selfId);
  if (dup) {
    fail("duplicate_email", "A contact with this email already exists.", [
      { field: "email", message: "A contact with this email already exists." },
    ]);
  }
  return values;
}

function text(c: Contact, kind: string): string {
  return String((c as unknown as Record<string, unknown>)[kind] ?? "");
}

function matches(c: Contact, r: Rule): boolean {
  switch (r.kind) {
    case "group":
      return r.match === "all" ? r.rules.every((x) => matches(c, x)) : r.rules.some((x) => matches(c, x));
    case "tag":
      return c.tags.some((t) => t.id === r.tag_id) === (r.op === "has");
    case "status":
      return r.values.includes(c.status) === (r.op === "is");
    case "email":
    case "first_name":
    case "last_name": {
      const v = text(c, r.kind).toLowerCase();
      const w = r.value.toLowerCase();
      return { equals: v === w, not_equals: v !== w, contains: v.includes(w), not_contains: !v.includes(w), starts_with: v.startsWith(w), ends_with: v.endsWith(w), is_set: !!v, is_empty: !v }[r.op];
    }
    case "created_at":
    case "updated_at": {
      const t = Date.parse(text(c, r.kind));
      if (r.op === "in_last_days") return Date.now() - t < (r.days ?? 0) * 864e5;
      if (r.op === "not_in_last_days") return Date.now() - t >= (r.days ?? 0) * 864e5;
      if (r.op === "before") return t < Date.parse(r.value ?? "");
      if (r.op === "after") return t > Date.parse(r.value ?? "");
      return true;
    }
    case "field": {
      const v = c.values[r.key];
      if (r.op === "is_set") return v !== undefined;
      if (r.op === "is_empty") return v === undefined;
      if (v === undefined) return false;
      if (r.op === "equals") return String(v).toLowerCase() === String(r.value).toLowerCase();
      if (r.op === "not_equals") return String(v).toLowerCase() !== String(r.value).toLowerCase();
      if (r.op === "contains") return String(v).toLowerCase().includes(String(r.value).toLowerCase());
      if (r.op === "greater_than") return Number(v) > Number(r.value);
      if (r.op === "less_than") return Number(v) < Number(r.value);
      if (r.op === "is_true") return v === true;
      if (r.op === "is_false") return v === false;
      return true;
    }
    default:
      return true;
  }
}

function filter(q: ContactQuery): Contact[] {
  const words = (q.search ?? "").toLowerCase().split(/\W+/).filter(Boolean);
  const seg = q.segment_id ? segments.find((s) => s.id === q.segment_id) : null;
  return contacts.filter(
    (c) =>
      words.every((w) => [c.email, c.first_name, c.last_name, ...Object.values(c.values).map(String)].some((v) => v.toLowerCase().includes(w))) &&
      (!q.statuses.length || q.statuses.includes(c.status)) &&
      (!q.tag_ids.length || q.tag_ids.some((t) => c.tags.some((x) => x.id === t))) &&
      (!seg || matches(c, seg.rules)),
  );
}

function selected(sel: ContactSelection): Contact[] {
  if (sel.kind === "query") return filter(sel.query);
  const ids = new Set(sel.ids);
  return contacts.filter((c) => ids.has(c.id));
}

const previewOf = (path: string, options: PreviewOptions): ImportFile => {
  const latin = options.encoding === "windows-1252";
  return {
    path,
    file_name: path.split("/").pop() ?? path,
    preview: {
      encoding: options.encoding ?? "utf-8",
      encoding_guessed: !options.encoding,
      delimiter: ";",
      headers: ["E-mail Address", "First Name", "Surname", "Town", "Shoe size", "Notes"],
      mapping: [
        { column: 0, header: "E-mail Address", target: { kind: "email" } },
        { column: 1, header: "First Name", target: { kind: "first_name" } },
        { column: 2, header: "Surname", target: { kind: "last_name" } },
        { column: 3, header: "Town", target: { kind: "field", key: "city" } },
      ],
      rows: [
        { line: 2, cells: ["lena.schmidt@example.de", "Lena", "Schmidt", latin ? "Köln" : "KÃ¶ln", "39", "met at fair"], problems: [] },
        { line: 3, cells: ["marco@example.it", "Marco", "Bianchi", "Milano", "44", ""], problems: [] },
        { line: 4, cells: ["not-an-email", "Broken", "Row", "Paris", "x", ""], problems: [], error: "“not-an-email” is not a valid email address." },
        { line: 5, cells: ["ines@example.pt", "Inês", "Costa", "Porto", "37", "VIP?"], problems: [] },
      ],
      warnings: ["The file starts with an Excel “sep=;” line; Herald used ; as the delimiter."],
      file_bytes: 100000,
    },
  };
};

let cancelled = false;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Answers a contacts command, or returns `undefined` when `cmd` is not one of them. */
export async function contactsCommand(cmd: string, args: Record<string, unknown>, fail: Fail): Promise<unknown> {
  switch (cmd) {
    case "contacts_list": {
      const q = args.query as ContactQuery;
      const key = q.sort ?? "created_at";
      const val = (c: Contact) => (key in c ? text(c, key) : String(c.values[key] ?? ""));
      const rows = [...filter(q)].sort(
        (a, b) => val(a).localeCompare(val(b), undefined, { numeric: true }) * (q.direction === "desc" ? -1 : 1),
      );
      const from = (q.page - 1) * q.page_size;
      return { items: rows.slice(from, from + q.page_size), total: rows.length, page: q.page, page_size: q.page_size };
    }
    case "contacts_count":
      return filter(args.query as ContactQuery).length;
    case "contacts_get": {
      const c = contacts.find((x) => x.id === args.id);
      if (!c) fail("not_found", "There is no contact with this id. It may have been deleted.");
      return c;
    }
    case "templates_render_contact": {
      const c = contacts.find((x) => x.id === args.contactId);
      if (!c) fail("not_found", "There is no contact with this id. It may have been deleted.");
      return {
        email: c.email,
        first_name: c.first_name || null,
        last_name: c.last_name || null,
        status: c.status,
        fields: Object.fromEntries(fields.map((f) => [f.key, c.values[f.key] ?? null])),
      };
    }
    case "contacts_find_by_email":
      return contacts.find((c) => c.email.toLowerCase() === String(args.email).toLowerCase())?.id ?? null;
    case "contacts_create":
    case "contacts_update": {
      const input = args.input as ContactInput;
      const existing = cmd === "contacts_update" ? contacts.find((x) => x.id === args.id) : undefined;
      const values = checked(input, existing?.id ?? null, fail);
      const c: Contact = {
        id: existing?.id ?? nextContact++,
        email: input.email.trim(),
        first_name: input.first_name,
        last_name: input.last_name,
        status: input.status ?? "subscribed",
        source: existing?.source ?? "manual",
        import_id: existing?.import_id ?? null,
        created_at: existing?.created_at ?? now(),
        updated_at: now(),
        tags: (input.tag_ids ?? existing?.tags.map((t) => t.id) ?? []).map(tagRef),
        values,
      };
      if (existing) Object.assign(existing, c);
      else contacts.unshift(c);
      recount();
      return c;
    }
    case "contacts_delete":
      contacts.splice(contacts.findIndex((c) => c.id === args.id), 1);
      recount();
      return null;
    case "contacts_bulk": {
      const chosen = selected(args.selection as ContactSelection);
      const action = args.action as BulkAction;
      for (const c of chosen) {
        if (action.kind === "tag" && !c.tags.some((t) => t.id === action.tag_id)) c.tags.push(tagRef(action.tag_id));
        if (action.kind === "untag") c.tags = c.tags.filter((t) => t.id !== action.tag_id);
        if (action.kind === "set_status") c.status = action.status;
      }
      if (action.kind === "delete") {
        const gone = new Set(chosen.map((c) => c.id));
        contacts.splice(0, contacts.length, ...contacts.filter((c) => !gone.has(c.id)));
      }
      recount();
      return { affected: chosen.length };
    }
    case "contacts_export":
      return "/home/maria/Documents/contacts.csv";
    case "tags_list":
      return tags.map((t) => ({ ...t }));
    case "tags_create":
    case "tags_update": {
      const input = args.input as TagInput;
      if (tags.some((t) => t.name.toLowerCase() === input.name.toLowerCase() && t.id !== args.id)) {
        fail("validation", "A tag with this name exists.", [{ field: "name", message: `A tag named “${input.name}” already exists.` }]);
      }
      if (cmd === "tags_update") {
        const t = tags.find((x) => x.id === args.id)!;
        Object.assign(t, { name: input.name, colour: input.colour ?? t.colour });
        return t;
      }
      const t = { id: Math.max(0, ...tags.map((x) => x.id)) + 1, name: input.name, colour: input.colour ?? "#64748b", contact_count: 0 };
      tags.push(t);
      return t;
    }
    case "tags_delete": {
      const t = tags.find((x) => x.id === args.id)!;
      tags.splice(tags.indexOf(t), 1);
      for (const c of contacts) c.tags = c.tags.filter((x) => x.id !== t.id);
      return t.contact_count;
    }
    case "fields_list":
      return fields.map((f) => ({ ...f }));
    case "fields_create": {
      const input = args.input as FieldInput;
      if (fields.some((f) => f.key === input.key)) {
        fail("validation", "Key taken.", [{ field: "key", message: `A field with the key “${input.key}” already exists.` }]);
      }
      const f = { id: Math.max(0, ...fields.map((x) => x.id)) + 1, position: fields.length + 1, ...input };
      fields.push(f);
      return f;
    }
    case "fields_update": {
      const f = fields.find((x) => x.id === args.id)!;
      const u = args.update as FieldUpdate;
      Object.assign(f, Object.fromEntries(Object.entries(u).filter(([, v]) => v !== undefined)));
      return f;
    }
    case "fields_preview_change":
    case "fields_change_type":
    case "fields_preview_delete": {
      const f = fields.find((x) => x.id === args.id)!;
      const holders = contacts.filter((c) => c.values[f.key] !== undefined);
      const change = args.change as FieldTypeChange | undefined;
      const fits = (v: FieldValue) => !change || change.type === "text" || (change.type === "number" && Number.isFinite(Number(v)));
      const lost = holders.filter((c) => !fits(c.values[f.key]));
      if (cmd === "fields_change_type" && change) {
        for (const c of lost) delete c.values[f.key];
        f.type = change.type;
        f.options = change.options;
      }
      return {
        values: holders.length,
        converted: holders.length - lost.length,
        lost: lost.length,
        lost_examples: lost.slice(0, 5).map((c) => String(c.values[f.key] ?? "")),
      };
    }
    case "fields_delete": {
      const f = fields.find((x) => x.id === args.id)!;
      fields.splice(fields.indexOf(f), 1);
      let n = 0;
      for (const c of contacts) if (c.values[f.key] !== undefined && delete c.values[f.key]) n++;
      return n;
    }
    case "segments_list":
      return segments.map((s) => ({ ...s }));
    case "segments_create":
    case "segments_rename":
    case "segments_update_rules":
    case "segments_duplicate": {
      const existing = segments.find((x) => x.id === args.id);
      const input = args.input as SegmentInput | undefined;
      const name = String(input?.name ?? args.name ?? `${existing?.name} (copy)`).trim();
      if (cmd !== "segments_update_rules" && segments.some((s) => s.name.toLowerCase() === name.toLowerCase() && s.id !== args.id)) {
        fail("validation", "Name taken.", [{ field: "name", message: `A segment named “${name}” already exists.` }]);
      }
      if (cmd === "segments_rename" || cmd === "segments_update_rules") {
        Object.assign(existing!, cmd === "segments_rename" ? { name } : { rules: args.rules }, { updated_at: now() });
        return existing;
      }
      const s: Segment = {
        id: Math.max(0, ...segments.map((x) => x.id)) + 1,
        name,
        rules: input?.rules ?? existing!.rules,
        created_at: now(),
        updated_at: now(),
      };
      segments.push(s);
      return s;
    }
    case "segments_delete":
      segments.splice(segments.findIndex((s) => s.id === args.id), 1);
      return null;
    case "segments_count":
      return contacts.filter((c) => matches(c, args.rules as Rule)).length;
    case "imports_pick":
      return previewOf("/home/maria/Downloads/fair-signups.csv", {});
    case "imports_preview":
      return previewOf(String(args.path), (args.options as PreviewOptions) ?? {});
    case "imports_cancel":
      cancelled = true;
      return null;
    case "imports_save_failed":
      return "/home/maria/Downloads/fair-signups-failed.csv";
    case "imports_run": {
      const options = args.options as ImportOptions;
      cancelled = false;
      for (let i = 1; i <= 20; i++) {
        await sleep(120);
        if (cancelled) fail("cancelled", "The import was cancelled. Nothing was changed.");
        await emit("import-progress", { rows_done: 60 * i, bytes_done: i * 5000, bytes_total: 100000 });
      }
      return {
        import_id: options.dry_run ? undefined : 2,
        total: 1200,
        created: 1140,
        updated: options.on_existing === "update" ? 52 : 0,
        skipped: options.on_existing === "skip" ? 52 : 0,
        failed: 8,
        errors: [
          { line: 4, reason: "“not-an-email” is not a valid email address." },
          { line: 57, reason: "The email is missing." },
          { line: 212, reason: "Shoe size must be a number; “x” is not." },
          { line: 388, reason: "The row has 9 values but the header has 6 columns." },
        ],
        dry_run: options.dry_run,
      };
    }
    default:
      return undefined;
  }
}
