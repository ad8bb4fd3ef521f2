// Who signed a request: the access key in the SigV4 credential scope names a principal (account + ARN). Keys the
// stand-in never issued or registered are the default account's caller, so every single-account test and demo
// keeps working with `test`/`test`. AssumeRole issues session keys bound to the role's account.

import { randomBytes } from 'node:crypto';
import { ApiError, randomAlnum } from './common';

export interface Principal {
  accountId: string;
  /** the caller's ARN as GetCallerIdentity reports it (`arn:aws:sts::<acct>:assumed-role/<role>/<session>` for sessions) */
  arn: string;
}

export interface IssuedKey extends Principal {
  accessKeyId: string;
  secretAccessKey: string;
  /** session keys only: the token the request must carry (`X-Amz-Security-Token`) */
  sessionToken?: string;
  /** session keys only: epoch ms */
  expiresAt?: number;
  /** AssumeRole: the principal that asked for the session */
  issuedTo?: string;
}

export class Identities {
  private readonly keys = new Map<string, IssuedKey>();

  constructor(private readonly fallback: () => Principal) {}

  /** A long-term key (IAM user or seeded caller) bound to `principal`. */
  register(accessKeyId: string, principal: Principal): void {
    if (!/^[A-Z0-9]{4,128}$/i.test(accessKeyId)) throw new Error(`standin: invalid access key id '${accessKeyId}'`);
    this.keys.set(accessKeyId, { ...principal, accessKeyId, secretAccessKey: 'test' });
  }

  /** New session credentials (`ASIA…` like STS) for `principal`, valid until `expiresAt`. */
  issueSession(principal: Principal, expiresAt: number, issuedTo: string): IssuedKey {
    const key: IssuedKey = {
      ...principal,
      accessKeyId: `ASIA${randomAlnum(16).toUpperCase()}`,
      secretAccessKey: randomBytes(30).toString('base64'),
      // Real tokens are opaque base64 blobs of several hundred characters; the prefix is what real ones start with.
      sessionToken: `IQoJb3JpZ2luX2Vj${randomBytes(240).toString('base64')}`,
      expiresAt,
      issuedTo,
    };
    this.keys.set(key.accessKeyId, key);
    return key;
  }

  get(accessKeyId: string): IssuedKey | undefined {
    const k = this.keys.get(accessKeyId);
    return k === undefined ? undefined : { ...k };
  }

  sessions(): IssuedKey[] {
    return [...this.keys.values()].filter((k) => k.sessionToken !== undefined).map((k) => ({ ...k }));
  }

  /** Makes a session key expired from now on. */
  expire(accessKeyId: string, now: number): void {
    const k = this.keys.get(accessKeyId);
    if (k?.expiresAt === undefined) throw new Error(`standin: no session credentials with access key ${accessKeyId}`);
    k.expiresAt = now - 1;
  }

  clear(): void {
    this.keys.clear();
  }

  /**
   * The principal behind a request. A session key needs its own token and must not be expired: the errors are
   * the ones AWS gives (`InvalidClientTokenId` / `UnrecognizedClientException` / EC2 `AuthFailure`, `ExpiredToken` /
   * `ExpiredTokenException` / EC2 `RequestExpired`; which one depends on the protocol).
   */
  resolve(accessKeyId: string, sessionToken: string | undefined, now: number, protocol: 'ec2' | 'query' | 'json'): Principal {
    const k = this.keys.get(accessKeyId);
    if (k === undefined) return this.fallback();
    if (k.sessionToken !== undefined && k.sessionToken !== sessionToken) {
      if (protocol === 'ec2') throw new ApiError('AuthFailure', 'AWS was not able to validate the provided access credentials', 401);
      throw new ApiError(protocol === 'json' ? 'UnrecognizedClientException' : 'InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
    }
    if (k.expiresAt !== undefined && now >= k.expiresAt) {
      // EC2 answers an expired session with RequestExpired, the code it also uses for a stale signature.
      if (protocol === 'ec2') throw new ApiError('RequestExpired', 'Request has expired.', 400);
      throw new ApiError(protocol === 'json' ? 'ExpiredTokenException' : 'ExpiredToken', 'The security token included in the request is expired', 400);
    }
    return { accountId: k.accountId, arn: k.arn };
  }
}
