import preact from "@preact/preset-vite";
import { defineConfig } from "vite";

// Built into the Python package, which serves it at /app/ (src/tillpoint/webapp).
export default defineConfig({
  base: "/app/",
  plugins: [preact()],
  build: {
    outDir: "../src/tillpoint/webapp/dist",
    emptyOutDir: true,
    // No inline scripts or styles: the Content-Security-Policy forbids them.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
