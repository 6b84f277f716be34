import { describe, expect, it } from "vitest";
import {
  checkSchedule,
  formatOffset,
  isTimeZone,
  offsetMinutes,
  utcToZoned,
  zonedToUtc,
} from "./schedule";

describe("zonedToUtc", () => {
  it("converts a wall time in a zone east and west of UTC", () => {
    expect(zonedToUtc({ date: "2026-12-01", time: "09:30" }, "Europe/Berlin")).toBe("2026-12-01T08:30:00Z");
    expect(zonedToUtc({ date: "2026-07-01", time: "09:30" }, "Europe/Berlin")).toBe("2026-07-01T07:30:00Z");
    expect(zonedToUtc({ date: "2026-12-01", time: "09:30" }, "America/New_York")).toBe("2026-12-01T14:30:00Z");
    expect(zonedToUtc({ date: "2026-12-01", time: "09:30" }, "Asia/Kolkata")).toBe("2026-12-01T04:00:00Z");
    expect(zonedToUtc({ date: "2026-12-01", time: "00:15" }, "UTC")).toBe("2026-12-01T00:15:00Z");
  });

  it("crosses the date line", () => {
    expect(zonedToUtc({ date: "2026-12-01", time: "08:00" }, "Pacific/Auckland")).toBe("2026-11-30T19:00:00Z");
  });

  it("moves a time skipped by the spring-forward jump to after it", () => {
    // 29 March 2026, Berlin: 02:00 → 03:00.
    expect(zonedToUtc({ date: "2026-03-29", time: "02:30" }, "Europe/Berlin")).toBe("2026-03-29T01:30:00Z");
    expect(utcToZoned("2026-03-29T01:30:00Z", "Europe/Berlin")).toEqual({ date: "2026-03-29", time: "03:30" });
  });

  it("takes the first of a repeated time when the clock goes back", () => {
    // 25 October 2026, Berlin: 03:00 → 02:00, so 02:30 happens twice.
    expect(zonedToUtc({ date: "2026-10-25", time: "02:30" }, "Europe/Berlin")).toBe("2026-10-25T00:30:00Z");
  });

  it("refuses malformed dates, times and zones", () => {
    expect(zonedToUtc({ date: "2026-02-30", time: "09:00" }, "UTC")).toBeNull();
    expect(zonedToUtc({ date: "2026-12-01", time: "24:00" }, "UTC")).toBeNull();
    expect(zonedToUtc({ date: "1/12/2026", time: "09:00" }, "UTC")).toBeNull();
    expect(zonedToUtc({ date: "2026-12-01", time: "09:00" }, "Mars/Olympus")).toBeNull();
  });
});

describe("utcToZoned", () => {
  it("round-trips with zonedToUtc", () => {
    for (const zone of ["Europe/Lisbon", "America/Los_Angeles", "Australia/Sydney", "Asia/Kathmandu"]) {
      const wall = { date: "2026-06-15", time: "18:45" };
      const utc = zonedToUtc(wall, zone);
      expect(utc).not.toBeNull();
      expect(utcToZoned(utc!, zone)).toEqual(wall);
    }
  });
});

describe("offsets", () => {
  it("knows summer time", () => {
    expect(offsetMinutes(Date.parse("2026-01-15T12:00:00Z"), "Europe/London")).toBe(0);
    expect(offsetMinutes(Date.parse("2026-07-15T12:00:00Z"), "Europe/London")).toBe(60);
    expect(formatOffset(330)).toBe("UTC+05:30");
    expect(formatOffset(-240)).toBe("UTC-04:00");
  });

  it("tells real zones from typos", () => {
    expect(isTimeZone("Europe/Paris")).toBe(true);
    expect(isTimeZone("Europe/Pariss")).toBe(false);
    expect(isTimeZone("")).toBe(false);
  });
});

describe("checkSchedule", () => {
  const now = Date.parse("2026-11-27T10:00:00Z");

  it("accepts a future time and gives its UTC instant", () => {
    expect(checkSchedule({ date: "2026-11-27", time: "12:00" }, "Europe/Berlin", now)).toEqual({
      utc: "2026-11-27T11:00:00Z",
      problem: null,
    });
  });

  it("names what is wrong", () => {
    expect(checkSchedule({ date: "", time: "12:00" }, "UTC", now).problem).toBe("missing");
    expect(checkSchedule({ date: "2026-13-01", time: "12:00" }, "UTC", now).problem).toBe("invalid");
    // 10:30 in Berlin is 09:30 UTC: already past.
    expect(checkSchedule({ date: "2026-11-27", time: "10:30" }, "Europe/Berlin", now).problem).toBe("past");
  });
});
