// CloudTrail's sourceIPAddress is an address, a service name, or text such as "AWS Internal": only
// an address passes for one (notify shows it as an identifier; anything else is free text).
import { describe, expect, it } from 'vitest';
import { SOURCE_IP_PATTERN } from '../../../src/domain/patterns';

describe('SOURCE_IP_PATTERN', () => {
  it.each(['165.225.111.47', '0.0.0.0', '255.255.255.255', '2001:db8::8a2e:370:7334', '::1', '::ffff:192.0.2.128'])(
    'takes the address %s',
    (ip) => { expect(SOURCE_IP_PATTERN.test(ip)).toBe(true); },
  );

  it.each(['AWS Internal', 'ec2.amazonaws.com', '256.1.1.1', '1.2.3', '1.2.3.4.5', '1.2.3.4 x', 'evil.example', '', ':', 'g::1', '1.2.3.4\n'])(
    'refuses %j',
    (text) => { expect(SOURCE_IP_PATTERN.test(text)).toBe(false); },
  );
});
