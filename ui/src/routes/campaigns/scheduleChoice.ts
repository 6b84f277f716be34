// The schedule step's choice (now, or a date and time in a zone) before the campaign is
// scheduled. The backend stores a schedule only when it is set, so the half-made choice
// of a draft is kept on this computer, per workspace and campaign.
import { localTimeZone } from "./schedule";

export interface ScheduleChoice {
  mode: "now" | "later";
  date: string;
  time: string;
  timeZone: string;
}

const key = (workspace: string, campaign: number) => `herald.schedule.${workspace}.${campaign}`;

export function defaultChoice(): ScheduleChoice {
  return { mode: "now", date: "", time: "09:00", timeZone: localTimeZone() };
}

function isChoice(v: unknown): v is ScheduleChoice {
  if (typeof v !== "object" || v === null) return false;
  const c = v as Record<string, unknown>;
  return (
    (c.mode === "now" || c.mode === "later") &&
    typeof c.date === "string" &&
    typeof c.time === "string" &&
    typeof c.timeZone === "string"
  );
}

export function loadSchedule(workspace: string | null, campaign: number | null): ScheduleChoice {
  if (!workspace || campaign === null || typeof localStorage === "undefined") return defaultChoice();
  try {
    const raw = localStorage.getItem(key(workspace, campaign));
    const parsed: unknown = raw ? JSON.parse(raw) : null;
    return isChoice(parsed) ? parsed : defaultChoice();
  } catch {
    return defaultChoice();
  }
}

/** Remembers the choice; null forgets it (the campaign was scheduled or sent). */
export function saveSchedule(workspace: string, campaign: number, choice: ScheduleChoice | null): void {
  if (typeof localStorage === "undefined") return;
  try {
    if (choice) localStorage.setItem(key(workspace, campaign), JSON.stringify(choice));
    else localStorage.removeItem(key(workspace, campaign));
  } catch {
    // Storage full or disabled: the choice is simply asked again.
  }
}
