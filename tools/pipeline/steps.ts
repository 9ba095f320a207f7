/**
 * The step runner of `npm run pipeline`: each step names the files it reads (inputs), the settings
 * that shape its result (params) and the files it writes (outputs). A step is skipped when all its
 * outputs exist and a stamp from its last successful run holds the same key: a SHA-256 over its
 * name, params and the content of every input. An input that changed (a rebuilt dataset, an edited
 * recipe) changes the key, so that step and every step reading its outputs run again.
 *
 * Stamps live in `<work>/.stamps/<step>.json`. A step that was interrupted leaves
 * `<step>.running.json` with its key: when the same key comes back, the step is told it may
 * resume (the trainer continues from its last epoch); a different key means stale partial
 * outputs, which the step discards.
 */
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WavegateError } from '../../src/errors.js';
import { sha256Hasher, sha256Hex } from '../../src/model/digest.js';

export interface StepContext {
  /** True when an earlier run of this step with the same key was interrupted: partial outputs may be reused. */
  resume: boolean;
  /** Prints a line of the pipeline's own progress. */
  say(line: string): void;
}

export interface Step {
  /** Short id, used for stamps and --force. */
  name: string;
  /** What the step does, one line. */
  title: string;
  /** Files or folders whose content decides whether the step must run again. */
  inputs: string[];
  /** Settings that decide it too (command lines, recipe overrides). */
  params: unknown;
  /** Files the step writes; all must exist for a skip. */
  outputs: string[];
  /** Runs even when up to date (a cheap step whose outputs others may change). */
  always?: boolean;
  run(ctx: StepContext): Promise<void>;
}

export interface RunReport {
  step: string;
  status: 'ran' | 'skipped';
  seconds: number;
}

/** SHA-256 of a file's bytes (streamed), or of a folder's listing (relative path, size, mtime of every file). */
export async function digestPath(path: string): Promise<string> {
  if (!existsSync(path)) throw new WavegateError('E_NOT_FOUND', `${path}: pipeline input not found`);
  const st = statSync(path);
  const hash = sha256Hasher();
  if (st.isDirectory()) {
    // Data folders are large and read-only: their listing stands for their content.
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir).sort()) {
        const p = join(dir, name);
        const s = statSync(p);
        if (s.isDirectory()) walk(p);
        else hash.update(`${relative(path, p)}\0${s.size}\0${Math.round(s.mtimeMs)}\n`);
      }
    };
    walk(path);
    return hash.hex();
  }
  await new Promise<void>((resolve, reject) => {
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk as Buffer))
      .on('end', () => resolve())
      .on('error', reject);
  });
  return hash.hex();
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');

/**
 * The step's key. Paths inside the work folder and the repository are written relative to them
 * (`<work>/...`, `<repo>/...`) before hashing, so a work folder that is moved or copied (another
 * worktree, another machine) keeps its stamps; content still decides.
 */
export async function stepKey(step: Step, work: string): Promise<string> {
  const inputs: Record<string, string> = {};
  for (const p of step.inputs) inputs[p] = await digestPath(p);
  let text = JSON.stringify({ name: step.name, params: step.params, inputs });
  for (const [root, name] of [[resolve(work), '<work>'], [REPO_ROOT, '<repo>']]) {
    text = text.split(`${root}/`).join(`${name}/`).split(`"${root}"`).join(`"${name}"`);
  }
  return sha256Hex(new TextEncoder().encode(text));
}

function readStamp(path: string): { key?: string } | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

export interface RunOptions {
  /** Folder for the stamps (the task's work folder). */
  work: string;
  /** Steps to run even when up to date ('all' for every step). */
  force?: ReadonlySet<string>;
  /** Stop after this step. */
  until?: string;
  say?: (line: string) => void;
}

/** Runs the steps in order, skipping those that are up to date. */
export async function runSteps(steps: Step[], opts: RunOptions): Promise<RunReport[]> {
  const say = opts.say ?? ((line: string) => process.stderr.write(`${line}\n`));
  const names = steps.map((s) => s.name);
  if (opts.until !== undefined && !names.includes(opts.until)) {
    throw new WavegateError('E_ARGUMENT', `--until ${opts.until}: no such step (steps: ${names.join(', ')})`);
  }
  for (const f of opts.force ?? []) {
    if (f !== 'all' && !names.includes(f)) throw new WavegateError('E_ARGUMENT', `--force ${f}: no such step (steps: ${names.join(', ')})`);
  }
  const stamps = join(opts.work, '.stamps');
  mkdirSync(stamps, { recursive: true });
  const report: RunReport[] = [];
  for (const [i, step] of steps.entries()) {
    const head = `[${i + 1}/${steps.length}] ${step.name}`;
    const key = await stepKey(step, opts.work);
    const done = join(stamps, `${step.name}.json`);
    const running = join(stamps, `${step.name}.running.json`);
    const forced = step.always || opts.force?.has('all') || opts.force?.has(step.name);
    const upToDate = readStamp(done)?.key === key && step.outputs.every((o) => existsSync(o));
    if (upToDate && !forced) {
      say(`${head}: up to date (${step.title})`);
      report.push({ step: step.name, status: 'skipped', seconds: 0 });
    } else {
      const resume = !forced && readStamp(running)?.key === key;
      say(`${head}: ${step.title}${resume ? ' (resuming an interrupted run)' : ''}`);
      rmSync(done, { force: true });
      writeFileSync(running, JSON.stringify({ key, startedAt: new Date().toISOString() }));
      const t0 = Date.now();
      await step.run({ resume, say });
      const missing = step.outputs.filter((o) => !existsSync(o));
      if (missing.length) throw new WavegateError('E_INPUT', `step ${step.name} finished without writing ${missing.join(', ')}`);
      const seconds = (Date.now() - t0) / 1000;
      writeFileSync(done, JSON.stringify({ key, finishedAt: new Date().toISOString(), seconds }, null, 2));
      rmSync(running, { force: true });
      say(`${head}: done in ${formatSeconds(seconds)}`);
      report.push({ step: step.name, status: 'ran', seconds });
    }
    if (step.name === opts.until) break;
  }
  return report;
}

/** One line per step: up to date, or why it would run. */
export async function listSteps(steps: Step[], work: string): Promise<string> {
  const lines: string[] = [];
  for (const [i, step] of steps.entries()) {
    const stamp = readStamp(join(work, '.stamps', `${step.name}.json`));
    let state = 'up to date';
    const missingInput = step.inputs.find((p) => !existsSync(p));
    if (missingInput) state = 'to run (input not made yet)';
    else if (!stamp) state = existsSync(join(work, '.stamps', `${step.name}.running.json`)) ? 'to run (interrupted)' : 'to run (never ran)';
    else if (stamp.key !== (await stepKey(step, work))) state = 'to run (inputs or settings changed)';
    else if (!step.outputs.every((o) => existsSync(o))) state = 'to run (an output is missing)';
    lines.push(`${String(i + 1).padStart(2)}. ${step.name.padEnd(16)} ${state.padEnd(36)} ${step.title}`);
  }
  return lines.join('\n') + '\n';
}

export function formatSeconds(s: number): string {
  return s < 90 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}
