import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT } from './synth';

/**
 * The README's sh blocks. Each carries a marker on the line before it:
 * `<!-- readme-blocks: run -->` (optionally `, exits 1 (why)`), `not run (why)` or
 * `run by <test>`; `__tests__/readme-blocks.terraform.test.ts` runs those marked `run`.
 */
export interface ShellBlock {
  /** Line of the opening fence, 1-based. */
  readonly line: number;
  readonly marker: string;
  readonly script: string;
  /** The output the README shows for it, if any. */
  readonly shown?: string;
}

const MARKER = /^\s*<!-- readme-blocks: (.+) -->$/;

export function shellBlocks(readme: string): ShellBlock[] {
  const lines = readme.split('\n');
  const blocks: ShellBlock[] = [];
  const fenceEnd = (from: number) => lines.findIndex((l, i) => i > from && /^\s*```\s*$/.test(l));
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*```sh\s*$/.test(lines[i])) continue;
    const end = fenceEnd(i);
    const indent = lines[i].match(/^\s*/)![0].length;
    const script = lines
      .slice(i + 1, end)
      .map((l) => l.slice(indent))
      .join('\n');
    let next = end + 1;
    while (next < lines.length && lines[next].trim() === '') next++;
    const shown = /^\s*```\s*$/.test(lines[next] ?? '') ? lines.slice(next + 1, fenceEnd(next)).join('\n') : undefined;
    blocks.push({ line: i + 1, marker: MARKER.exec(lines[i - 1] ?? '')?.[1] ?? '', script, shown });
    i = end;
  }
  return blocks;
}

/**
 * The README's output as a pattern for the end of what the block prints (its last command's
 * output): a `…` line stands for any lines, a `…` in a line for any text.
 */
export function shownPattern(shown: string): RegExp {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const lines = shown.split('\n').map((line) => (line.trim() === '…' ? '(?:.*\\n)*?' : `${escape(line).replace(/…/g, '.*')}\\n`));
  return new RegExp(`(?:^|\\n)${lines.join('')}$`);
}

/** The sh blocks of the project's README. */
export const readmeShellBlocks = (): ShellBlock[] => shellBlocks(fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8'));
