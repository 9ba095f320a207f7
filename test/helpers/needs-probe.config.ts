// Child-run configuration for test/helpers/needs.test.ts: only the probe file.
import { defineConfig } from 'vitest/config';

export default defineConfig({ test: { include: ['test/helpers/needs-probe.ts'], pool: 'forks', maxWorkers: 1 } });
