// The asset library's logic that is not about drawing: the folder tree and upload summaries.
import type { AddOutcome, AssetFolder } from "$lib/api/assets";
import { formatCount } from "$lib/format";

export interface FolderNode {
  path: string;
  name: string;
  depth: number;
  /** Assets directly in this folder. */
  count: number;
  hasChildren: boolean;
}

/**
 * Folders in tree order (each parent before its children, siblings by name), with parents
 * that exist only as a prefix of a deeper path filled in.
 */
export function folderTree(folders: AssetFolder[]): FolderNode[] {
  const counts = new Map<string, number>();
  for (const f of folders) {
    const parts = f.path.split("/").filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const p = parts.slice(0, i).join("/");
      if (!counts.has(p)) counts.set(p, 0);
    }
    const full = parts.join("/");
    counts.set(full, (counts.get(full) ?? 0) + f.asset_count);
  }
  const paths = [...counts.keys()].sort((a, b) => {
    const pa = a.split("/");
    const pb = b.split("/");
    for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
      const c = pa[i].localeCompare(pb[i], undefined, { sensitivity: "base", numeric: true });
      if (c !== 0) return c;
    }
    return pa.length - pb.length;
  });
  return paths.map((path) => {
    const parts = path.split("/");
    return {
      path,
      name: parts[parts.length - 1],
      depth: parts.length - 1,
      count: counts.get(path) ?? 0,
      hasChildren: paths.some((p) => p.startsWith(`${path}/`)),
    };
  });
}

/** Hides the folders under a collapsed one. */
export function visibleFolders(nodes: FolderNode[], collapsed: Set<string>): FolderNode[] {
  return nodes.filter((n) => {
    const parts = n.path.split("/");
    for (let i = 1; i < parts.length; i++) {
      if (collapsed.has(parts.slice(0, i).join("/"))) return false;
    }
    return true;
  });
}

/** "2 files added, 1 file was already in the library, 1 file could not be added." */
export function uploadSummary(outcomes: AddOutcome[]): string {
  const added = outcomes.filter((o) => o.added && !o.added.duplicate).length;
  const duplicates = outcomes.filter((o) => o.added?.duplicate).length;
  const failed = outcomes.filter((o) => o.error).length;
  const parts: string[] = [];
  if (added) parts.push(`${formatCount(added, "file", "files")} added`);
  if (duplicates) parts.push(`${formatCount(duplicates, "file was", "files were")} already in the library`);
  if (failed) parts.push(`${formatCount(failed, "file", "files")} could not be added`);
  if (!parts.length) return "Nothing was added.";
  const text = parts.join(", ");
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

/** Splits a typed tag list ("logo, Hero  autumn") into clean, unique tags. */
export function parseTags(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(",")) {
    const t = raw.trim().replace(/\s+/g, " ");
    if (t && !out.some((o) => o.toLowerCase() === t.toLowerCase())) out.push(t);
  }
  return out;
}

/** The file name of a path as the user gave it, on any platform. */
export function fileName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}

/** Which tags to add and remove to go from `before` to `after` (ignoring case). */
export function tagChanges(before: string[], after: string[]): { add: string[]; remove: string[] } {
  const has = (list: string[], t: string) => list.some((x) => x.toLowerCase() === t.toLowerCase());
  return {
    add: after.filter((t) => !has(before, t)),
    remove: before.filter((t) => !has(after, t)),
  };
}
