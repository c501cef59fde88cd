import path from "node:path";
import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig } from "vite";
export default defineConfig({
  root: "/work/main",
  plugins: [remix({ appDirectory: "/work/main/app", buildDirectory: "/work/main/build-auth", ignoredRouteFiles: ["**/!(_index.tsx|login.tsx|logout.tsx|healthz.ts|admin.users.tsx)"],
    future: { v3_fetcherPersist: true, v3_relativeSplatPath: true, v3_throwAbortReason: true, v3_lazyRouteDiscovery: true } })],
  resolve: { alias: { "~": "/work/main/app" } },
});
