/**
 * The one parser of numeric command-line options. A value that is not the number an option takes
 * is a usage error (commander's InvalidArgumentError): commander names the option and the value,
 * this says what was expected, e.g.
 *   error: option '--count <n>' argument 'abc' is invalid. expected a whole number >= 1
 */
import { InvalidArgumentError } from 'commander';

export interface NumberRule {
  /** A whole number. */
  integer?: boolean;
  /** Smallest value allowed. */
  min?: number;
  /** Values must be greater than this. */
  above?: number;
  /** Largest value allowed. */
  max?: number;
}

const DECIMAL = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

function expected(rule: NumberRule): string {
  const bounds = [rule.min !== undefined ? `>= ${rule.min}` : '', rule.above !== undefined ? `> ${rule.above}` : '', rule.max !== undefined ? `<= ${rule.max}` : ''].filter((b) => b !== '').join(' and ');
  const what = rule.integer ? (bounds ? 'a whole number' : 'an integer') : 'a number';
  return bounds ? `${what} ${bounds}` : what;
}

/** A commander option parser for numbers that follow `rule` (decimal notation only: no hex, no empty string). */
export function numberArg(rule: NumberRule = {}): (value: string) => number {
  return (value) => {
    const n = Number(value);
    const ok =
      DECIMAL.test(value) &&
      Number.isFinite(n) &&
      (!rule.integer || Number.isInteger(n)) &&
      (rule.min === undefined || n >= rule.min) &&
      (rule.above === undefined || n > rule.above) &&
      (rule.max === undefined || n <= rule.max);
    if (!ok) throw new InvalidArgumentError(`expected ${expected(rule)}`);
    return n;
  };
}
