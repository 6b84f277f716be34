// The segment builder's editing state and its translation to the stored rule JSON
// (docs/segments.md). The editor works on a tree with ids and loose string values; `toRules`
// turns it into the typed JSON the core compiles, or names what is still missing.
import type { CustomField } from "$lib/api/fields";
import type { Condition, RuleGroup } from "$lib/api/segments";
import type { Tag } from "$lib/api/tags";

export type ValueKind = "text" | "number" | "date" | "boolean" | "choice" | "status" | "tag";

export interface FieldOption {
  /** `email`, `status`, `tag`, `created_at`, … or `custom.<key>`. */
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

const op = (id: string, label: string, arity: Operator["arity"] = "one"): Operator => ({
  id,
  label,
  arity,
});

export const operators: Record<ValueKind, Operator[]> = {
  text: [
    op("equals", "is"),
    op("not_equals", "is not"),
    op("contains", "contains"),
    op("not_contains", "does not contain"),
    op("starts_with", "starts with"),
    op("is_set", "is set", "none"),
    op("is_empty", "is empty", "none"),
  ],
  number: [
    op("equals", "="),
    op("not_equals", "≠"),
    op("greater_than", ">"),
    op("less_than", "<"),
    op("between", "between", "two"),
    op("is_set", "is set", "none"),
    op("is_empty", "is empty", "none"),
  ],
  date: [
    op("in_last_days", "in the last", "days"),
    op("not_in_last_days", "not in the last", "days"),
    op("before", "before"),
    op("after", "after"),
    op("between", "between", "two"),
    op("is_set", "is set", "none"),
    op("is_empty", "is empty", "none"),
  ],
  boolean: [op("is_true", "is yes", "none"), op("is_false", "is no", "none"), op("is_empty", "is empty", "none")],
  choice: [
    op("equals", "is"),
    op("not_equals", "is not"),
    op("is_set", "is set", "none"),
    op("is_empty", "is empty", "none"),
  ],
  status: [op("equals", "is"), op("not_equals", "is not")],
  tag: [op("has", "has"), op("has_not", "does not have")],
};

export const statusChoices = ["subscribed", "unsubscribed", "bounced", "complained", "blocked"].map(
  (s) => ({ value: s, label: s[0].toUpperCase() + s.slice(1) }),
);

/** Every field a condition can test, standard ones first. */
export function fieldOptions(fields: CustomField[], tags: Tag[]): FieldOption[] {
  return [
    { id: "email", label: "Email", kind: "text" },
    { id: "first_name", label: "First name", kind: "text" },
    { id: "last_name", label: "Last name", kind: "text" },
    { id: "status", label: "Status", kind: "status", choices: statusChoices },
    { id: "tag", label: "Tag", kind: "tag", choices: tags.map((t) => ({ value: String(t.id), label: t.name })) },
    { id: "created_at", label: "Created", kind: "date" },
    { id: "updated_at", label: "Updated", kind: "date" },
    ...fields.map((f) => ({
      id: `custom.${f.key}`,
      label: f.label,
      kind: (f.field_type === "choice" ? "choice" : f.field_type) as ValueKind,
      choices: f.options.map((o) => ({ value: o, label: o })),
    })),
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
    value: field.choices?.[0]?.value ?? (first.arity === "days" ? "30" : ""),
    value2: "",
  };
}

export function newGroup(match: "all" | "any" = "all", children: Node[] = []): GroupNode {
  return { type: "group", id: newId(), match, children };
}

export function operatorOf(field: FieldOption | undefined, opId: string): Operator | undefined {
  return field ? operators[field.kind].find((o) => o.id === opId) : undefined;
}

/** Changing the field keeps the operator when it still fits, else takes the field's first. */
export function changeField(cond: ConditionNode, field: FieldOption): ConditionNode {
  const keep = operators[field.kind].some((o) => o.id === cond.op);
  const fresh = newCondition(field);
  return keep
    ? { ...cond, field: field.id, value: field.choices ? fresh.value : cond.value }
    : { ...fresh, id: cond.id };
}

export type RulesResult =
  | { ok: true; rules: RuleGroup }
  | { ok: false; problems: Map<number, string> };

function parseValue(kind: ValueKind, raw: string): { value?: unknown; problem?: string } {
  const text = raw.trim();
  if (!text) return { problem: "Enter a value." };
  if (kind === "number") {
    const n = Number(text.replace(",", "."));
    return Number.isFinite(n) ? { value: n } : { problem: "Enter a number." };
  }
  if (kind === "date") {
    return /^\d{4}-\d{2}-\d{2}$/.test(text) ? { value: text } : { problem: "Pick a date." };
  }
  if (kind === "tag") {
    const id = Number(text);
    return Number.isInteger(id) ? { value: id } : { problem: "Pick a tag." };
  }
  return { value: text };
}

function conditionJson(
  c: ConditionNode,
  fields: Map<string, FieldOption>,
): { condition?: Condition; problem?: string } {
  const field = fields.get(c.field);
  if (!field) return { problem: "This field no longer exists." };
  const op = operatorOf(field, c.op);
  if (!op) return { problem: "Pick a comparison." };
  switch (op.arity) {
    case "none":
      return { condition: { field: c.field, op: op.id } };
    case "days": {
      const days = Number(c.value.trim());
      if (!Number.isInteger(days) || days < 1) return { problem: "Enter a whole number of days." };
      return { condition: { field: c.field, op: op.id, value: days } };
    }
    case "one": {
      const v = parseValue(field.kind, c.value);
      return v.problem ? v : { condition: { field: c.field, op: op.id, value: v.value } };
    }
    case "two": {
      const a = parseValue(field.kind, c.value);
      const b = parseValue(field.kind, c.value2);
      if (a.problem || b.problem) return { problem: a.problem ?? b.problem };
      return { condition: { field: c.field, op: op.id, value: [a.value, b.value] } };
    }
  }
}

/** The stored JSON for this tree, or every incomplete condition with what it lacks. */
export function toRules(root: GroupNode, fieldList: FieldOption[]): RulesResult {
  const fields = new Map(fieldList.map((f) => [f.id, f]));
  const problems = new Map<number, string>();
  const walk = (g: GroupNode): RuleGroup => ({
    match: g.match,
    rules: g.children.flatMap((n): (RuleGroup | Condition)[] => {
      if (n.type === "group") return [walk(n)];
      const r = conditionJson(n, fields);
      if (r.problem) problems.set(n.id, r.problem);
      return r.condition ? [r.condition] : [];
    }),
  });
  const rules = walk(root);
  return problems.size ? { ok: false, problems } : { ok: true, rules };
}

function isGroup(r: RuleGroup | Condition): r is RuleGroup {
  return Array.isArray((r as RuleGroup).rules);
}

/** The editing tree for stored rules (a saved segment being opened). */
export function fromRules(rules: RuleGroup): GroupNode {
  return newGroup(
    rules.match,
    rules.rules.map((r): Node => {
      if (isGroup(r)) return fromRules(r);
      const [a, b] = Array.isArray(r.value) ? r.value : [r.value, ""];
      return {
        type: "condition",
        id: newId(),
        field: r.field,
        op: r.op,
        value: a === undefined || a === null ? "" : String(a),
        value2: b === undefined || b === null ? "" : String(b),
      };
    }),
  );
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
