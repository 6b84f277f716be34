// Labels and colours the contacts views share.

import { formatDate } from "$lib/format";

export const statusLabels: Record<string, string> = {
  subscribed: "Subscribed",
  unsubscribed: "Unsubscribed",
  bounced: "Bounced",
  complained: "Complained",
  blocked: "Blocked",
};

export const statusBadge: Record<string, string> = {
  subscribed: "badge-success",
  unsubscribed: "",
  bounced: "badge-warning",
  complained: "badge-danger",
  blocked: "badge-danger",
};

/** A readable text colour on a tag's background colour. */
export function tagTextColor(hex: string): string {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex);
  if (!m) return "inherit";
  const n = parseInt(m[1], 16);
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  return 0.299 * r + 0.587 * g + 0.114 * b > 150 ? "#17171c" : "#ffffff";
}

export const tagPalette = [
  "#4f46e5",
  "#0ea5e9",
  "#10b981",
  "#84cc16",
  "#f59e0b",
  "#f97316",
  "#ef4444",
  "#ec4899",
  "#a855f7",
  "#64748b",
];

/** A custom value as the list and the detail page show it. */
export function fieldText(value: boolean | number | string | undefined | null, type?: string): string {
  if (value === undefined || value === null || value === "") return "";
  if (typeof value === "boolean") return value ? "Yes" : "No";
  if (typeof value === "number") return new Intl.NumberFormat("en-US", { maximumFractionDigits: 6 }).format(value);
  if (type === "date") return formatDate(value);
  return value;
}
