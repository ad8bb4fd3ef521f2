'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: loaded the way Lambda loads a .cjs handler (an ES module would add node's ESM loader to what is measured) */
/* global require, process, performance */
// Cold and warm event-to-fixed: loads the packaged remediate handler, then runs each event of the
// events file through it in this one process (the first is the cold invocation, the rest warm),
// like a Lambda container. Reports on fd 3, one JSON line per milestone, with epoch times
// (performance.timeOrigin is the process start) so the parent can line them up with the
// stand-in's call log.
const { readFileSync, writeSync } = require('node:fs');

const epoch = () => performance.timeOrigin + performance.now();
const report = (message) => {
  writeSync(3, `${JSON.stringify(message)}\n`);
};

const [bundlePath, eventsPath] = process.argv.slice(2);
const runnerStart = epoch();
const { handler } = require(bundlePath);
const loaded = epoch();
report({ kind: 'loaded', processStart: performance.timeOrigin, runnerStart, loaded });

const events = JSON.parse(readFileSync(eventsPath, 'utf8'));
const context = (i) => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'cvpn-log-guard-bench-remediate',
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:999999999999:function:cvpn-log-guard-bench-remediate`,
  memoryLimitInMB: '256',
  awsRequestId: `00000000-0000-4000-8000-00000000000${i}`,
  logGroupName: '/aws/lambda/cvpn-log-guard-bench-remediate',
  logStreamName: '2026/01/01/[$LATEST]bench',
  getRemainingTimeInMillis: () => 60_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

(async () => {
  for (let i = 0; i < events.length; i++) {
    const started = epoch();
    try {
      const result = await handler(events[i], context(i));
      report({ kind: 'outcome', index: i, started, finished: epoch(), result });
    } catch (error) {
      report({ kind: 'outcome', index: i, started, finished: epoch(), error: String(error && error.message ? error.message : error) });
    }
  }
  // Keep-alive sockets would hold the process open until the server drops them.
  process.exit(0);
})();
