import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { catalogues } from './i18n/catalogue.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');
const pages = ['index.html', 'agent.html', 'join.html', 'ops.html'];
const keys = new Set(Object.keys(catalogues.en));
const namespaces = new Set([...keys].map((key) => key.split('.')[0]));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('message keys used by the pages', () => {
  const code = sourceFiles(src).map((path) => ({ path, text: readFileSync(path, 'utf8') }));

  it('finds the page code to check', () => {
    expect(code.length).toBeGreaterThan(10);
  });

  it('every key literal in the code exists in the catalogue', () => {
    const missing: string[] = [];
    let found = 0;
    for (const { path, text } of code) {
      for (const match of text.matchAll(/'([a-z][A-Za-z]*\.[A-Za-z0-9_-]+)'/g)) {
        const key = match[1]!;
        if (!namespaces.has(key.split('.')[0]!)) continue;
        found++;
        if (!keys.has(key)) missing.push(`${path}: ${key}`);
      }
    }
    expect(found).toBeGreaterThan(50);
    expect(missing).toEqual([]);
  });

  it('every key family built at run time (`error.${code}`) has keys', () => {
    for (const { text } of code) {
      for (const match of text.matchAll(/`([a-z][A-Za-z]*)\.\$\{/g)) {
        expect([...keys].some((key) => key.startsWith(`${match[1]}.`)), match[0]).toBe(true);
      }
    }
  });

  it('every data-i18n attribute in the HTML names an existing key', () => {
    for (const page of pages) {
      const html = readFileSync(join(root, page), 'utf8');
      const used = [...html.matchAll(/data-i18n(?:-[a-z-]+)?="([^"]*)"/g)].map((m) => m[1]!);
      expect(used.length, page).toBeGreaterThan(0);
      for (const key of used) expect(keys.has(key), `${page}: ${key}`).toBe(true);
    }
  });
});

describe('HTML pages', () => {
  for (const page of pages) {
    const html = readFileSync(join(root, page), 'utf8');

    it(`${page} carries no literal text outside tags`, () => {
      const text = html
        .replace(/<!--[\s\S]*?-->/g, '')
        .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, '')
        .replace(/<!doctype[^>]*>/i, '')
        .replace(/<[^>]*>/g, '');
      expect(text.trim()).toBe('');
    });

    it(`${page} has a translated title, a language control slot and the app root`, () => {
      expect(html).toMatch(/<title data-i18n="[^"]+"><\/title>/);
      expect(html).toContain('data-slot="lang"');
      expect(html).toContain('id="app"');
      expect(html).not.toMatch(/\b(?:placeholder|aria-label|title|alt)="[^"]+"/);
    });
  }
});

describe('multi-page build', () => {
  const config = readFileSync(join(root, 'vite.config.ts'), 'utf8');

  for (const page of pages) {
    it(`${page} is an entry of the Vite build and loads its own script`, () => {
      expect(config).toContain(`here('${page}')`);
      const script = /<script type="module" src="\/(src\/[a-z]+\/main\.ts)"><\/script>/.exec(readFileSync(join(root, page), 'utf8'));
      expect(script, page).not.toBeNull();
      expect(statSync(join(root, script![1]!)).isFile()).toBe(true);
    });
  }
});

describe('ops console', () => {
  const code = sourceFiles(join(src, 'ops')).map((path) => readFileSync(path, 'utf8')).join('\n');

  it('carries the test hooks the cluster tests drive it by', () => {
    for (const testid of ['ops-token', 'ops-login', 'ops-node-row', 'ops-drain', 'ops-resume']) {
      expect(code).toContain(`testid: '${testid}'`);
    }
    expect(code).toContain('dataset.nodeId');
    expect(code).toContain('dataset.state');
  });

  it('talks to the server only through the ops API, and keeps the token out of URLs and localStorage', () => {
    const fetches = [...code.matchAll(/fetch\(`([^`]*)`/g)].map((m) => m[1]);
    expect(fetches).toEqual(['${this.#origin}/api/ops${path}']);
    expect(code).not.toMatch(/localStorage|location\.(?:search|hash)|URLSearchParams/);
  });
});
