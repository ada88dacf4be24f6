import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('.', import.meta.url));
const outDir = fileURLToPath(new URL('../../dist/web', import.meta.url));

/**
 * The strict CSP forbids inline scripts and style attributes, so nothing may be inlined:
 * no module-preload polyfill, CSS as files, every asset as a file.
 */
export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir,
    emptyOutDir: true,
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2022',
    rollupOptions: {
      output: {
        // Libraries change less often than the app: a separate file stays cached across releases.
        // pdf.js and the Markdown renderer load only when a preview needs them.
        manualChunks: (id) => {
          if (!id.includes('node_modules')) return undefined;
          if (id.includes('pdfjs-dist')) return 'pdfjs';
          if (id.includes('/marked/') || id.includes('/dompurify/')) return 'markdown';
          return 'vendor';
        },
      },
    },
  },
  // Dev server: API calls go to a Tessera started with `npm start` (default port 8080).
  server: { host: '127.0.0.1', proxy: { '/api': 'http://127.0.0.1:8080', '/oidc': 'http://127.0.0.1:8080' } },
});
