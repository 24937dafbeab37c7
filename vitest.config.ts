import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const pkg = (name: string): string => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));
const packages = ['protocol', 'cluster', 'support', 'sfu', 'signaling', 'client', 'server', 'testing'];

// Tests run against the TypeScript sources, so no build is needed first.
// Subpath entries first: '@tandem/testing' would otherwise swallow '@tandem/testing/redis'.
const alias = [
  { find: '@tandem/testing/redis', replacement: fileURLToPath(new URL('./packages/testing/src/redis.ts', import.meta.url)) },
  { find: '@tandem/protocol/testkit', replacement: fileURLToPath(new URL('./packages/protocol/src/errorCode.testkit.ts', import.meta.url)) },
  ...packages.map((name) => ({ find: new RegExp(`^@tandem/${name}$`), replacement: pkg(name) })),
];

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: { name: 'unit', include: ['packages/*/src/**/*.test.ts'], testTimeout: 20_000 },
      },
      {
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['packages/testing/e2e/**/*.test.ts'],
          // Each Chromium call costs ~0.45 core of the 2 we have: one file at a time.
          fileParallelism: false,
          testTimeout: 90_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
