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

export function href(id: RouteId): string {
  return `#/${id}`;
}

class Router {
  current = $state<RouteId>(defaultRoute);

  constructor() {
    if (typeof window !== "undefined") {
      this.current = parseHash(window.location.hash);
      window.addEventListener("hashchange", () => {
        this.current = parseHash(window.location.hash);
      });
    }
  }

  get title(): string {
    return routes.find((r) => r.id === this.current)?.title ?? "";
  }

  go(id: RouteId): void {
    window.location.hash = href(id);
  }
}

export const router = new Router();
