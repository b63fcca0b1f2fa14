import { describe, expect, it } from "vitest";
import { formatBytes, formatPercent, formatPerMinute, nearestIndex, niceCeiling, seriesPaths, type TPlotArea } from "./chart-geometry";

const area: TPlotArea = { from: 0, to: 1000, max: 100, left: 10, top: 0, width: 100, height: 50 };

describe("niceCeiling", () => {
  it("rounds up to 1, 2, 2.5 or 5 times a power of ten", () => {
    expect(niceCeiling(0.3, 0)).toBe(0.5);
    expect(niceCeiling(1.7, 0)).toBe(2);
    expect(niceCeiling(2.2, 0)).toBe(2.5);
    expect(niceCeiling(240, 0)).toBe(250);
    expect(niceCeiling(600, 0)).toBe(1000);
    expect(niceCeiling(500, 0)).toBe(500);
  });

  it("never goes below the floor, and has a top without data", () => {
    expect(niceCeiling(0, 1)).toBe(1);
    expect(niceCeiling(0, 0)).toBe(1);
    expect(niceCeiling(Number.NaN, 5)).toBe(5);
  });
});

describe("seriesPaths", () => {
  it("maps time to x and value to y, with the area closed down to the axis", () => {
    const paths = seriesPaths(area, [0, 500, 1000], [0, 50, 100], 600);
    expect(paths.lines).toEqual(["M10 50 L60 25 L110 0"]);
    expect(paths.areas).toEqual(["M10 50 L60 25 L110 0 L110 50 L10 50 Z"]);
    expect(paths.dots).toEqual([]);
  });

  it("breaks the line at a null value and at a gap longer than allowed; a lone sample is a dot", () => {
    const paths = seriesPaths(area, [0, 100, 200, 300, 900, 1000], [10, 10, null, 20, 30, 30], 250);
    expect(paths.lines).toEqual(["M10 45 L20 45", "M100 35 L110 35"]);
    expect(paths.dots).toEqual([{ x: 40, y: 40 }]);
  });

  it("leaves out samples before the window and clamps values to the plot", () => {
    const paths = seriesPaths({ ...area, from: 500 }, [0, 600, 1000], [10, 200, -5], 1000);
    expect(paths.lines).toEqual(["M30 0 L110 50"]);
  });
});

describe("nearestIndex", () => {
  it("finds the nearest timestamp", () => {
    expect(nearestIndex([], 5)).toBe(-1);
    expect(nearestIndex([10, 20, 30], 0)).toBe(0);
    expect(nearestIndex([10, 20, 30], 14)).toBe(0);
    expect(nearestIndex([10, 20, 30], 16)).toBe(1);
    expect(nearestIndex([10, 20, 30], 99)).toBe(2);
  });
});

describe("formatting", () => {
  it("formats bytes, percent of a core and rates", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(190_840_832)).toBe("182 MiB");
    expect(formatBytes(1.25 * 1024 ** 3)).toBe("1.25 GiB");
    expect(formatBytes(15.5 * 1024 ** 2)).toBe("15.5 MiB");
    expect(formatPercent(0.44)).toBe("0.4%");
    expect(formatPercent(180.4)).toBe("180%");
    expect(formatPerMinute(0.25)).toBe("0.3/min");
    expect(formatPerMinute(1234.4)).toBe("1,234/min");
  });
});
