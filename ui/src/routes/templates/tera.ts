// Finds Tera tags ({{ }}, {% %}, {# #}) in one line of template source and splits them into
// tokens for highlighting. Pure, so it is tested without an editor.

export type TeraTokenKind = "block" | "delim" | "keyword" | "string" | "filter" | "comment";

export interface TeraToken {
  kind: TeraTokenKind;
  from: number;
  to: number;
}

const KEYWORDS = new Set([
  "if", "elif", "else", "endif", "for", "in", "endfor", "set", "set_global", "not", "and",
  "or", "is", "true", "false", "raw", "endraw", "filter", "endfilter", "break", "continue",
]);

const OPENERS: Record<string, string> = { "{{": "}}", "{%": "%}", "{#": "#}" };

/** Tokens of every Tera tag in `line`, positions relative to the line's start. */
export function teraTokens(line: string): TeraToken[] {
  const out: TeraToken[] = [];
  let i = 0;
  while (i < line.length) {
    const start = line.indexOf("{", i);
    if (start < 0 || start + 1 >= line.length) break;
    const opener = line.slice(start, start + 2);
    const closer = OPENERS[opener];
    if (!closer) {
      i = start + 1;
      continue;
    }
    const closeAt = line.indexOf(closer, start + 2);
    // An unclosed tag is highlighted to the end of the line, so the mistake is visible.
    const end = closeAt < 0 ? line.length : closeAt + 2;
    out.push({ kind: "block", from: start, to: end });
    if (opener === "{#") {
      out.push({ kind: "comment", from: start, to: end });
      i = end;
      continue;
    }
    out.push({ kind: "delim", from: start, to: start + 2 });
    const innerEnd = closeAt < 0 ? line.length : closeAt;
    tokenizeInner(line, start + 2, innerEnd, out);
    if (closeAt >= 0) out.push({ kind: "delim", from: closeAt, to: closeAt + 2 });
    i = end;
  }
  return out;
}

function tokenizeInner(line: string, from: number, to: number, out: TeraToken[]): void {
  const re = /("(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?)|\|\s*([A-Za-z_]\w*)|([A-Za-z_]\w*)/g;
  re.lastIndex = from;
  const inner = line.slice(0, to);
  let m: RegExpExecArray | null;
  while ((m = re.exec(inner)) !== null) {
    if (m[1] !== undefined) {
      out.push({ kind: "string", from: m.index, to: m.index + m[1].length });
    } else if (m[2] !== undefined) {
      const nameAt = m.index + m[0].length - m[2].length;
      out.push({ kind: "filter", from: nameAt, to: nameAt + m[2].length });
    } else if (m[3] !== undefined && KEYWORDS.has(m[3])) {
      out.push({ kind: "keyword", from: m.index, to: m.index + m[3].length });
    }
  }
}
