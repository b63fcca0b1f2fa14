"use client";

import { useEffect, useRef, useState, type PointerEvent } from "react";
import { nearestIndex, niceCeiling, seriesPaths, xOf, yOf, type TPlotArea } from "@/lib/chart-geometry";
import { cn } from "./cn";
import { formatTime } from "./time";

/**
 * A small SVG line chart of our own (a charting library would weigh more than the dashboard's charts
 * need): series over a time window, the value axis from 0 to a rounded top, lines broken where samples
 * are missing, and a readout of the sample under the pointer (the latest one otherwise). Colours come
 * from Tailwind classes, so it follows the dark theme; it takes the width of its container.
 */

export type TChartTone = "emerald" | "sky" | "amber" | "violet";

export interface TChartSeries {
  label: string;
  /** One per timestamp; null where there is no reading. */
  values: readonly (number | null)[];
  tone: TChartTone;
  /** A lighter line without a fill, for a figure drawn beside the main one. */
  secondary?: boolean;
}

const TONES: Record<TChartTone, { line: string; area: string; swatch: string }> = {
  emerald: {
    line: "stroke-emerald-600 dark:stroke-emerald-400",
    area: "fill-emerald-500/10 dark:fill-emerald-400/10",
    swatch: "bg-emerald-600 dark:bg-emerald-400",
  },
  sky: { line: "stroke-sky-600 dark:stroke-sky-400", area: "fill-sky-500/10 dark:fill-sky-400/10", swatch: "bg-sky-600 dark:bg-sky-400" },
  amber: {
    line: "stroke-amber-600 dark:stroke-amber-400",
    area: "fill-amber-500/10 dark:fill-amber-400/10",
    swatch: "bg-amber-600 dark:bg-amber-400",
  },
  violet: {
    line: "stroke-violet-600 dark:stroke-violet-400",
    area: "fill-violet-500/10 dark:fill-violet-400/10",
    swatch: "bg-violet-600 dark:bg-violet-400",
  },
};

const HEIGHT = 150;
const MARGIN = { left: 56, right: 10, top: 10, bottom: 22 };

export function LineChart({
  title,
  timestamps,
  series,
  from,
  to,
  format,
  floor,
  axisUnit = 1,
  maxGapMs,
  endLabel = "now",
  className,
  ...rest
}: {
  title: string;
  /** Ascending, ms. */
  timestamps: readonly number[];
  series: TChartSeries[];
  /** The window drawn, ms. */
  from: number;
  to: number;
  /** A value as the axis and the readout show it. */
  format: (value: number) => string;
  /** The smallest top of the value axis, so a flat low series does not fill the plot. */
  floor: number;
  /** The unit the axis's top is rounded in (1024 * 1024 for bytes: 200 MiB, not 191 MiB). */
  axisUnit?: number;
  /** A longer time between two samples breaks the line. */
  maxGapMs: number;
  /** Under the right edge of the window. */
  endLabel?: string;
  className?: string;
} & { [data: `data-${string}`]: string | number | undefined }) {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  const [hover, setHover] = useState<number | null>(null);

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const measure = () => setWidth(Math.floor(element.getBoundingClientRect().width));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const highest = Math.max(0, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null)));
  const area: TPlotArea = {
    from,
    to,
    max: niceCeiling(highest / axisUnit, floor / axisUnit) * axisUnit,
    left: MARGIN.left,
    top: MARGIN.top,
    width: Math.max(1, width - MARGIN.left - MARGIN.right),
    height: HEIGHT - MARGIN.top - MARGIN.bottom,
  };
  const shown = hover ?? timestamps.length - 1;
  const readout = shown >= 0 ? series.map((s) => ({ ...s, value: s.values[shown] ?? null })) : [];

  const onPointer = (event: PointerEvent<SVGSVGElement>) => {
    const rect = event.currentTarget.getBoundingClientRect();
    const x = event.clientX - rect.left;
    const timestamp = from + ((x - area.left) / area.width) * (to - from);
    const index = nearestIndex(timestamps, timestamp);
    setHover(index >= 0 && timestamps[index] >= from ? index : null);
  };

  const summary = readout.map((s) => `${s.label} ${s.value === null ? "none" : format(s.value)}`).join(", ");

  return (
    <figure className={cn("min-w-0", className)} {...rest}>
      <figcaption className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1">
        <span className="text-[13px] font-medium text-zinc-900 dark:text-zinc-100">{title}</span>
        <span className="flex flex-wrap gap-x-3 text-xs text-zinc-600 tabular-nums dark:text-zinc-300" data-testid="chart-readout">
          {readout.map((s) => (
            <span key={s.label} className="inline-flex items-center gap-1.5">
              <span aria-hidden className={cn("inline-block h-0.5 w-3 rounded-full", TONES[s.tone].swatch, s.secondary && "opacity-60")} />
              {s.label} <span className="font-medium">{s.value === null ? "—" : format(s.value)}</span>
            </span>
          ))}
          {shown >= 0 && (
            <span className="text-zinc-400 dark:text-zinc-500">{hover === null ? "latest" : formatTime(timestamps[shown])}</span>
          )}
        </span>
      </figcaption>
      <div ref={box} className="mt-1.5 w-full">
        {width > 0 && (
          <svg
            width={width}
            height={HEIGHT}
            role="img"
            aria-label={`${title}, ${Math.round((to - from) / 60_000)} minutes${summary ? `; latest: ${summary}` : ""}`}
            className="block touch-pan-y select-none"
            onPointerMove={onPointer}
            onPointerDown={onPointer}
            onPointerLeave={() => setHover(null)}
          >
            {[0, 0.5, 1].map((fraction) => {
              const y = yOf(area, area.max * fraction);
              return (
                <g key={fraction}>
                  <line
                    x1={area.left}
                    x2={area.left + area.width}
                    y1={y}
                    y2={y}
                    className="stroke-zinc-200 dark:stroke-zinc-800"
                    strokeWidth={1}
                  />
                  <text
                    x={area.left - 6}
                    y={y}
                    dy="0.32em"
                    textAnchor="end"
                    className="fill-zinc-500 text-[10px] tabular-nums dark:fill-zinc-400"
                  >
                    {format(area.max * fraction)}
                  </text>
                </g>
              );
            })}
            {[
              [from, "start", `${Math.round((to - from) / 60_000)} min ago`],
              [to, "end", endLabel],
            ].map(([at, anchor, label]) => (
              <text
                key={String(anchor)}
                x={xOf(area, Number(at))}
                y={HEIGHT - 6}
                textAnchor={anchor as "start" | "end"}
                className="fill-zinc-500 text-[10px] dark:fill-zinc-400"
              >
                {label}
              </text>
            ))}
            {series.map((s) => {
              const paths = seriesPaths(area, timestamps, s.values, maxGapMs);
              const tone = TONES[s.tone];
              return (
                <g key={s.label} data-testid="chart-series" data-series={s.label}>
                  {!s.secondary && paths.areas.map((d, i) => <path key={i} d={d} className={tone.area} stroke="none" />)}
                  {paths.lines.map((d, i) => (
                    <path
                      key={i}
                      d={d}
                      data-testid="chart-line"
                      fill="none"
                      strokeWidth={s.secondary ? 1.25 : 1.75}
                      strokeLinejoin="round"
                      strokeLinecap="round"
                      strokeDasharray={s.secondary ? "4 3" : undefined}
                      className={tone.line}
                    />
                  ))}
                  {paths.dots.map((p, i) => (
                    <circle
                      key={i}
                      cx={p.x}
                      cy={p.y}
                      r={2.5}
                      className={cn(tone.line, "fill-white dark:fill-zinc-900")}
                      strokeWidth={1.5}
                    />
                  ))}
                </g>
              );
            })}
            {hover !== null && (
              <g aria-hidden>
                <line
                  x1={xOf(area, timestamps[hover])}
                  x2={xOf(area, timestamps[hover])}
                  y1={area.top}
                  y2={area.top + area.height}
                  className="stroke-zinc-400 dark:stroke-zinc-500"
                  strokeWidth={1}
                />
                {readout.map((s) =>
                  s.value === null ? null : (
                    <circle
                      key={s.label}
                      cx={xOf(area, timestamps[hover])}
                      cy={yOf(area, s.value)}
                      r={3}
                      className={cn(TONES[s.tone].line, "fill-white dark:fill-zinc-900")}
                      strokeWidth={1.5}
                    />
                  ),
                )}
              </g>
            )}
          </svg>
        )}
        {width === 0 && <div style={{ height: HEIGHT }} />}
      </div>
    </figure>
  );
}
