import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT, tempDir } from './helpers/synth';

/** A project of one source file, with this repository's tools/built.js and typescript. */
function tinyProject(): string {
  const dir = tempDir('built');
  fs.mkdirSync(path.join(dir, 'tools'));
  fs.mkdirSync(path.join(dir, 'src'));
  fs.copyFileSync(path.join(REPO_ROOT, 'tools', 'built.js'), path.join(dir, 'tools', 'built.js'));
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  // No library: the few global types tsc needs are declared here, so each compile takes a fraction of a second.
  const compilerOptions = { outDir: 'dist', rootDir: '.', incremental: true, tsBuildInfoFile: 'dist/.tsbuildinfo', types: [], noLib: true };
  const globals = ['Array<T>', 'Boolean', 'CallableFunction', 'Function', 'IArguments', 'NewableFunction', 'Number', 'Object', 'RegExp', 'String'];
  fs.writeFileSync(path.join(dir, 'src', 'globals.d.ts'), globals.map((type) => `interface ${type} {}`).join('\n'));
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['src/**/*.ts'], exclude: ['node_modules', 'dist'] }));
  fs.writeFileSync(path.join(dir, 'src', 'answer.ts'), 'export const answer: number = 41;\n');
  return dir;
}

const built = (dir: string) => spawnSync(process.execPath, [path.join(dir, 'tools', 'built.js')], { encoding: 'utf8' });
const compiled = (dir: string) => fs.readFileSync(path.join(dir, 'dist', 'src', 'answer.js'), 'utf8');

describe('tools/built.js: compiles only when a source is newer than the last compile', () => {
  test('compiles a project with no dist, leaves an up-to-date one alone, compiles a changed source again, and after a type error tries again', () => {
    const dir = tinyProject();
    expect(built(dir).status).toBe(0);
    expect(compiled(dir)).toContain('exports.answer = 41;');

    // Up to date: the compiled file is not written again.
    const output = path.join(dir, 'dist', 'src', 'answer.js');
    const before = fs.statSync(output).mtimeMs;
    expect(built(dir).status).toBe(0);
    expect(fs.statSync(output).mtimeMs).toBe(before);

    // A source changed after the compile: compiled again.
    const source = path.join(dir, 'src', 'answer.ts');
    fs.writeFileSync(source, 'export const answer: number = 42;\n');
    const later = new Date(Date.now() + 2000);
    fs.utimesSync(source, later, later);
    expect(built(dir).status).toBe(0);
    expect(compiled(dir)).toContain('exports.answer = 42;');

    // A type error fails it with tsc's message, and the next run tries again.
    fs.writeFileSync(source, "export const answer: number = 'forty-two';\n");
    const failed = built(dir);
    expect(failed.status).not.toBe(0);
    expect(failed.stdout).toContain("Type 'string' is not assignable to type 'number'");
    expect(built(dir).status).not.toBe(0);
  });
});
