import * as fs from 'fs';
import * as path from 'path';
import { isBuiltin } from 'module';
import * as ts from 'typescript';

/**
 * The layout rule: the library (`src/lib`: constructs, role model, guardrails, access
 * decisions, HCL rendering) imports nothing of the app (`src/app`, `scripts`, `tools`,
 * `main.ts`), and no files import each other in a circle. Imports are read with the
 * TypeScript compiler's own pre-processor, so a string that merely looks like an import
 * (inside a template, say) is not one.
 */

const ROOT = path.resolve(__dirname, '..');
const LIBRARY = path.join(ROOT, 'src', 'lib');

/** Every .ts file under `dir`. */
function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** The project files that `file`'s relative imports (and re-exports) name; packages are left out. */
function relativeImports(file: string, text: string, exists: (candidate: string) => boolean): string[] {
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.map((ref) => ref.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => {
      const base = path.resolve(path.dirname(file), name);
      const found = [`${base}.ts`, path.join(base, 'index.ts'), base].find(exists);
      if (!found) throw new Error(`${path.relative(ROOT, file)} imports ${name}, which is no file`);
      return found;
    });
}

type Graph = ReadonlyMap<string, readonly string[]>;

function importGraph(files: Readonly<Record<string, string>>): Graph {
  const exists = (candidate: string) => candidate in files;
  return new Map(Object.entries(files).map(([file, text]) => [file, relativeImports(file, text, exists)]));
}

/** Imports from inside `library` to files outside it, as "from -> to". */
function importsLeavingLibrary(graph: Graph, library: string): string[] {
  const inside = (file: string) => !path.relative(library, file).startsWith('..');
  return [...graph].flatMap(([from, tos]) => (inside(from) ? tos.filter((to) => !inside(to)).map((to) => `${from} -> ${to}`) : []));
}

/** Each circle of imports once, as its files from the one that sorts first. */
function circles(graph: Graph): string[][] {
  const found = new Map<string, string[]>();
  const visit = (file: string, trail: string[]) => {
    const at = trail.indexOf(file);
    if (at >= 0) {
      const circle = trail.slice(at);
      const start = circle.indexOf([...circle].sort()[0]);
      const rotated = [...circle.slice(start), ...circle.slice(0, start)];
      found.set(rotated.join(' -> '), rotated);
      return;
    }
    for (const next of graph.get(file) ?? []) visit(next, [...trail, file]);
  };
  for (const file of graph.keys()) visit(file, []);
  return [...found.values()];
}

const read = (files: string[]) => Object.fromEntries(files.map((file) => [file, fs.readFileSync(file, 'utf8')]));
const relative = (lines: string[]) =>
  lines.map((line) =>
    line
      .split(' -> ')
      .map((f) => path.relative(ROOT, f))
      .join(' -> '),
  );

describe('the checks themselves', () => {
  const lib = '/p/src/lib';
  const graph = importGraph({
    '/p/src/lib/a.ts': "import { b } from './b';\nconst text = `import { x } from '../app/x'`;",
    '/p/src/lib/b.ts': "export { c } from '../app/c';",
    '/p/src/app/c.ts': "import { a } from '../lib/a';\nimport * as fs from 'fs';",
  });

  test('a library file that imports (or re-exports) the app is named; one inside a template string is not an import', () => {
    expect(importsLeavingLibrary(graph, lib)).toEqual(['/p/src/lib/b.ts -> /p/src/app/c.ts']);
  });

  test('a circle is found once, whichever file it is entered from', () => {
    expect(circles(graph)).toEqual([['/p/src/app/c.ts', '/p/src/lib/a.ts', '/p/src/lib/b.ts']]);
  });
});

describe('the layout of this project', () => {
  const app = [...sourceFiles(path.join(ROOT, 'src', 'app')), ...sourceFiles(path.join(ROOT, 'scripts')), ...sourceFiles(path.join(ROOT, 'tools')), path.join(ROOT, 'main.ts')];
  const graph = importGraph(read([...sourceFiles(LIBRARY), ...app]));

  test('the library is there, and the app builds on it', () => {
    expect(sourceFiles(LIBRARY).length).toBeGreaterThan(20);
    expect([...graph.values()].flat().some((to) => to.startsWith(LIBRARY + path.sep))).toBe(true);
  });

  test('the library imports nothing of the app', () => {
    expect(relative(importsLeavingLibrary(graph, LIBRARY))).toEqual([]);
  });

  test('no files import each other in a circle', () => {
    expect(circles(graph).map((circle) => relative(circle).join(' -> '))).toEqual([]);
  });

  test("the package loads cdktf and constructs, the app's own (peers), and jose for ID tokens: no provider binding", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const packageOf = (name: string) =>
      name
        .split('/')
        .slice(0, name.startsWith('@') ? 2 : 1)
        .join('/');
    const loadedBy = (folder: string) =>
      new Set(
        sourceFiles(folder)
          .flatMap((file) => ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true).importedFiles.map((ref) => ref.fileName))
          .filter((name) => !name.startsWith('.') && !isBuiltin(name))
          .map(packageOf),
      );
    // jose reads ID tokens for the access command; sarif is its report's types (a type-only import).
    expect([...loadedBy(LIBRARY)].sort()).toEqual(['cdktf', 'constructs', 'jose', 'sarif']);
    // The app ships in the package too (gitlab-aws-oidc-cdktf/app): it may load no more.
    expect([...loadedBy(path.join(ROOT, 'src', 'app'))].sort()).toEqual(['cdktf', 'constructs']);
    expect(Object.keys(pkg.dependencies ?? {})).toEqual(['jose']);
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual(['cdktf', 'constructs']);
  });

  test("the library's public API is the package's entry point", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.main).toBe('dist/src/lib/index.js');
    expect(pkg.exports['.'].types).toBe('./dist/src/lib/index.d.ts');
  });
});
