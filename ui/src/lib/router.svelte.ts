// A hash router (`#/settings`): the page survives a webview reload and needs no
// server-side fallback, which Tauri's asset protocol does not have.

export const routes = [
  { id: "contacts", title: "Contacts" },
  { id: "assets", title: "Assets" },
  { id: "templates", title: "Templates" },
  { id: "campaigns", title: "Campaigns" },
  { id: "analytics", title: "Analytics" },
  { id: "settings", title: "Settings" },
] as const;

export type RouteId = (typeof routes)[number]["id"];

export const defaultRoute: RouteId = "contacts";

export function parseHash(hash: string): RouteId {
  const id = hash.replace(/^#\/?/, "").split(/[/?]/)[0];
  return routes.find((r) => r.id === id)?.id ?? defaultRoute;
}

/** What follows the route id: `#/contacts/segments/4` → `["segments", "4"]`. */
export function parseSubpath(hash: string): string[] {
  return hash
    .replace(/^#\/?/, "")
    .split("?")[0]
    .split("/")
    .slice(1)
    .filter(Boolean)
    .map(decodeURIComponent);
}

export function href(id: RouteId, ...sub: (string | number)[]): string {
  return ["#", id, ...sub.map((s) => encodeURIComponent(String(s)))].join("/");
}

class Router {
  current = $state<RouteId>(defaultRoute);
  /** The rest of the path inside the current page, e.g. `["42"]` for a contact. */
  subpath = $state<string[]>([]);
  /** Asked before the route changes; returning false keeps the user where they are. */
  private guard: ((target: string) => boolean) | null = null;
  private lastHash = "";

  constructor() {
    if (typeof window !== "undefined") {
      this.read();
      window.addEventListener("hashchange", () => {
        if (this.guard && window.location.hash !== this.lastHash && !this.guard(window.location.hash)) {
          // Put the old hash back without adding a history entry.
          history.replaceState(null, "", this.lastHash || "#/");
          return;
        }
        this.read();
      });
    }
  }

  private read(): void {
    this.lastHash = window.location.hash;
    this.current = parseHash(window.location.hash);
    this.subpath = parseSubpath(window.location.hash);
  }

  /** Installs a leave guard (e.g. unsaved changes); returns the function that removes it. */
  setGuard(guard: (target: string) => boolean): () => void {
    this.guard = guard;
    return () => {
      if (this.guard === guard) this.guard = null;
    };
  }

  get title(): string {
    return routes.find((r) => r.id === this.current)?.title ?? "";
  }

  go(id: RouteId, ...sub: (string | number)[]): void {
    window.location.hash = href(id, ...sub);
  }
}

export const router = new Router();
