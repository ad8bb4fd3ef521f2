// Replaced with package.json's version by scripts/build-cli.mjs (esbuild `define`); the bundle is
// what users run, so it must not need package.json at run time.
declare const CVPN_LOG_GUARD_VERSION: string | undefined;

/** The version the bundle was built as; running from source (tests, tsx) has none baked in. */
export const VERSION: string = typeof CVPN_LOG_GUARD_VERSION === 'string' ? CVPN_LOG_GUARD_VERSION : '0.0.0-source';
