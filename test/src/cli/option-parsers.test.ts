/**
 * The one numeric option parser (src/cli/option-parsers.ts), and the commands that use it
 * refusing a bad number as a usage error that names the option: no stack trace, no output file.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { numberArg } from '../../../src/cli/option-parsers.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'wavegate-options-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('numberArg', () => {
  it('takes decimal numbers within the rule', () => {
    expect(numberArg()('-2.5e3')).toBe(-2500);
    expect(numberArg({ integer: true, min: 1 })(' 12 ')).toBe(12);
    expect(numberArg({ above: 0 })('0.001')).toBe(0.001);
    expect(numberArg({ min: 0, max: 1 })('1')).toBe(1);
  });

  it.each([
    [{}, 'abc', 'expected a number'],
    [{}, '', 'expected a number'],
    [{}, '0x10', 'expected a number'],
    [{}, 'Infinity', 'expected a number'],
    [{ integer: true }, '1.5', 'expected an integer'],
    [{ integer: true, min: 1 }, '0', 'expected a whole number >= 1'],
    [{ above: 0 }, '0', 'expected a number > 0'],
    [{ integer: true, min: 0, max: 65535 }, '70000', 'expected a whole number >= 0 and <= 65535'],
  ])('refuses %j %j: %s', (rule, value, message) => {
    const parse = numberArg(rule);
    expect(() => parse(value)).toThrow(InvalidArgumentError);
    expect(() => parse(value)).toThrow(message);
  });
});

describe('commands refuse a bad number as a usage error naming the option', () => {
  it.each([
    [['dataset', 'synth', '--kind', 'ecg', '--count', 'abc'], "--count <n>' argument 'abc' is invalid. expected a whole number >= 1"],
    [['simulate', '--devices', '0'], "--devices <n>' argument '0' is invalid. expected a whole number >= 1"],
    [['serve', '--model', 'm.wgm', '--http-port', 'abc'], "--http-port <n>' argument 'abc' is invalid. expected a whole number >= 0 and <= 65535"],
  ])('wavegate %j', (args, message) => {
    const out = join(tmp, `${args[0]}.out`);
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/wavegate.js'), ...args, ...(args[0] === 'dataset' ? ['--out', out] : [])], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/at .*\.(ts|js):\d+/);
    // one line and a pointer to --help, not the whole help text
    expect(r.stderr).not.toContain('Options:');
    expect(r.stderr.trim().split('\n')).toHaveLength(2);
    expect(existsSync(out)).toBe(false);
  });
});
