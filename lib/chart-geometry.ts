/**
 * The arithmetic of the dashboard's line charts (components/ui/line-chart.tsx), kept pure so it is tested
 * without a browser: a rounded top for the value axis, and the SVG paths of a series over a time window,
 * broken where samples are missing (a stopped browser, a null CPU reading).
 */

/** The smallest 1, 2, 2.5 or 5 times a power of ten that is at least `value` (and at least `floor`). */
export function niceCeiling(value: number, floor: number): number {
  const target = Math.max(value, floor);
  if (!(target > 0) || !Number.isFinite(target)) return floor > 0 ? floor : 1;
  const power = 10 ** Math.floor(Math.log10(target));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * power >= target * (1 - 1e-9)) return step * power;
  }
  return 10 * power;
}

export interface TPlotArea {
  /** The time window drawn, ms: `from` at the left edge, `to` at the right. */
  from: number;
  to: number;
  /** The value at the top edge (the bottom is 0). */
  max: number;
  /** Pixels: the plot's left and top edges, width and height. */
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface TSeriesPaths {
  /** One `M x y L x y ...` per unbroken run of samples (a run of one sample is a single point, see `dots`). */
  lines: string[];
  /** The same runs closed down to the axis, for a light fill under the line. */
  areas: string[];
  /** Samples with no neighbour in their run, drawn as dots so a lone sample is visible. */
  dots: { x: number; y: number }[];
}

const round = (n: number) => Math.round(n * 10) / 10;

export function xOf(area: TPlotArea, timestamp: number): number {
  const span = Math.max(1, area.to - area.from);
  return round(area.left + ((timestamp - area.from) / span) * area.width);
}

export function yOf(area: TPlotArea, value: number): number {
  const clamped = Math.min(Math.max(value, 0), area.max);
  return round(area.top + area.height - (clamped / area.max) * area.height);
}

/**
 * The paths of one series: `timestamps` and `values` side by side, oldest first. A null value, or more
 * than `maxGapMs` since the previous sample, starts a new run; samples before `area.from` are left out.
 */
export function seriesPaths(
  area: TPlotArea,
  timestamps: readonly number[],
  values: readonly (number | null)[],
  maxGapMs: number,
): TSeriesPaths {
  const runs: { x: number; y: number }[][] = [];
  let run: { x: number; y: number }[] = [];
  let previous: number | null = null;
  timestamps.forEach((timestamp, i) => {
    const value = values[i];
    if (timestamp < area.from || value === null || value === undefined || !Number.isFinite(value)) {
      if (run.length) runs.push(run);
      run = [];
      previous = null;
      return;
    }
    if (previous !== null && timestamp - previous > maxGapMs && run.length) {
      runs.push(run);
      run = [];
    }
    run.push({ x: xOf(area, timestamp), y: yOf(area, value) });
    previous = timestamp;
  });
  if (run.length) runs.push(run);

  const bottom = round(area.top + area.height);
  const result: TSeriesPaths = { lines: [], areas: [], dots: [] };
  for (const points of runs) {
    if (points.length === 1) {
      result.dots.push(points[0]);
      continue;
    }
    const line = points.map((p, i) => `${i === 0 ? "M" : "L"}${p.x} ${p.y}`).join(" ");
    result.lines.push(line);
    result.areas.push(`${line} L${points.at(-1)!.x} ${bottom} L${points[0].x} ${bottom} Z`);
  }
  return result;
}

/** The index of the timestamp nearest to `timestamp` in an ascending list; -1 when it is empty. */
export function nearestIndex(timestamps: readonly number[], timestamp: number): number {
  if (timestamps.length === 0) return -1;
  let low = 0;
  let high = timestamps.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (timestamps[middle] < timestamp) low = middle + 1;
    else high = middle;
  }
  if (low > 0 && timestamp - timestamps[low - 1] < timestamps[low] - timestamp) return low - 1;
  return low;
}

/** Bytes for people: binary units, three significant figures ("182 MiB", "1.25 GiB"). */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

/** A percentage of one core ("0.4%", "12%", "180%"). */
export function formatPercent(percent: number): string {
  return `${percent < 10 ? (Math.round(percent * 10) / 10).toString() : Math.round(percent).toString()}%`;
}

/** A rate per minute ("0.5/min", "12/min", "1,200/min"). */
export function formatPerMinute(rate: number): string {
  const shown = rate < 10 ? Math.round(rate * 10) / 10 : Math.round(rate);
  return `${shown.toLocaleString("en-US")}/min`;
}
