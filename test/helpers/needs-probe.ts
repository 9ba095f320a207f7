/**
 * Not collected by the main run (no .test.ts): test/helpers/needs.test.ts runs it in a child vitest
 * with and without WAVEGATE_REQUIRE_ALL=1 to see the gate skip, fail and pass.
 */
import { expect } from 'vitest';
import { file, needs } from './needs.js';

const absent = file('/nonexistent/wavegate-needs-probe', 'nothing makes it');
const present = file(new URL(import.meta.url).pathname, 'this file');

needs(absent).describe('suite needing an absent file', () => {
  needs(present).it('never runs', () => expect.fail('ran a test whose requirement is absent'));
});
needs(absent).it('test needing an absent file', () => expect.fail('ran a test whose requirement is absent'));
needs(present).it('test needing a present file', () => expect(1).toBe(1));
