import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Asset } from "$lib/api/assets";
import { LatestOnly, imageSnippet, parseAddresses, sameDraft } from "./editor";

const asset = (over: Partial<Asset> = {}): Asset => ({
  id: 1 as Asset["id"],
  sha256: "h",
  name: "spring_hero-image.png",
  mime_type: "image/png",
  kind: "image",
  size_bytes: 1000,
  width: 1280,
  height: 800,
  folder: "",
  tags: [],
  created_at: "",
  reference: "assets/h.png",
  file: "assets/h.png",
  thumbnail: null,
  published_key: null,
  ...over,
});

describe("imageSnippet", () => {
  it("writes an img for HTML, capped at the email width, with a readable alt", () => {
    expect(imageSnippet(asset(), "html")).toBe(
      '<img src="assets/h.png" alt="spring hero image" width="600" style="display:block;max-width:100%;height:auto;border:0" />',
    );
  });
  it("writes an mj-image for MJML and keeps small images at their size", () => {
    expect(imageSnippet(asset({ width: 120 }), "mjml")).toBe(
      '<mj-image src="assets/h.png" alt="spring hero image" width="120px" />',
    );
  });
  it("escapes quotes in names", () => {
    expect(imageSnippet(asset({ name: 'a"b.png', width: null }), "mjml")).toBe(
      '<mj-image src="assets/h.png" alt="a&quot;b" />',
    );
  });
});

describe("parseAddresses", () => {
  it("splits on commas, spaces and lines and drops duplicates", () => {
    expect(parseAddresses("a@x.io, b@x.io\nA@x.io;c@x.io", 5)).toEqual({
      addresses: ["a@x.io", "b@x.io", "c@x.io"],
      error: null,
    });
  });
  it("names the addresses that are not addresses", () => {
    expect(parseAddresses("a@x.io nope", 5).error).toBe("“nope” is not an email address.");
  });
  it("enforces the limit and requires one", () => {
    expect(parseAddresses("a@x.io b@x.io c@x.io", 2).error).toMatch(/at most 2/);
    expect(parseAddresses("  ", 5).error).toBe("Enter at least one address.");
  });
});

describe("sameDraft", () => {
  it("compares every field", () => {
    const d = { name: "a", description: "", category: "", subject: "s", preheader: "", format: "html" as const, source: "x" };
    expect(sameDraft(d, { ...d })).toBe(true);
    expect(sameDraft(d, { ...d, source: "y" })).toBe(false);
  });
});

describe("LatestOnly", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("runs once after the quiet period with the latest input", async () => {
    const run = vi.fn((n: number) => Promise.resolve(n * 10));
    const results: number[] = [];
    const l = new LatestOnly(run, (r) => results.push(r), () => {}, 300);
    l.schedule(1);
    l.schedule(2);
    vi.advanceTimersByTime(299);
    expect(run).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    await vi.runAllTimersAsync();
    expect(run).toHaveBeenCalledTimes(1);
    expect(results).toEqual([20]);
  });

  it("drops a slow answer once a newer request was made", async () => {
    let resolveFirst: (v: string) => void = () => {};
    const run = vi
      .fn<(s: string) => Promise<string>>()
      .mockImplementationOnce(() => new Promise((r) => (resolveFirst = r)))
      .mockImplementation((s) => Promise.resolve(s));
    const results: string[] = [];
    const l = new LatestOnly(run, (r) => results.push(r), () => {}, 10);
    l.schedule("old");
    await vi.advanceTimersByTimeAsync(10);
    l.now("new");
    await vi.runAllTimersAsync();
    resolveFirst("old");
    await vi.runAllTimersAsync();
    expect(results).toEqual(["new"]);
  });
});
