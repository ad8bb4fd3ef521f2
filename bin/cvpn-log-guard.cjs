#!/usr/bin/env node
'use strict';
// The CLI ships as one bundled file (dist/cli.cjs), built by `npm ci` through the `prepare` script.
const path = require('node:path');
const fs = require('node:fs');
const bundle = path.join(__dirname, '..', 'dist', 'cli.cjs');
if (!fs.existsSync(bundle)) {
  process.stderr.write('cvpn-log-guard: the CLI is not built yet; run `npm run build` in the project.\n');
  process.exit(2);
}
require(bundle);
