'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: loaded the way Lambda loads a .cjs handler (an ES module would add node's ESM loader to what is measured) */
/* global require, process */
// Cold start probe: loads the packaged remediate handler the way the Lambda runtime does (one
// require of the bundle) and exits. The parent times spawn → exit, against `node -e 0`.
const handler = require(process.argv[2]).handler;
if (typeof handler !== 'function') {
  process.stderr.write('the bundle exports no handler function\n');
  process.exitCode = 1;
}
