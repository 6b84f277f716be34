// Thumbnails come from the backend as data: URLs (the CSP allows img-src data:, so no asset
// protocol is opened to the workspace folder). They are cached per content hash, so the same
// image costs one call however often it is shown.
import { original, thumbnail, type Asset } from "$lib/api/assets";

const cache = new Map<string, Promise<string | null>>();

export function thumbnailFor(asset: Asset): Promise<string | null> {
  if (asset.kind !== "image") return Promise.resolve(null);
  let p = cache.get(asset.sha256);
  if (!p) {
    // SVGs have no raster thumbnail: they are small and scale, so the file itself is shown.
    const load = asset.thumbnail ? thumbnail(asset.id) : original(asset.id);
    p = load.catch(() => {
      cache.delete(asset.sha256);
      return null;
    });
    cache.set(asset.sha256, p);
  }
  return p;
}
