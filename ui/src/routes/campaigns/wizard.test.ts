import { describe, expect, it } from "vitest";
import { canJumpTo, furthestReachable, missingFor, nextStep, previousStep, reopenStep, type DraftFacts } from "./wizard";

const empty: DraftFacts = { name: "", hasAudience: false, template_id: null, body_source: null, subject: "", when: null };
const complete: DraftFacts = {
  name: "November news",
  hasAudience: true,
  template_id: 3,
  body_source: "<p>Hi</p>",
  subject: "News",
  when: "now",
};

describe("wizard steps", () => {
  it("walks name → audience → template → content → schedule", () => {
    expect(nextStep("name")).toBe("audience");
    expect(nextStep("content")).toBe("schedule");
    expect(nextStep("schedule")).toBe("review");
    expect(nextStep("review")).toBeNull();
    expect(previousStep("audience")).toBe("name");
    expect(previousStep("name")).toBeNull();
  });

  it("names what a step still needs", () => {
    expect(missingFor("name", { ...empty, name: "  " })).toMatch(/name/);
    expect(missingFor("audience", empty)).toMatch(/segment, tag or contact/);
    expect(missingFor("template", { ...empty, body_source: "<p>x</p>" })).toBeNull();
    expect(missingFor("content", { ...complete, subject: "" })).toMatch(/subject/);
    expect(missingFor("content", { ...complete, body_source: " " })).toMatch(/no content/);
    expect(missingFor("content", complete)).toBeNull();
  });

  it("finds the furthest step a draft may be shown at", () => {
    expect(furthestReachable(empty)).toBe("name");
    expect(furthestReachable({ ...empty, name: "x" })).toBe("audience");
    expect(furthestReachable({ ...complete, subject: "" })).toBe("content");
    expect(furthestReachable({ ...complete, when: null })).toBe("schedule");
    expect(furthestReachable(complete)).toBe("review");
  });
});

describe("reopening a draft", () => {
  it("opens at the step it was left at", () => {
    expect(reopenStep("template", { ...complete, template_id: null, body_source: null })).toBe("template");
    expect(reopenStep("content", complete)).toBe("content");
    expect(reopenStep("audience", complete)).toBe("audience");
  });

  it("never skips an incomplete earlier step", () => {
    expect(reopenStep("schedule", { ...complete, hasAudience: false })).toBe("audience");
  });

  it("falls back to the furthest complete step when the saved step is unknown", () => {
    expect(reopenStep(null, { ...empty, name: "x" })).toBe("audience");
    expect(reopenStep("bogus", complete)).toBe("review");
  });

  it("lets the stepper go back anywhere and forward only over complete steps", () => {
    const partial = { ...complete, template_id: null, body_source: null };
    expect(canJumpTo("name", "template", partial)).toBe(true);
    expect(canJumpTo("content", "audience", partial)).toBe(false);
    expect(canJumpTo("template", "audience", partial)).toBe(true);
  });
});
