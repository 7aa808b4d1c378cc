import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { deriveTargetIdentifier } from '../../src/shared/derive';
import { validateTargetIdentifier } from '../../src/shared/validation';

describe('deriveTargetIdentifier', () => {
  it('names the copy after the cluster and the scheduled second (UTC)', () => {
    expect(deriveTargetIdentifier('Prod-Aurora', new Date('2026-11-24T03:00:59Z'))).toBe(
      'prod-aurora-20261124-030059',
    );
  });

  it('is the same for the same slot and different for another slot', () => {
    const at = new Date('2026-11-24T03:00:00Z');
    expect(deriveTargetIdentifier('prod', at)).toBe(deriveTargetIdentifier('prod', new Date(at)));
    expect(deriveTargetIdentifier('prod', at)).not.toBe(
      deriveTargetIdentifier('prod', new Date('2026-11-25T03:00:00Z')),
    );
  });

  it('always yields a valid target identifier, even for a 63-character cluster name', () => {
    const cluster = fc
      .tuple(
        fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'),
        fc.array(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-'), { maxLength: 62 }),
      )
      .map(([first, rest]) => (first + rest.join('')).replace(/--+/g, '-').replace(/-$/, ''));
    fc.assert(
      fc.property(
        cluster,
        fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }),
        (c, at) => {
          const id = deriveTargetIdentifier(c, at);
          expect(validateTargetIdentifier(id)).toBe(id);
        },
      ),
    );
  });
});
