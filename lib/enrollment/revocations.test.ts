// The published CRL's dates and number: never dated after the moment it is signed, and its number only grows.
import { describe, expect, it } from "vitest";
import { nextCrlIssue } from "./revocations";

const DAY_MS = 24 * 60 * 60 * 1000;

describe("nextCrlIssue", () => {
  const at = (iso: string) => new Date(iso);
  const cases: Array<[string, Date, { number: number } | null, { thisUpdate: string; number: number }]> = [
    [
      "the first list: thisUpdate is now in whole seconds, the number its seconds",
      at("2026-12-06T15:00:00.750Z"),
      null,
      {
        thisUpdate: "2026-12-06T15:00:00.000Z",
        number: 1796569200,
      },
    ],
    [
      "a later second: the number follows the clock",
      at("2026-12-06T15:00:05.100Z"),
      { number: 1796569200 },
      {
        thisUpdate: "2026-12-06T15:00:05.000Z",
        number: 1796569205,
      },
    ],
    [
      "a second list within the same second: same thisUpdate, never later than now; the number grows by one",
      at("2026-12-06T15:00:00.900Z"),
      { number: 1796569200 },
      {
        thisUpdate: "2026-12-06T15:00:00.000Z",
        number: 1796569201,
      },
    ],
    [
      "a third within that second",
      at("2026-12-06T15:00:00.950Z"),
      { number: 1796569201 },
      {
        thisUpdate: "2026-12-06T15:00:00.000Z",
        number: 1796569202,
      },
    ],
  ];
  it.each(cases)("%s", (_name, now, previous, expected) => {
    const issue = nextCrlIssue(now, previous);
    expect({ thisUpdate: issue.thisUpdate.toISOString(), number: issue.number }).toEqual(expected);
    expect(issue.thisUpdate.getTime()).toBeLessThanOrEqual(now.getTime());
    expect(issue.nextUpdate.getTime() - issue.thisUpdate.getTime()).toBe(DAY_MS);
  });
});
