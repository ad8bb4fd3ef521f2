'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS: serverless-esbuild require()s its plugins file */
/* global require, module */
// esbuild plugins for serverless.yml custom.esbuild.plugins. This one lets esbuild tree-shake the
// AWS SDK's generated schema files.
//
// Each @aws-sdk/client-* ships one `dist-es/schemas/schemas_0.js` with a schema for every shape of
// the service (EC2: 1.3 MB, 3400 exports). Its member traits are written with computed keys,
// `{ [_xN]: _CVEI }`, where `_xN` is a string constant of the same file. esbuild must assume a
// computed key can run code (toString), so it keeps every schema and everything they reference:
// 550 KB of the 1.1 MB remediate bundle is EC2 shapes the function never uses.
//
// On load, this rewrites those keys to the literal strings the constants hold (`{ "xmlName": _CVEI }`),
// the same object at run time, which esbuild can prove free of side effects and drop when unused.
// Only keys naming a `const _x = "..."` of the same file are touched; anything else is left as it is.
const { readFile } = require('node:fs/promises');

const SCHEMA_FILE = /[\\/]@aws-sdk[\\/][^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/;

const sdkSchemaLiteralKeys = {
  name: 'sdk-schema-literal-keys',
  setup(build) {
    build.onLoad({ filter: SCHEMA_FILE }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      const constants = new Map();
      for (const m of text.matchAll(/^const (_\w+) = ("(?:[^"\\\n]|\\.)*");$/gm)) constants.set(m[1], m[2]);
      const contents = text.replace(/\[(_\w+)\]:/g, (whole, name) => (constants.has(name) ? `${constants.get(name)}:` : whole));
      return { contents, loader: 'js' };
    });
  },
};

module.exports = [sdkSchemaLiteralKeys];
