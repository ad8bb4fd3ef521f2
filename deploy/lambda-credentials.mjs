// Stands in for @aws-sdk/credential-provider-node in the Lambda bundles only (serverless.yml
// custom.esbuild.alias). Lambda always hands the function its execution role's credentials in
// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, so the default chain's other
// links (SSO, profiles, processes, web identity, container and instance metadata, with their
// nested STS/SSO clients: ~110 KB minified) never run there, yet every cold start loads them.
// The CLI bundle keeps the whole chain. `serverless invoke local` needs the same variables set.
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider = (init = {}) => fromEnv(init);
