import { fileURLToPath, URL } from "node:url";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { svelteTesting } from "@testing-library/svelte/vite";
import type { Plugin } from "vite";
import { defineConfig } from "vitest/config";

// `vite --mode mock` loads an in-memory fake backend (dev/mock-ipc.ts) before the
// app, so the UI can be looked at in a plain browser. Other modes never see it.
function mockBackend(enabled: boolean): Plugin {
  return {
    name: "herald-mock-backend",
    transformIndexHtml: {
      order: "pre",
      handler: (html) =>
        html.replace(
          "<!-- mock-backend -->",
          enabled ? '<script type="module" src="/dev/mock-ipc.ts"></script>' : "",
        ),
    },
  };
}

export default defineConfig(({ mode }) => ({
  plugins: [
    svelte(),
    mockBackend(mode === "mock"),
    ...(mode === "test" ? [svelteTesting()] : []),
  ],
  resolve: {
    alias: { $lib: fileURLToPath(new URL("./src/lib", import.meta.url)) },
  },
  // Tauri expects a fixed port and shows its own errors.
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: {
    target: ["es2021", "safari15"],
    outDir: "dist",
    emptyOutDir: true,
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts"],
    setupFiles: ["src/test-setup.ts"],
  },
}));
