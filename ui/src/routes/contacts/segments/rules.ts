// The segment builder's editing state and its translation to the stored rules
// (docs/segments.md). The editor works on a tree with ids and loose string values; `toRules`
// turns it into the typed `Rule` the core compiles, or names what is still missing.
import type { ContactStatus } from "$lib/api/contacts";
import type { CustomField } from "$lib/api/fields";
import type { Rule } from "$lib/api/segments";
import type { Tag } from "$lib/api/tags";

export type ValueKind = "text" | "number" | "date" | "boolean" | "choice" | "status" | "tag" | "contactDate" | "event";

export interface FieldOption {
  /** `email`, `first_name`, `last_name`, `status`, `tag`, `created_at`, `updated_at` or `custom.<key>`. */
  id: string;
  label: string;
  kind: ValueKind;
  choices?: { value: string; label: string }[];
}

export interface Operator {
  id: string;
  label: string;
  /** What the value input looks like: none, one value, two (between), a number of days. */
  arity: "none" | "one" | "two" | "days";
}

const op = (id: string, label: string, arity: Operator["arity"] = "one"): Operator => ({ id, label, arity });

const textOps = [
  op("equals", "is"),
  op("not_equals", "is not"),
  op("contains", "contains"),
  op("not_contains", "does not contain"),
  op("starts_with", "starts with"),
  op("ends_with", "ends with"),
  op("is_set", "is set", "none"),
  op("is_empty", "is empty", "none"),
];
const dateOps = [
  op("in_last_days", "in the last", "days"),
  op("not_in_last_days", "not in the last", "days"),
  op("on", "on"),
  op("before", "before"),
  op("after", "after"),
  op("between", "between", "two"),
];

export const operators: Record<ValueKind, Operator[]> = {
  text: textOps,
  number: [
    op("equals", "="),
    op("not_equals", "≠"),
    op("greater_than", ">"),
    op("at_least", "≥"),
    op("less_than", "<"),
    op("at_most", "≤"),
    op("between", "between", "two"),
    op("is_set", "is set", "none"),
    op("is_empty", "is empty", "none"),
  ],
  date: [...dateOps, op("is_set", "is set", "none"), op("is_empty", "is empty", "none")],
  contactDate: dateOps,
  boolean: [
    op("is_true", "is yes", "none"),
    op("is_false", "is no", "none"),
    op("is_set", "is set", "none"),
    op("is_empty", "is empty", "none"),
  ],
  choice: [op("equals", "is"), op("not_equals", "is not"), op("is_set", "is set", "none"), op("is_empty", "is empty", "none")],
  status: [op("is", "is"), op("is_not", "is not")],
  tag: [op("has", "has"), op("has_not", "does not have")],
  // Campaign events: the op id says did / did not, and where (ever, recent days, one campaign).
  event: [
    op("did_ever", "ever", "none"),
    op("did_in_last_days", "in the last", "days"),
    op("did_campaign", "in campaign"),
    op("did_not_ever", "never", "none"),
    op("did_not_in_last_days", "not in the last", "days"),
    op("did_not_campaign", "not in campaign"),
  ],
};

const eventFields = [
  { event: "opened", label: "Opened a campaign" },
  { event: "clicked", label: "Clicked in a campaign" },
  { event: "received", label: "Received a campaign" },
  { event: "bounced", label: "Bounced on a campaign" },
] as const;

export const statusChoices = (["subscribed", "unsubscribed", "bounced", "complained", "blocked"] as const).map(
  (s) => ({ value: s, label: s[0].toUpperCase() + s.slice(1) }),
);

/** Every field a condition can test, standard ones first. */
export function fieldOptions(
  fields: CustomField[],
  tags: Tag[],
  campaigns: { id: number; name: string }[] = [],
): FieldOption[] {
  const campaignChoices = campaigns.map((c) => ({ value: String(c.id), label: c.name }));
  return [
    { id: "email", label: "Email", kind: "text" },
    { id: "first_name", label: "First name", kind: "text" },
    { id: "last_name", label: "Last name", kind: "text" },
    { id: "status", label: "Status", kind: "status", choices: statusChoices },
    { id: "tag", label: "Tag", kind: "tag", choices: tags.map((t) => ({ value: String(t.id), label: t.name })) },
    { id: "created_at", label: "Created", kind: "contactDate" },
    { id: "updated_at", label: "Updated", kind: "contactDate" },
    ...eventFields.map(
      (e): FieldOption => ({ id: `event.${e.event}`, label: e.label, kind: "event", choices: campaignChoices }),
    ),
    ...fields.map(
      (f): FieldOption => ({
        id: `custom.${f.key}`,
        label: f.label,
        kind: f.type,
        choices: f.type === "choice" ? f.options.map((o) => ({ value: o, label: o })) : undefined,
      }),
    ),
  ];
}

export interface ConditionNode {
  type: "condition";
  id: number;
  field: string;
  op: string;
  value: string;
  value2: string;
}

export interface GroupNode {
  type: "group";
  id: number;
  match: "all" | "any";
  children: Node[];
}

export type Node = ConditionNode | GroupNode;

let nextId = 1;
const newId = () => nextId++;

export function newCondition(field: FieldOption): ConditionNode {
  const first = operators[field.kind][0];
  return {
    type: "condition",
    id: newId(),
    field: field.id,
    op: first.id,
    value: field.kind === "event" ? "" : (field.choices?.[0]?.value ?? (first.arity === "days" ? "30" : "")),
    value2: "",
  };
}

export function newGroup(match: "all" | "any" = "all", children: Node[] = []): GroupNode {
  return { type: "group", id: newId(), match, children };
}

export function operatorOf(field: FieldOption | undefined, opId: string): Operator | undefined {
  return field ? operators[field.kind].find((o) => o.id === opId) : undefined;
}

/** Changing the field keeps the operator (and the value) when it still fits, else starts afresh. */
export function changeField(cond: ConditionNode, field: FieldOption): ConditionNode {
  const keep = operators[field.kind].some((o) => o.id === cond.op);
  const fresh = newCondition(field);
  return keep && !field.choices
    ? { ...cond, field: field.id }
    : { ...fresh, id: cond.id };
}

export type RulesResult = { ok: true; rules: Rule } | { ok: false; problems: Map<number, string> };

type Parsed = { value?: string | number; problem?: string };

function parseValue(kind: ValueKind, raw: string): Parsed {
  const text = raw.trim();
  if (kind === "date" || kind === "contactDate") {
    return /^\d{4}-\d{2}-\d{2}$/.test(text) ? { value: text } : { problem: "Pick a date." };
  }
  if (!text) return { problem: "Enter a value." };
  if (kind === "number") {
    const n = Number(text.replace(",", "."));
    return Number.isFinite(n) ? { value: n } : { problem: "Enter a number." };
  }
  return { value: text };
}

function conditionRule(c: ConditionNode, fields: Map<string, FieldOption>): { rule?: Rule; problem?: string } {
  const field = fields.get(c.field);
  if (!field) return { problem: "This field no longer exists: pick another." };
  const o = operatorOf(field, c.op);
  if (!o) return { problem: "Pick a comparison." };

  if (field.kind === "event") return eventRule(c, o);

  let days: number | undefined;
  let a: Parsed = {};
  let b: Parsed = {};
  if (o.arity === "days") {
    days = Number(c.value.trim());
    if (!Number.isInteger(days) || days < 1) return { problem: "Enter a whole number of days." };
  } else if (o.arity === "one" || o.arity === "two") {
    a = parseValue(field.kind, c.value);
    if (a.problem) return a;
    if (o.arity === "two") {
      b = parseValue(field.kind, c.value2);
      if (b.problem) return b;
    }
  }

  switch (field.kind) {
    case "status":
      return { rule: { kind: "status", op: o.id as "is" | "is_not", values: [c.value as ContactStatus] } };
    case "tag": {
      const tagId = Number(c.value);
      if (!Number.isInteger(tagId) || tagId <= 0) return { problem: "Pick a tag." };
      return { rule: { kind: "tag", op: o.id as "has" | "has_not", tag_id: tagId } };
    }
    case "contactDate":
      return {
        rule: {
          kind: c.field as "created_at" | "updated_at",
          op: o.id as "on",
          value: a.value as string | undefined,
          value2: b.value as string | undefined,
          days,
        },
      };
    default:
      if (c.field.startsWith("custom.")) {
        return {
          rule: { kind: "field", key: c.field.slice(7), op: o.id as "equals", value: a.value, value2: b.value, days },
        };
      }
      return {
        rule: {
          kind: c.field as "email" | "first_name" | "last_name",
          op: o.id as "equals",
          value: typeof a.value === "string" ? a.value : "",
        },
      };
  }
}

type EventName = "opened" | "clicked" | "received" | "bounced";

function eventRule(c: ConditionNode, o: Operator): { rule?: Rule; problem?: string } {
  const event = c.field.slice("event.".length) as EventName;
  const did = o.id.startsWith("did_not") ? "did_not" : "did";
  if (o.arity === "days") {
    const days = Number(c.value.trim());
    if (!Number.isInteger(days) || days < 1) return { problem: "Enter a whole number of days." };
    return { rule: { kind: "event", event, op: did, days } };
  }
  if (o.id.endsWith("campaign")) {
    const id = Number(c.value);
    if (!Number.isInteger(id) || id <= 0) return { problem: "Pick a campaign." };
    return { rule: { kind: "event", event, op: did, campaign_id: id } };
  }
  return { rule: { kind: "event", event, op: did } };
}

/** Drops keys whose value is undefined, so the JSON carries only what the condition needs. */
function clean(rule: Rule): Rule {
  return Object.fromEntries(Object.entries(rule).filter(([, v]) => v !== undefined)) as Rule;
}

/** The stored rules for this tree, or every incomplete condition with what it lacks. */
export function toRules(root: GroupNode, fieldList: FieldOption[]): RulesResult {
  const fields = new Map(fieldList.map((f) => [f.id, f]));
  const problems = new Map<number, string>();
  const walk = (g: GroupNode): Rule => ({
    kind: "group",
    match: g.match,
    rules: g.children.flatMap((n): Rule[] => {
      if (n.type === "group") return [walk(n)];
      const r = conditionRule(n, fields);
      if (r.problem) problems.set(n.id, r.problem);
      return r.rule ? [clean(r.rule)] : [];
    }),
  });
  const rules = walk(root);
  return problems.size ? { ok: false, problems } : { ok: true, rules };
}

const str = (v: unknown) => (v === undefined || v === null ? "" : String(v));

/** The editing tree for stored rules (a saved segment being opened). */
export function fromRules(rule: Rule): GroupNode {
  if (rule.kind !== "group") return newGroup("all", [fromCondition(rule)]);
  return newGroup(
    rule.match,
    rule.rules.map((r) => (r.kind === "group" ? fromRules(r) : fromCondition(r))),
  );
}

function fromCondition(r: Exclude<Rule, { kind: "group" }>): ConditionNode {
  const base = { type: "condition" as const, id: newId(), value2: "" };
  switch (r.kind) {
    case "status":
      return { ...base, field: "status", op: r.op, value: r.values[0] ?? "subscribed" };
    case "tag":
      return { ...base, field: "tag", op: r.op, value: String(r.tag_id) };
    case "created_at":
    case "updated_at":
      return { ...base, field: r.kind, op: r.op, value: str(r.days ?? r.value), value2: str(r.value2) };
    case "field":
      return { ...base, field: `custom.${r.key}`, op: r.op, value: str(r.days ?? r.value), value2: str(r.value2) };
    case "email":
    case "first_name":
    case "last_name":
      return { ...base, field: r.kind, op: r.op, value: r.value };
    case "event": {
      const where = r.campaign_id != null ? "campaign" : r.days != null ? "in_last_days" : "ever";
      return {
        ...base,
        field: `event.${r.event}`,
        op: `${r.op ?? "did"}_${where}`,
        value: str(r.campaign_id ?? r.days),
      };
    }
    default:
      // Conditions the builder cannot edit yet (source, campaign events) show as unknown fields.
      return { ...base, field: r.kind, op: "", value: "" };
  }
}

/** Returns a copy of the tree with `fn` applied to the node with this id. */
export function updateNode(root: GroupNode, id: number, fn: (n: Node) => Node | null): GroupNode {
  const walk = (g: GroupNode): GroupNode => ({
    ...g,
    children: g.children.flatMap((n) => {
      if (n.id === id) {
        const next = fn(n);
        return next ? [next] : [];
      }
      return n.type === "group" ? [walk(n)] : [n];
    }),
  });
  return root.id === id ? (fn(root) as GroupNode) : walk(root);
}
