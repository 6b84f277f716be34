import { describe, expect, it } from "vitest";
import type { Rule } from "$lib/api/segments";
import {
  changeField,
  fieldOptions,
  fromRules,
  newCondition,
  newGroup,
  toRules,
  updateNode,
  type ConditionNode,
  type GroupNode,
} from "./rules";

const fields = fieldOptions(
  [
    { id: 1, key: "plan", label: "Plan", type: "choice", required: false, options: ["free", "pro"], position: 1 },
    { id: 2, key: "score", label: "Score", type: "number", required: false, options: [], position: 2 },
    { id: 3, key: "renews", label: "Renews", type: "date", required: false, options: [], position: 3 },
  ],
  [{ id: 7, name: "VIP", colour: "#ff0000", contact_count: 3 }],
);
const field = (id: string) => fields.find((f) => f.id === id)!;

function cond(id: string, patch: Partial<ConditionNode> = {}): ConditionNode {
  return { ...newCondition(field(id)), ...patch };
}

describe("segment rules", () => {
  it("offers operators and a first value that fit each field type", () => {
    expect(newCondition(field("tag"))).toMatchObject({ op: "has", value: "7" });
    expect(newCondition(field("custom.plan"))).toMatchObject({ op: "equals", value: "free" });
    expect(newCondition(field("created_at"))).toMatchObject({ op: "in_last_days", value: "30" });
    expect(newCondition(field("status"))).toMatchObject({ op: "is", value: "subscribed" });
  });

  it("turns a nested tree into the core's rule JSON", () => {
    const root = newGroup("all", [
      cond("tag"),
      cond("custom.score", { op: "between", value: "1", value2: "9,5" }),
      newGroup("any", [
        cond("created_at", { op: "in_last_days", value: "30" }),
        cond("email", { op: "nope", value: "x" }),
        cond("status", { value: "bounced", op: "is_not" }),
        cond("first_name", { op: "is_set" }),
        cond("custom.renews", { op: "before", value: "2027-01-31" }),
      ]),
    ]);
    expect(toRules(root, fields).ok).toBe(false);

    const fixed = updateNode(root, (root.children[2] as GroupNode).children[1].id, () => null);
    expect(toRules(fixed, fields)).toEqual({
      ok: true,
      rules: {
        kind: "group",
        match: "all",
        rules: [
          { kind: "tag", op: "has", tag_id: 7 },
          { kind: "field", key: "score", op: "between", value: 1, value2: 9.5 },
          {
            kind: "group",
            match: "any",
            rules: [
              { kind: "created_at", op: "in_last_days", days: 30 },
              { kind: "status", op: "is_not", values: ["bounced"] },
              { kind: "first_name", op: "is_set", value: "" },
              { kind: "field", key: "renews", op: "before", value: "2027-01-31" },
            ],
          },
        ],
      },
    });
  });

  it("names each incomplete condition", () => {
    const a = cond("email", { value: " " });
    const b = cond("custom.score", { op: "greater_than", value: "lots" });
    const c = cond("updated_at", { op: "in_last_days", value: "0" });
    const d = cond("created_at", { op: "before", value: "" });
    const r = toRules(newGroup("all", [a, b, c, d]), fields);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problems.get(a.id)).toBe("Enter a value.");
      expect(r.problems.get(b.id)).toBe("Enter a number.");
      expect(r.problems.get(c.id)).toBe("Enter a whole number of days.");
      expect(r.problems.get(d.id)).toBe("Pick a date.");
    }
  });

  it("round-trips stored rules through the editor", () => {
    const rules: Rule = {
      kind: "group",
      match: "any",
      rules: [
        { kind: "field", key: "score", op: "between", value: 1, value2: 5 },
        { kind: "group", match: "all", rules: [{ kind: "tag", op: "has_not", tag_id: 7 }] },
        { kind: "updated_at", op: "not_in_last_days", days: 90 },
        { kind: "email", op: "ends_with", value: "@acme.example" },
      ],
    };
    expect(toRules(fromRules(rules), fields)).toEqual({ ok: true, rules });
  });

  it("keeps the operator when the new field supports it, else starts afresh", () => {
    const c = cond("email", { op: "contains", value: "acme" });
    expect(changeField(c, field("last_name"))).toMatchObject({ op: "contains", value: "acme", id: c.id });
    expect(changeField(c, field("tag"))).toMatchObject({ op: "has", value: "7", id: c.id });
  });
});

describe("event conditions", () => {
  it("round-trip between the builder and the stored rules", async () => {
    const { fieldOptions, fromRules, toRules } = await import("./rules");
    const fields = fieldOptions([], [], [{ id: 7, name: "Autumn news" }]);
    const stored = {
      kind: "group" as const,
      match: "all" as const,
      rules: [
        { kind: "event" as const, event: "opened" as const, op: "did" as const, days: 30 },
        { kind: "event" as const, event: "clicked" as const, op: "did_not" as const, campaign_id: 7 },
        { kind: "event" as const, event: "received" as const, op: "did" as const },
      ],
    };
    const tree = fromRules(stored);
    const back = toRules(tree, fields);
    expect(back).toEqual({ ok: true, rules: stored });
  });
});
