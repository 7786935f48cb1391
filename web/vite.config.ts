// Two pages, one build: the app (/app/) and the offline GraphiQL page the service serves at
// GET /graphql in development. Everything is bundled: no request leaves the service's host.
import { resolve } from "node:path";
import { defineConfig } from "vite";

export default defineConfig({
  base: "/app/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 4096,
    rollupOptions: {
      onwarn(warning, warn) {
        if (warning.code === "MODULE_LEVEL_DIRECTIVE") return; // React's "use client" markers
        warn(warning);
      },
      input: {
        app: resolve(import.meta.dirname, "index.html"),
        graphiql: resolve(import.meta.dirname, "graphiql.html"),
      },
    },
  },
  server: { proxy: { "/graphql": "http://127.0.0.1:8000" } },
});
