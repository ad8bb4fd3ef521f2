#!/usr/bin/env node
'use strict';
// The CLI ships as one bundled file (dist/cli.cjs); in a clone, `npm ci` builds it (`prepare`).
const path = require('node:path');
const fs = require('node:fs');

// Node's process warnings are for whoever develops the program, not whoever runs it: on Node 20
// the AWS SDK emits a 9-line NodeVersionSupportWarning on every command. The SDK's documented
// switch turns that one off at its source; dropping Node's printing listener keeps any other
// `(node:…) Warning` off a screen that asked for results. The CLI's own warnings are printed
// lines, not process warnings, so they stay. `node dist/cli.cjs ...` still shows everything.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.removeAllListeners('warning');

const bundle = path.join(__dirname, '..', 'dist', 'cli.cjs');
if (!fs.existsSync(bundle)) {
  process.stderr.write('cvpn-log-guard: the CLI is not built yet; run `npm run build` in the project.\n');
  process.exit(2);
}
require(bundle);
