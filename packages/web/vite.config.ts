import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

// The SDK and protocol are bundled from their TypeScript sources, so no prior build is needed.
export default defineConfig({
  root: here('.'),
  base: '/',
  resolve: {
    alias: {
      '@tandem/client': here('../client/src/index.ts'),
      '@tandem/protocol': here('../protocol/src/index.ts'),
    },
  },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: {
      input: {
        index: here('index.html'),
        agent: here('agent.html'),
        join: here('join.html'),
        ops: here('ops.html'),
      },
    },
  },
});
