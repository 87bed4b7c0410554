// Builds the UI into web/dist, which `hangar server` serves (src/server/http/web.ts). `npm run
// web:dev` serves it with hot reload and sends API calls to a server on HANGAR_DEV_API
// (default http://127.0.0.1:8080).
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const api = process.env.HANGAR_DEV_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
  },
  server: {
    proxy: {
      '/api': { target: api, changeOrigin: true },
      '/version': { target: api, changeOrigin: true },
    },
  },
});
