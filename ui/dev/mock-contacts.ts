// The contacts part of the dev-only fake backend (see mock-ipc.ts). In-memory data, enough
// to look at every contacts page in a plain browser. `?contacts=empty` starts with none.
import { emit } from "@tauri-apps/api/event";
import type {
  Contact,
  ContactInput,
  ContactQuery,
  CustomField,
  FieldInput,
  ImportOptions,
  ImportPreview,
  RuleGroup,
  Segment,
  Tag,
  TagInput,
} from "../src/lib/api/provisional";

type Fail = (code: string, message: string, fields?: { field: string; message: string }[]) => never;

const params = new URLSearchParams(window.location.search);
const now = () => new Date().toISOString();

const tags: Tag[] = [
  { id: 1, name: "VIP", color: "#a855f7", contact_count: 0 },
  { id: 2, name: "Spring fair 2026", color: "#10b981", contact_count: 0 },
  { id: 3, name: "Newsletter", color: "#0ea5e9", contact_count: 0 },
  { id: 4, name: "Wholesale", color: "#f59e0b", contact_count: 0 },
];
const fields: CustomField[] = [
  { id: 1, key: "city", label: "City", field_type: "text", required: false, options: [] },
  { id: 2, key: "plan", label: "Plan", field_type: "choice", required: false, options: ["Free", "Pro", "Team"] },
  { id: 3, key: "orders", label: "Orders", field_type: "number", required: false, options: [] },
];
const segments: Segment[] = [
  {
    id: 1,
    name: "Engaged VIPs",
    rules: { match: "all", rules: [{ field: "tag", op: "has", value: 1 }, { field: "status", op: "equals", value: "subscribed" }] },
    created_at: "2026-10-01T10:00:00Z",
    updated_at: "2026-11-20T10:00:00Z",
  },
];

const first = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Margaret", "Linus", "Radia", "Tim", "Frances", "Dennis", "Hedy", "John", "Sophie", "Ibrahim", "Chiara", "Mateo", "Yuki", "Amara"];
const last = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Thompson", "Hamilton", "Torvalds", "Perlman", "Berners-Lee", "Allen", "Ritchie", "Lamarr", "McCarthy", "Wilson", "Haddad", "Rossi", "García", "Tanaka", "Okafor"];
const cities = ["Bristol", "Lyon", "Berlin", "Porto", "Leeds", "Ghent", ""];
const statuses = ["subscribed", "subscribed", "subscribed", "subscribed", "unsubscribed", "bounced", "complained", "blocked"] as const;

const contacts: Contact[] = [];
if (params.get("contacts") !== "empty") {
  for (let i = 0; i < 237; i++) {
    const f = first[i % first.length];
    const l = last[(i * 7) % last.length];
    const created = new Date(Date.UTC(2026, 0, 1) + i * 36e5 * 29).toISOString();
    contacts.push({
      id: i + 1,
      email: `${f}.${l}${i > 19 ? i : ""}@example.org`.toLowerCase().replace(/[^a-z0-9.@-]/g, ""),
      first_name: i % 11 === 5 ? null : f,
      last_name: i % 11 === 5 ? null : l,
      status: statuses[i % statuses.length],
      source: i % 3 === 0 ? "manual" : "import 1",
      created_at: created,
      updated_at: created,
      tags: [1, 2, 3, 4].filter((t) => (i + t) % (t + 2) === 0),
      custom: Object.fromEntries(
        [
          ["city", cities[i % cities.length]],
          ["plan", ["Free", "Pro", "Team", ""][i % 4]],
          ["orders", i % 5 === 0 ? "" : String((i * 13) % 40)],
        ].filter(([, v]) => v),
      ),
    });
  }
}
let nextContact = contacts.length + 1;

function recount() {
  for (const t of tags) t.contact_count = contacts.filter((c) => c.tags.includes(t.id)).length;
}
recount();

const emailish = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function validate(input: ContactInput, selfId: number | null, fail: Fail) {
  const errs: { field: string; message: string }[] = [];
  const email = input.email.trim();
  if (!email) errs.push({ field: "email", message: "Enter the contact's email address." });
  else if (!emailish.test(email)) errs.push({ field: "email", message: `“${email}” is not a valid email address.` });
  for (const f of fields) {
    const v = input.custom[f.key];
    if (v && f.field_type === "number" && !Number.isFinite(Number(v))) {
      errs.push({ field: `custom.${f.key}`, message: `${f.label} must be a number.` });
    }
  }
  if (errs.length) fail("validation", errs[0].message, errs);
  const dup = contacts.find((c) => c.email.toLowerCase() === email.toLowerCase() && c.id !== selfId);
  if (dup) {
    fail("contact_exists", "A contact with this email already exists.", [
      { field: "email", message: "A contact with this email already exists." },
    ]);
  }
}

function matchesRules(c: Contact, g: RuleGroup): boolean {
  const test = (r: RuleGroup | { field: string; op: string; value?: unknown }): boolean => {
    if ("rules" in r) return matchesRules(c, r);
    const v =
      r.field === "tag"
        ? null
        : r.field.startsWith("custom.")
          ? (c.custom[r.field.slice(7)] ?? "")
          : String((c as unknown as Record<string, unknown>)[r.field] ?? "");
    switch (r.op) {
      case "has":
        return c.tags.includes(Number(r.value));
      case "has_not":
        return !c.tags.includes(Number(r.value));
      case "equals":
        return String(v).toLowerCase() === String(r.value).toLowerCase();
      case "not_equals":
        return String(v).toLowerCase() !== String(r.value).toLowerCase();
      case "contains":
        return String(v).toLowerCase().includes(String(r.value).toLowerCase());
      case "starts_with":
        return String(v).toLowerCase().startsWith(String(r.value).toLowerCase());
      case "is_set":
        return !!v;
      case "is_empty":
        return !v;
      case "greater_than":
        return Number(v) > Number(r.value);
      case "less_than":
        return v !== "" && Number(v) < Number(r.value);
      case "in_last_days":
        return Date.now() - Date.parse(String(v)) < Number(r.value) * 864e5;
      default:
        return true;
    }
  };
  return g.match === "all" ? g.rules.every(test) : g.rules.some(test);
}

const previewOf = (path: string, encoding: string | null): ImportPreview => ({
  path,
  file_name: path.split("/").pop() ?? path,
  encoding: encoding ?? "UTF-8",
  delimiter: ";",
  headers: ["E-mail Address", "First Name", "Surname", "Town", "Shoe size", "Notes"],
  rows: [
    ["lena.schmidt@example.de", "Lena", "Schmidt", encoding === "windows-1252" ? "Köln" : "KÃ¶ln", "39", "met at fair"],
    ["marco@example.it", "Marco", "Bianchi", "Milano", "44", ""],
    ["not-an-email", "Broken", "Row", "Paris", "x", ""],
    ["ines@example.pt", "Inês", "Costa", "Porto", "37", "VIP?"],
  ],
  mapping: [
    { kind: "standard", field: "email" },
    { kind: "standard", field: "first_name" },
    { kind: "standard", field: "last_name" },
    { kind: "custom", key: "city" },
    { kind: "ignore" },
    { kind: "ignore" },
  ],
  encodings: ["UTF-8", "UTF-16LE", "UTF-16BE", "windows-1252", "ISO-8859-1"],
});

let cancelled = false;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Answers a contacts command, or returns `undefined` when `cmd` is not one of them. */
export async function contactsCommand(cmd: string, args: Record<string, unknown>, fail: Fail): Promise<unknown> {
  switch (cmd) {
    case "contacts_list": {
      const q = args.query as ContactQuery;
      const term = q.search?.toLowerCase() ?? "";
      const seg = q.segment_id ? segments.find((s) => s.id === q.segment_id) : null;
      let rows = contacts.filter(
        (c) =>
          (!term ||
            [c.email, c.first_name, c.last_name, ...Object.values(c.custom)].some((v) => v?.toLowerCase().includes(term))) &&
          (!q.status || c.status === q.status) &&
          q.tag_ids.every((t) => c.tags.includes(t)) &&
          (!seg || matchesRules(c, seg.rules)),
      );
      const key = q.sort;
      const val = (c: Contact) =>
        key.startsWith("custom.") ? (c.custom[key.slice(7)] ?? "") : String((c as unknown as Record<string, unknown>)[key] ?? "");
      rows = [...rows].sort((a, b) => val(a).localeCompare(val(b), undefined, { numeric: true }) * (q.descending ? -1 : 1));
      return { contacts: rows.slice(q.offset, q.offset + q.limit), total: rows.length };
    }
    case "contacts_get": {
      const c = contacts.find((x) => x.id === args.id);
      if (!c) fail("contact_not_found", "This contact no longer exists.");
      return c;
    }
    case "contacts_find_by_email":
      return contacts.find((c) => c.email.toLowerCase() === String(args.email).toLowerCase())?.id ?? null;
    case "contacts_create": {
      const input = args.input as ContactInput;
      validate(input, null, fail);
      const c: Contact = { ...input, id: nextContact++, source: "manual", created_at: now(), updated_at: now() };
      contacts.unshift(c);
      recount();
      return c;
    }
    case "contacts_update": {
      const input = args.input as ContactInput;
      const c = contacts.find((x) => x.id === args.id);
      if (!c) fail("contact_not_found", "This contact no longer exists.");
      validate(input, c.id, fail);
      Object.assign(c, input, { updated_at: now() });
      recount();
      return c;
    }
    case "contacts_delete": {
      const ids = new Set(args.ids as number[]);
      const before = contacts.length;
      contacts.splice(0, contacts.length, ...contacts.filter((c) => !ids.has(c.id)));
      recount();
      return before - contacts.length;
    }
    case "contacts_tag":
    case "contacts_untag": {
      const ids = new Set(args.ids as number[]);
      const tagId = args.tagId as number;
      for (const c of contacts.filter((x) => ids.has(x.id))) {
        c.tags = cmd === "contacts_tag" ? [...new Set([...c.tags, tagId])] : c.tags.filter((t) => t !== tagId);
      }
      recount();
      return ids.size;
    }
    case "contacts_set_status": {
      const ids = new Set(args.ids as number[]);
      for (const c of contacts.filter((x) => ids.has(x.id))) c.status = args.status as Contact["status"];
      return ids.size;
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
        Object.assign(t, input);
        return t;
      }
      const t = { id: Math.max(0, ...tags.map((x) => x.id)) + 1, ...input, contact_count: 0 };
      tags.push(t);
      return t;
    }
    case "tags_delete": {
      tags.splice(tags.findIndex((t) => t.id === args.id), 1);
      for (const c of contacts) c.tags = c.tags.filter((t) => t !== args.id);
      return null;
    }
    case "fields_list":
      return fields.map((f) => ({ ...f }));
    case "fields_create":
    case "fields_update": {
      const input = args.input as FieldInput;
      if (cmd === "fields_create" && fields.some((f) => f.key === input.key)) {
        fail("validation", "Key taken.", [{ field: "key", message: `A field with the key “${input.key}” already exists.` }]);
      }
      if (cmd === "fields_update") {
        const f = fields.find((x) => x.id === args.id)!;
        Object.assign(f, input, { key: f.key });
        return f;
      }
      const f = { id: Math.max(0, ...fields.map((x) => x.id)) + 1, ...input };
      fields.push(f);
      return f;
    }
    case "fields_delete": {
      const f = fields.find((x) => x.id === args.id)!;
      fields.splice(fields.indexOf(f), 1);
      for (const c of contacts) delete c.custom[f.key];
      return null;
    }
    case "fields_change_impact": {
      const f = fields.find((x) => x.id === args.id)!;
      const values = contacts.filter((c) => c.custom[f.key]).length;
      const lost =
        args.fieldType === "number"
          ? contacts.filter((c) => c.custom[f.key] && !Number.isFinite(Number(c.custom[f.key]))).length
          : args.fieldType === "text"
            ? 0
            : values;
      return { values, lost };
    }
    case "segments_list":
      return segments.map((s) => ({ ...s }));
    case "segments_create":
    case "segments_update": {
      const name = String(args.name).trim();
      if (segments.some((s) => s.name.toLowerCase() === name.toLowerCase() && s.id !== args.id)) {
        fail("validation", "Name taken.", [{ field: "name", message: `A segment named “${name}” already exists.` }]);
      }
      if (cmd === "segments_update") {
        const s = segments.find((x) => x.id === args.id)!;
        Object.assign(s, { name, rules: args.rules, updated_at: now() });
        return s;
      }
      const s = { id: Math.max(0, ...segments.map((x) => x.id)) + 1, name, rules: args.rules as RuleGroup, created_at: now(), updated_at: now() };
      segments.push(s);
      return s;
    }
    case "segments_delete":
      segments.splice(segments.findIndex((s) => s.id === args.id), 1);
      return null;
    case "segments_count":
      return contacts.filter((c) => matchesRules(c, args.rules as RuleGroup)).length;
    case "imports_pick":
      return previewOf("/home/maria/Downloads/fair-signups.csv", null);
    case "imports_preview":
      return previewOf(String(args.path), (args.encoding as string | null) ?? null);
    case "imports_cancel":
      cancelled = true;
      return null;
    case "imports_save_failed":
      return "/home/maria/Downloads/fair-signups-failed.csv";
    case "imports_run": {
      const options = args.options as ImportOptions;
      cancelled = false;
      const total = 1200;
      for (let i = 1; i <= 20; i++) {
        await sleep(120);
        if (cancelled) {
          return { total: 0, created: 0, updated: 0, skipped: 0, failed: 0, errors: [], dry_run: options.dry_run, cancelled: true };
        }
        await emit("import-progress", { rows: (total / 20) * i, bytes: i * 5000, total_bytes: 100000 });
      }
      return {
        total,
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
        cancelled: false,
      };
    }
    default:
      return undefined;
  }
}
