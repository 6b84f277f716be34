// Number formatting for the UI. Fixed to en-US grouping ("1,234") so what the
// app shows does not depend on the webview's locale.

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

/** 1234567 → "1,234,567"; fractions are rounded to two places ("14.5"). */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return "—";
  return Number.isInteger(value) ? integer.format(value) : decimal.format(value);
}

/** "1 contact", "1,234 contacts": a number with its noun in the right form. */
export function formatCount(value: number, one: string, many: string): string {
  return `${formatNumber(value)} ${value === 1 ? one : many}`;
}

/** SES reports -1 (or any negative number) as the 24-hour quota when it is unlimited. */
export function isUnlimited(max24HourSend: number): boolean {
  return max24HourSend < 0;
}

/**
 * Share of the 24-hour quota used, 0–100, rounded to one decimal place;
 * null when the quota is unlimited or zero (no meaningful percentage).
 */
export function quotaPercent(used: number, max: number): number | null {
  if (isUnlimited(max) || max === 0 || !Number.isFinite(used) || !Number.isFinite(max)) {
    return null;
  }
  const pct = (Math.max(0, used) / max) * 100;
  return Math.round(Math.min(100, pct) * 10) / 10;
}

/** "1,234 of 50,000" or "1,234 · Unlimited". */
export function formatQuota(used: number, max: number): string {
  return isUnlimited(max)
    ? `${formatNumber(used)} sent · Unlimited`
    : `${formatNumber(used)} of ${formatNumber(max)}`;
}

/** "14 emails/second", "1 email/second". */
export function formatSendRate(perSecond: number): string {
  return `${formatNumber(perSecond)} ${perSecond === 1 ? "email" : "emails"}/second`;
}

// Dates and times follow the user's locale and time zone (unlike numbers): every page shows
// them through these two, so they read the same everywhere.

/** "27 Nov 2026" in the user's locale; "—" when there is none, the raw text when it is not a date. */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" });
}

/** "27 Nov, 14:05" in the user's locale and zone, the year only when it is not this one's. */
export function formatDateTime(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, {
    day: "numeric",
    month: "short",
    year: d.getFullYear() === now.getFullYear() ? undefined : "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });
}

/** File sizes the way file managers show them: 512 B, 14 KB, 3.2 MB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value >= 10 ? Math.round(value) : Math.round(value * 10) / 10} ${units[unit]}`;
}
