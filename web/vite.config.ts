/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The API is Phoenix itself: `npm run dev` proxies it from PHOENIX_API_URL (phoenix up's address).
export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 800 },
  server: {
    proxy: { "/api": process.env.PHOENIX_API_URL ?? "http://127.0.0.1:8080" },
  },
  // globals: Testing Library unmounts each test's render after it (it looks for a global afterEach).
  test: { environment: "jsdom", include: ["src/**/*.test.{ts,tsx}"], globals: true },
});
