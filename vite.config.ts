import path from "node:path";
import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [
    remix({
      // SHOWBACK_BUILD_DIR lets parallel work build side by side (default ./build)
      buildDirectory: process.env.SHOWBACK_BUILD_DIR || "build",
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_lazyRouteDiscovery: true,
      },
    }),
  ],
  resolve: { alias: { "~": path.resolve(__dirname, "app") } },
  // native addons and the embedded database stay plain Node imports (never pre-bundled)
  ssr: { external: ["@node-rs/argon2", "@electric-sql/pglite", "postgres"] },
  optimizeDeps: { exclude: ["@node-rs/argon2", "@electric-sql/pglite"] },
  server: { port: 3000, host: "127.0.0.1" },
  build: { sourcemap: false },
});
