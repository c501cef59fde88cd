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
  server: { port: 3000, host: "127.0.0.1" },
  build: { sourcemap: false },
});
