import { describe, expect, it } from 'vitest';
import { tagsForCopy } from '../../src/shared/tags';

describe('tagsForCopy', () => {
  const sourceTags = [
    { Key: 'team', Value: 'db' },
    { Key: 'env', Value: 'prod' },
    { Key: 'snapcopy:workflow-id', Value: 'an-earlier-copy' },
    { Key: 'aws:cloudformation:stack-name', Value: 's' },
  ];

  it("merges the source's tags under the user's when CopyTags is on (AWS ignores CopyTags when Tags is given)", () => {
    expect(tagsForCopy({ copyTags: true, sourceTags, userTags: [{ Key: 'env', Value: 'dr' }] })).toEqual([
      { Key: 'team', Value: 'db' },
      { Key: 'env', Value: 'dr' },
    ]);
  });

  it("takes only the user's tags when CopyTags is off", () => {
    expect(tagsForCopy({ copyTags: false, sourceTags, userTags: [{ Key: 'purpose', Value: 'dr' }] })).toEqual(
      [{ Key: 'purpose', Value: 'dr' }],
    );
  });
});
