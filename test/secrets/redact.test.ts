import { describe, expect, it } from 'vitest';
import { redact, scrubCredentials } from '../../src/secrets/redact.js';

describe('redact', () => {
  it('shows at most four characters and at most a quarter of the value, and the length', () => {
    expect(redact('glpat-Hx7kQ2mP9vRt4LwZ8nYc')).toBe('glpa… (26 chars)');
    expect(redact('hunter2')).toBe('h… (7 chars)');
    expect(redact('abc')).toBe('… (3 chars)');
  });
});

describe('scrubCredentials', () => {
  it.each([
    ['repoURL https://deploy:s3cr3t@gitlab.example.com/g/p.git', 'repoURL https://***@gitlab.example.com/g/p.git'],
    ['include https://ci.example.com/x.yml?private_token=abc123&ref=main', 'include https://ci.example.com/x.yml?private_token=***&ref=main'],
    ['token glpat-Hx7kQ2mP9vRt4LwZ8nYc in a message', 'token glpa*** in a message'],
    ['key AKIA4HOMELAB7VELERO2 here', 'key AKIA*** here'],
  ])('%s', (text, expected) => {
    expect(scrubCredentials(text)).toBe(expected);
  });

  it('leaves ordinary text and ssh git@ URLs alone', () => {
    for (const text of ['ssh://git@gitlab.example.com/g/p.git', 'image nginx:1.27 in job build', 'https://gitlab.homelab.local/homelab/x.git']) {
      expect(scrubCredentials(text)).toBe(text);
    }
  });
});
