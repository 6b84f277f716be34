// Scheduling in a chosen IANA time zone: the user picks a wall-clock date and time "in
// Europe/Lisbon"; the backend stores the instant in UTC plus the zone's name. Intl knows
// every zone's offsets (summer time included), so no time-zone database ships with Herald.

export interface WallTime {
  /** `YYYY-MM-DD` */
  date: string;
  /** `HH:MM`, 24-hour */
  time: string;
}

const partsFormatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = partsFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    partsFormatters.set(timeZone, f);
  }
  return f;
}

/** True when the runtime knows this zone name. */
export function isTimeZone(name: string): boolean {
  if (!name) return false;
  try {
    partsFormatter(name);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock fields of `instant` in `timeZone`, as a UTC timestamp in milliseconds. */
function wallClockMs(instant: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of partsFormatter(timeZone).formatToParts(new Date(instant))) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
}

/** How far `timeZone` is ahead of UTC at `instant`, in minutes. */
export function offsetMinutes(instant: number, timeZone: string): number {
  const whole = Math.floor(instant / 1000) * 1000;
  return Math.round((wallClockMs(whole, timeZone) - whole) / 60000);
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/**
 * The UTC instant (RFC 3339, `Z`) of a wall-clock time in `timeZone`, or null when the date
 * or time is malformed. A time skipped by a summer-time jump is moved forward by the jump
 * (02:30 on the spring-forward night is 03:30); a repeated time takes its first occurrence.
 */
export function zonedToUtc(wall: WallTime, timeZone: string): string | null {
  const d = DATE.exec(wall.date);
  const t = TIME.exec(wall.time);
  if (!d || !t || !isTimeZone(timeZone)) return null;
  const [year, month, day] = [Number(d[1]), Number(d[2]), Number(d[3])];
  const asUtc = Date.UTC(year, month - 1, day, Number(t[1]), Number(t[2]));
  const check = new Date(asUtc);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    return null;
  }
  // Try the offsets in force a day either side; the earliest candidate that reads back as
  // the wanted wall time wins (first occurrence when the clock goes back).
  const offsets = new Set([
    offsetMinutes(asUtc - 86_400_000, timeZone),
    offsetMinutes(asUtc, timeZone),
    offsetMinutes(asUtc + 86_400_000, timeZone),
  ]);
  const candidates = [...offsets]
    .map((o) => asUtc - o * 60000)
    .filter((instant) => wallClockMs(instant, timeZone) === asUtc)
    .sort((a, b) => a - b);
  if (candidates.length) return new Date(candidates[0]).toISOString().replace(/\.\d{3}Z$/, "Z");
  // A skipped wall time: apply the offset from before the jump, which lands after it.
  const before = offsetMinutes(asUtc - 86_400_000, timeZone);
  return new Date(asUtc - before * 60000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The wall-clock date and time of a UTC instant in `timeZone`. */
export function utcToZoned(iso: string, timeZone: string): WallTime | null {
  const instant = Date.parse(iso);
  if (Number.isNaN(instant) || !isTimeZone(timeZone)) return null;
  const wall = new Date(wallClockMs(instant, timeZone));
  const pad = (n: number) => String(n).padStart(2, "0");
  return {
    date: `${wall.getUTCFullYear()}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}`,
    time: `${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}`,
  };
}

/** The zone this computer is set to (UTC when the runtime cannot tell). */
export function localTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/** Every zone the runtime knows, the local one guaranteed to be among them. */
export function timeZones(): string[] {
  const intl = Intl as typeof Intl & { supportedValuesOf?: (key: string) => string[] };
  const all = intl.supportedValuesOf ? intl.supportedValuesOf("timeZone") : [];
  const local = localTimeZone();
  const set = new Set(all.length ? all : ["UTC", "Europe/London", "America/New_York"]);
  set.add(local);
  set.add("UTC");
  return [...set].sort();
}

/** "UTC+01:00" for an offset in minutes. */
export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

/** "Tue 1 Dec 2026, 09:30 (Europe/Lisbon)" — an instant as the user chose it. */
export function formatInZone(iso: string, timeZone: string, locale?: string): string {
  const instant = Date.parse(iso);
  if (Number.isNaN(instant)) return iso;
  const zone = isTimeZone(timeZone) ? timeZone : "UTC";
  const text = new Intl.DateTimeFormat(locale, {
    timeZone: zone,
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(new Date(instant));
  return `${text} (${zone})`;
}

export type ScheduleProblem = "missing" | "invalid" | "past";

/**
 * Checks a schedule before it is sent to the backend: both fields filled, a real date, and
 * at least a minute in the future (the backend checks again).
 */
export function checkSchedule(
  wall: WallTime,
  timeZone: string,
  now: number = Date.now(),
): { utc: string; problem: null } | { utc: null; problem: ScheduleProblem } {
  if (!wall.date || !wall.time) return { utc: null, problem: "missing" };
  const utc = zonedToUtc(wall, timeZone);
  if (!utc) return { utc: null, problem: "invalid" };
  if (Date.parse(utc) < now + 60_000) return { utc: null, problem: "past" };
  return { utc, problem: null };
}

export const scheduleMessages: Record<ScheduleProblem, string> = {
  missing: "Choose a date and a time.",
  invalid: "This is not a valid date or time.",
  past: "Choose a time at least a minute from now.",
};
