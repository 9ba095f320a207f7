#!/usr/bin/env node
// The installed `wavegate` command: device commands plus the workstation toolchain.
import '../dist/tools/cli/main.js';
