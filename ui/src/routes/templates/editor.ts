// The template editor's logic that is not about drawing: drafts, the debounced preview,
// test-send addresses and the markup inserted for an image.
import type { Asset } from "$lib/api/assets";
import type { Template, TemplateContent, TemplateDraft, TemplateFormat } from "$lib/api/templates";

export function draftOf(t: Template): TemplateDraft {
  return {
    name: t.name,
    description: t.description,
    category: t.category,
    subject: t.subject,
    preheader: t.preheader,
    format: t.format,
    source: t.source,
  };
}

export function contentOf(d: TemplateDraft): TemplateContent {
  return { format: d.format, source: d.source, subject: d.subject, preheader: d.preheader };
}

export function sameDraft(a: TemplateDraft, b: TemplateDraft): boolean {
  return (
    a.name === b.name &&
    a.description === b.description &&
    a.category === b.category &&
    a.subject === b.subject &&
    a.preheader === b.preheader &&
    a.format === b.format &&
    a.source === b.source
  );
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}

/** The markup that puts `asset` into a template of the given format at the cursor. */
export function imageSnippet(asset: Asset, format: TemplateFormat): string {
  const alt = escapeAttr(asset.name.replace(/\.[a-z0-9]+$/i, "").replace(/[-_]+/g, " "));
  const src = escapeAttr(asset.reference);
  // Emails are at most 600px wide; a wider image is shown at 600 and scales down on phones.
  const width = asset.width ? Math.min(asset.width, 600) : null;
  if (format === "mjml") {
    return `<mj-image src="${src}" alt="${alt}"${width ? ` width="${width}px"` : ""} />`;
  }
  return `<img src="${src}" alt="${alt}"${width ? ` width="${width}"` : ""} style="display:block;max-width:100%;height:auto;border:0" />`;
}

export interface ParsedAddresses {
  addresses: string[];
  error: string | null;
}

const EMAIL = /^[^\s@,;<>]+@[^\s@,;<>]+\.[^\s@,;<>]+$/;

/** Splits what the user typed (commas, semicolons, spaces or lines) into addresses. */
export function parseAddresses(text: string, limit: number): ParsedAddresses {
  const parts = text
    .split(/[\s,;]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  const addresses: string[] = [];
  for (const p of parts) {
    if (!addresses.some((a) => a.toLowerCase() === p.toLowerCase())) addresses.push(p);
  }
  if (addresses.length === 0) return { addresses, error: "Enter at least one address." };
  const bad = addresses.filter((a) => !EMAIL.test(a));
  if (bad.length) {
    return {
      addresses,
      error: `${bad.map((b) => `“${b}”`).join(", ")} ${bad.length === 1 ? "is not an email address" : "are not email addresses"}.`,
    };
  }
  if (addresses.length > limit) {
    return { addresses, error: `A test goes to at most ${limit} addresses; you entered ${addresses.length}.` };
  }
  return { addresses, error: null };
}

/**
 * Runs the latest request after a quiet period and drops answers that arrive after a newer
 * request was made, so a slow render never overwrites a newer preview.
 */
export class LatestOnly<I, O> {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private seq = 0;

  constructor(
    private readonly run: (input: I) => Promise<O>,
    private readonly onResult: (output: O) => void,
    private readonly onError: (error: unknown) => void,
    private readonly delayMs: number,
  ) {}

  schedule(input: I): void {
    if (this.timer) clearTimeout(this.timer);
    const mine = ++this.seq;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.run(input).then(
        (out) => {
          if (mine === this.seq) this.onResult(out);
        },
        (err) => {
          if (mine === this.seq) this.onError(err);
        },
      );
    }, this.delayMs);
  }

  /** Runs now, skipping the quiet period (e.g. after switching the preview contact). */
  now(input: I): void {
    this.schedule(input);
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
      const mine = this.seq;
      this.run(input).then(
        (out) => {
          if (mine === this.seq) this.onResult(out);
        },
        (err) => {
          if (mine === this.seq) this.onError(err);
        },
      );
    }
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.seq++;
  }
}

/** "Ctrl+S" on Linux and Windows, "⌘S" on macOS. */
export function saveShortcutLabel(platform: string): string {
  return /mac/i.test(platform) ? "⌘S" : "Ctrl+S";
}

/** What a new blank template starts with: the required footer is already there. */
export function starterSource(format: TemplateFormat): string {
  if (format === "mjml") {
    return `<mjml>
  <mj-head>
    <mj-preview>{{ preheader }}</mj-preview>
  </mj-head>
  <mj-body background-color="#f4f4f5">
    <mj-section background-color="#ffffff" padding="32px 24px">
      <mj-column>
        <mj-text font-size="24px" font-weight="700">Hello {{ contact.first_name | default(value="there") }},</mj-text>
        <mj-text font-size="16px" line-height="1.6">Write your message here.</mj-text>
      </mj-column>
    </mj-section>
    <mj-section padding="16px 24px">
      <mj-column>
        <mj-text font-size="12px" color="#71717a" align="center">
          {{ workspace.postal_address }}<br />
          <a href="{{ unsubscribe_url }}" style="color:#71717a">Unsubscribe</a>
        </mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>
`;
  }
  return `<!doctype html>
<html>
  <head>
    <meta name="viewport" content="width=device-width, initial-scale=1" />
  </head>
  <body style="margin:0;background:#f4f4f5;font-family:Helvetica,Arial,sans-serif">
    <table role="presentation" width="100%" cellpadding="0" cellspacing="0">
      <tr>
        <td align="center" style="padding:32px 12px">
          <table role="presentation" width="600" style="max-width:600px;width:100%;background:#ffffff">
            <tr>
              <td style="padding:32px 24px;font-size:16px;line-height:1.6;color:#18181b">
                <h1 style="margin:0 0 16px;font-size:24px">Hello {{ contact.first_name | default(value="there") }},</h1>
                <p style="margin:0">Write your message here.</p>
              </td>
            </tr>
          </table>
          <p style="font-size:12px;color:#71717a">
            {{ workspace.postal_address }}<br />
            <a href="{{ unsubscribe_url }}" style="color:#71717a">Unsubscribe</a>
          </p>
        </td>
      </tr>
    </table>
  </body>
</html>
`;
}
