import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The API (and the bundled Stripe emulator) run on :5000 in development; proxying keeps every
// request same-origin, exactly as in production where the server also serves dist/.
const API_ORIGIN = 'http://localhost:5000';

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      '/api': { target: API_ORIGIN, changeOrigin: true },
      '/emulator': { target: API_ORIGIN, changeOrigin: true },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The chunk graph, for scripts/check-bundle-size.ts (a dot-directory: never served).
    manifest: true,
  },
});
