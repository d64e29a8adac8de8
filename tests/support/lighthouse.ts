/** A small valid article, not in the bundled corpus: what tests add to it. */
export const LIGHTHOUSE = `---
title: "Lighthouse keepers: the last watch"
author: A. Writer
publisher: Gazette
published: 2021-03-04
url: https://example.com/lighthouses
---

The northern lighthouse was automated in 1998, ending two centuries of resident keepers.

Visitors can still climb its 212 steps every summer weekend.
`;
