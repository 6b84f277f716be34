import { describe, expect, it } from "vitest";
import { teraTokens, type TeraToken } from "./tera";

const texts = (line: string, kind: TeraToken["kind"]) =>
  teraTokens(line)
    .filter((t) => t.kind === kind)
    .map((t) => line.slice(t.from, t.to));

describe("teraTokens", () => {
  it("finds variables with their delimiters and filters", () => {
    const line = '<p>Hi {{ contact.first_name | default(value="there") }}!</p>';
    expect(texts(line, "block")).toEqual(['{{ contact.first_name | default(value="there") }}']);
    expect(texts(line, "delim")).toEqual(["{{", "}}"]);
    expect(texts(line, "filter")).toEqual(["default"]);
    expect(texts(line, "string")).toEqual(['"there"']);
  });

  it("marks statement keywords", () => {
    const line = "{% if contact.city %}{{ contact.city }}{% else %}you{% endif %}";
    expect(texts(line, "keyword")).toEqual(["if", "else", "endif"]);
    expect(texts(line, "block")).toHaveLength(4);
  });

  it("treats comments as one token", () => {
    const line = "a {# note: {{ not a var }} #} b";
    expect(texts(line, "comment")).toEqual(["{# note: {{ not a var }} #}"]);
    expect(texts(line, "delim")).toEqual([]);
  });

  it("runs an unclosed tag to the end of the line", () => {
    const line = "Hello {{ first_name";
    expect(texts(line, "block")).toEqual(["{{ first_name"]);
  });

  it("ignores plain braces and CSS", () => {
    expect(teraTokens("a { color: red } {")).toEqual([]);
  });
});
