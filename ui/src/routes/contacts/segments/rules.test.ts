import { describe, expect, it } from "vitest";
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
    { id: 1, key: "plan", label: "Plan", field_type: "choice", required: false, options: ["free", "pro"] },
    { id: 2, key: "score", label: "Score", field_type: "number", required: false, options: [] },
  ],
  [{ id: 7, name: "VIP", color: "#f00", contact_count: 3 }],
);
const field = (id: string) => fields.find((f) => f.id === id)!;

function cond(id: string, patch: Partial<ConditionNode> = {}): ConditionNode {
  return { ...newCondition(field(id)), ...patch };
}

describe("segment rules", () => {
  it("offers operators that fit each field type", () => {
    expect(newCondition(field("tag"))).toMatchObject({ op: "has", value: "7" });
    expect(newCondition(field("custom.plan"))).toMatchObject({ op: "equals", value: "free" });
    expect(newCondition(field("created_at"))).toMatchObject({ op: "in_last_days", value: "30" });
  });

  it("turns a nested tree into typed JSON", () => {
    const root = newGroup("all", [
      cond("tag"),
      cond("custom.score", { op: "between", value: "1", value2: "9.5" }),
      newGroup("any", [
        cond("created_at", { op: "in_last_days", value: "30" }),
        cond("email", { op: "ends_with", value: "x" }),
        cond("status", { value: "subscribed" }),
        cond("first_name", { op: "is_set" }),
      ]),
    ]);
    // "ends_with" is not a text operator: reported, not sent.
    const bad = toRules(root, fields);
    expect(bad.ok).toBe(false);

    const fixed = updateNode(root, (root.children[2] as GroupNode).children[1].id, () => null);
    const ok = toRules(fixed, fields);
    expect(ok).toEqual({
      ok: true,
      rules: {
        match: "all",
        rules: [
          { field: "tag", op: "has", value: 7 },
          { field: "custom.score", op: "between", value: [1, 9.5] },
          {
            match: "any",
            rules: [
              { field: "created_at", op: "in_last_days", value: 30 },
              { field: "status", op: "equals", value: "subscribed" },
              { field: "first_name", op: "is_set" },
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
    const r = toRules(newGroup("all", [a, b, c]), fields);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problems.get(a.id)).toBe("Enter a value.");
      expect(r.problems.get(b.id)).toBe("Enter a number.");
      expect(r.problems.get(c.id)).toBe("Enter a whole number of days.");
    }
  });

  it("round-trips stored rules through the editor", () => {
    const rules = {
      match: "any" as const,
      rules: [
        { field: "custom.score", op: "between", value: [1, 5] },
        { match: "all" as const, rules: [{ field: "tag", op: "has_not", value: 7 }] },
      ],
    };
    expect(toRules(fromRules(rules), fields)).toEqual({ ok: true, rules });
  });

  it("keeps the operator when the new field supports it, else resets", () => {
    const c = cond("email", { op: "contains", value: "acme" });
    expect(changeField(c, field("last_name"))).toMatchObject({ op: "contains", value: "acme", id: c.id });
    expect(changeField(c, field("tag"))).toMatchObject({ op: "has", value: "7", id: c.id });
  });
});
