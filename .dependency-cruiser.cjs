/**
 * The layers of src/ and who may import whom (README "Code map"). `npm run lint` runs this; a file
 * that crosses a boundary, or any import cycle (type-only imports included), fails it.
 *
 *   util      imports nothing of ours
 *   domain    util                                 (no AWS SDK)
 *   aws       domain, util, the AWS SDK
 *   notify    domain, util                         (no AWS SDK: it builds messages, aws/ sends them)
 *   core      domain, util                         (AWS only through the ports it declares)
 *   app       domain, util, aws, core, notify      (configuration and wiring)
 *   handlers  app, domain, util                    (thin composition roots)
 *   cli       app, domain, util
 */
const layer = (name) => `^src/${name}/`;
const allowed = {
  util: [],
  domain: ['util'],
  aws: ['domain', 'util'],
  notify: ['domain', 'util'],
  core: ['domain', 'util'],
  app: ['domain', 'util', 'aws', 'core', 'notify'],
  handlers: ['app', 'domain', 'util'],
  cli: ['app', 'domain', 'util'],
};
const layers = Object.keys(allowed);

const layerRules = layers.map((name) => ({
  name: `${name}-imports`,
  comment: `src/${name} may import only ${[name, ...allowed[name]].join(', ')} of src/`,
  severity: 'error',
  from: { path: layer(name) },
  to: { path: '^src/', pathNot: [name, ...allowed[name]].map(layer) },
}));

const noAwsSdk = ['util', 'domain', 'notify', 'core'].map((name) => ({
  name: `${name}-no-aws-sdk`,
  comment: `src/${name} must not import the AWS SDK (only src/aws talks to AWS)`,
  severity: 'error',
  from: { path: layer(name) },
  to: { path: '(^|/)node_modules/@(aws-sdk|smithy)/' },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycles, type-only imports included.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'src-outside-layers',
      comment: 'Every file of src/ lives in one of the layers.',
      severity: 'error',
      from: { path: '^src/', pathNot: layers.map(layer) },
      to: {},
    },
    ...layerRules,
    ...noAwsSdk,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a cycle through types is still a cycle for a reader.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '\\.d\\.ts$' },
  },
};
