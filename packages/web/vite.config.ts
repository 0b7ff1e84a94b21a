/**
 * Two pages, one build: index.html is the guardian app (served at `/` and its routes), toy.html the
 * toy simulator (served at `/toy`). The output goes to dist/, which the server's web plugin serves.
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = (path: string): string => decodeURIComponent(new URL(path, import.meta.url).pathname);

export default defineConfig({
  root: here('.'),
  plugins: [react()],
  resolve: { alias: { crypto: here('./src/shared/node-crypto-shim.ts') } },
  build: {
    outDir: here('./dist'),
    emptyOutDir: true,
    target: 'es2022',
    // Source maps would publish the readable source next to the bundle; `vite build` is always a
    // production build, so none are emitted (the dev server maps sources in memory anyway).
    sourcemap: false,
    rolldownOptions: {
      input: { app: here('./index.html'), toy: here('./toy.html') },
      // What both pages load (React, the protocol, API schemas and client, IndexedDB) in one cacheable chunk; the
      // password-strength dictionaries stay in their own chunk, loaded by the sign-up page only, and
      // so does the QR decoder (Toys → Scan).
      output: {
        codeSplitting: {
          groups: [
            {
              name: 'shared',
              // jsqr (the QR scanner, loaded on demand) and qrcode (the simulator's QR) stay with
              // the page that uses them.
              test: (id) =>
                !/@zxcvbn-ts|[\\/]jsqr[\\/]|[\\/]qrcode[\\/]/.test(id) &&
                /node_modules|packages[\\/](api|client|protocol)[\\/]|src[\\/]shared[\\/]/.test(id),
            },
          ],
        },
      },
    },
  },
  server: {
    proxy: { '/v1': { target: 'http://127.0.0.1:8080', ws: true } },
  },
});
