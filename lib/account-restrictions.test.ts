import { describe, expect, it } from "vitest";
import {
  NO_CAPPING,
  NO_TIMELOCK,
  cappingFromPage,
  carriedStatusData,
  describeCapping,
  describeTimelock,
  expireTimelock,
  nextCapping,
  nextTimelock,
  sameStatusData,
  timelockFromPage,
  toSeconds,
  type TMessageCapping,
  type TReachoutTimelock,
} from "./account-restrictions";

const NOW = 1_796_000_000_000;
const ENDS = NOW / 1000 + 3600;
const ACTIVE: TReachoutTimelock = { enforcementType: "RESTRICT_ALL_COMPANIONS", isActive: true, timeEnforcementEnds: ENDS };
const CAPPED: TMessageCapping = {
  cappingStatus: "CAPPED",
  totalQuota: 50,
  usedQuota: 50,
  cycleStart: 1_795_900_000,
  cycleEnd: 1_796_500_000,
  mvStatus: "NOT_ELIGIBLE",
  oteStatus: null,
};

describe("what WhatsApp Web stores", () => {
  it("a stored timelock is active until its end (milliseconds in the page, seconds in the API)", () => {
    const entry = { state: "HIDDEN", time_enforcement_ends: ENDS * 1000, enforcement_type: "RESTRICT_ALL_COMPANIONS" };
    expect(timelockFromPage(entry, NOW)).toEqual(ACTIVE);
    expect(timelockFromPage(entry, ENDS * 1000)).toEqual({ ...ACTIVE, isActive: false });
  });

  it("no stored timelock is none enforced; an entry without a type is DEFAULT", () => {
    expect(timelockFromPage(undefined, NOW)).toEqual(NO_TIMELOCK);
    expect(timelockFromPage(null, NOW)).toEqual(NO_TIMELOCK);
    expect(timelockFromPage({ time_enforcement_ends: ENDS * 1000 }, NOW)).toEqual({ ...ACTIVE, enforcementType: "DEFAULT" });
  });

  it("a stored capping keeps the server's numbers; strings and milliseconds are normalised", () => {
    const entry = {
      capping_status: "CAPPED",
      total_quota: "50",
      used_quota: 50,
      cycle_start_timestamp: 1_795_900_000,
      cycle_end_timestamp: 1_796_500_000_000,
      mv_status: "NOT_ELIGIBLE",
      server_sent_timestamp: 0,
    };
    expect(cappingFromPage(entry)).toEqual(CAPPED);
    expect(cappingFromPage(undefined)).toEqual(NO_CAPPING);
    expect(cappingFromPage({ total_quota: "x" })).toEqual(NO_CAPPING);
  });

  it("seconds from seconds, milliseconds and numeric strings; nothing for 0 or garbage", () => {
    expect(toSeconds(1_796_000_000)).toBe(1_796_000_000);
    expect(toSeconds(1_796_000_000_123)).toBe(1_796_000_000);
    expect(toSeconds("1796000000")).toBe(1_796_000_000);
    for (const value of [0, "0", "", null, undefined, "soon", NaN, {}]) expect(toSeconds(value)).toBeNull();
  });
});

describe("what the session reports", () => {
  it("a timelock is news when it starts, changes or is lifted; repeats and inactive readings without one are not", () => {
    expect(nextTimelock(null, NO_TIMELOCK)).toBeNull();
    expect(nextTimelock(null, ACTIVE)).toBe(ACTIVE);
    expect(nextTimelock(ACTIVE, { ...ACTIVE })).toBe(ACTIVE);
    const extended = { ...ACTIVE, timeEnforcementEnds: ENDS + 60 };
    expect(nextTimelock(ACTIVE, extended)).toBe(extended);
    expect(nextTimelock(ACTIVE, NO_TIMELOCK)).toBe(NO_TIMELOCK);
    const ended = { ...ACTIVE, isActive: false };
    // WhatsApp Web removing the ended entry later says nothing new.
    expect(nextTimelock(ended, NO_TIMELOCK)).toBe(ended);
    expect(nextTimelock(ended, ACTIVE)).toBe(ACTIVE);
  });

  it("a timelock ends at its end, not before", () => {
    expect(expireTimelock(ACTIVE, ENDS * 1000 - 1)).toBe(ACTIVE);
    expect(expireTimelock(ACTIVE, ENDS * 1000)).toEqual({ ...ACTIVE, isActive: false });
    expect(expireTimelock(null, NOW)).toBeNull();
    expect(expireTimelock({ ...ACTIVE, timeEnforcementEnds: null }, NOW + 10 ** 9)).toEqual({ ...ACTIVE, timeEnforcementEnds: null });
  });

  it("a capping is news once it warns or caps, and every change after that, NONE included", () => {
    expect(nextCapping(null, NO_CAPPING)).toBeNull();
    expect(nextCapping(null, CAPPED)).toBe(CAPPED);
    expect(nextCapping(CAPPED, { ...CAPPED })).toBe(CAPPED);
    expect(nextCapping(CAPPED, NO_CAPPING)).toBe(NO_CAPPING);
    expect(nextCapping(NO_CAPPING, { ...NO_CAPPING })).toBe(NO_CAPPING);
  });

  it("a plain WORKING carries the restrictions in force, or nothing", () => {
    expect(carriedStatusData({ reachoutTimelock: null, messageCapping: null })).toBeNull();
    expect(carriedStatusData({ reachoutTimelock: { ...ACTIVE, isActive: false }, messageCapping: NO_CAPPING })).toBeNull();
    expect(carriedStatusData({ reachoutTimelock: ACTIVE, messageCapping: null })).toEqual({ reachoutTimelock: ACTIVE });
    expect(carriedStatusData({ reachoutTimelock: ACTIVE, messageCapping: CAPPED })).toEqual({
      reachoutTimelock: ACTIVE,
      messageCapping: CAPPED,
    });
  });

  it("two WORKING data are the same when their restrictions are", () => {
    expect(sameStatusData(null, null)).toBe(true);
    expect(sameStatusData({ reachoutTimelock: ACTIVE }, { reachoutTimelock: { ...ACTIVE } })).toBe(true);
    expect(sameStatusData({ reachoutTimelock: ACTIVE }, null)).toBe(false);
    expect(sameStatusData({ reachoutTimelock: ACTIVE }, { reachoutTimelock: ACTIVE, messageCapping: CAPPED })).toBe(false);
    expect(sameStatusData({ messageCapping: CAPPED }, { messageCapping: { ...CAPPED, usedQuota: 49 } })).toBe(false);
  });

  it("reasons say what is refused and until when", () => {
    expect(describeTimelock(ACTIVE)).toBe(
      `reachout timelock: messages to new contacts are refused until ${new Date(ENDS * 1000).toISOString().replace(".000Z", "Z")} (RESTRICT_ALL_COMPANIONS)`,
    );
    expect(describeTimelock(NO_TIMELOCK)).toBe("reachout timelock lifted: messages to new contacts are allowed again");
    expect(describeTimelock({ ...ACTIVE, isActive: false })).toMatch(
      /^reachout timelock ended at \d{4}-.*Z: messages to new contacts are allowed again$/,
    );
    expect(describeCapping(CAPPED)).toMatch(
      /^new-chat message capping CAPPED: new chats are blocked \(50 of 50 new chats used\), cycle ends /,
    );
    expect(describeCapping(NO_CAPPING)).toBe("new-chat message capping: no cap or warning");
  });
});
