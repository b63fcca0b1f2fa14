import { Button } from "./button";
import { ChevronLeftIcon, ChevronRightIcon } from "./icons";
import { Select } from "./field";

/** "1–50 of 1,234" with previous/next and a page-size picker. */
export function Pagination({
  offset,
  limit,
  total,
  onOffsetChange,
  onLimitChange,
  pageSizes = [25, 50, 100],
  label = "Pagination",
}: {
  offset: number;
  limit: number;
  total: number;
  onOffsetChange: (offset: number) => void;
  onLimitChange?: (limit: number) => void;
  pageSizes?: number[];
  label?: string;
}) {
  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(offset + limit, total);
  const page = Math.floor(offset / limit) + 1;
  const pages = Math.max(1, Math.ceil(total / limit));
  const fmt = (n: number) => n.toLocaleString("en-US");
  return (
    <nav aria-label={label} className="flex flex-wrap items-center justify-between gap-3 text-[13px] text-zinc-600 dark:text-zinc-400">
      <p aria-live="polite">
        <span className="font-medium text-zinc-900 tabular-nums dark:text-zinc-100">
          {fmt(from)}–{fmt(to)}
        </span>{" "}
        of <span className="font-medium text-zinc-900 tabular-nums dark:text-zinc-100">{fmt(total)}</span>
      </p>
      <div className="flex items-center gap-2">
        {onLimitChange && (
          <label className="flex items-center gap-2">
            <span className="hidden sm:inline">Rows</span>
            <Select
              aria-label="Rows per page"
              value={limit}
              onChange={(e) => onLimitChange(Number(e.target.value))}
              className="h-8 w-20 text-[13px]"
            >
              {pageSizes.map((size) => (
                <option key={size} value={size}>
                  {size}
                </option>
              ))}
            </Select>
          </label>
        )}
        <span className="tabular-nums">
          Page {fmt(page)} of {fmt(pages)}
        </span>
        <Button
          size="sm"
          variant="secondary"
          aria-label="Previous page"
          disabled={offset === 0}
          onClick={() => onOffsetChange(Math.max(0, offset - limit))}
          icon={<ChevronLeftIcon className="size-4" />}
        />
        <Button
          size="sm"
          variant="secondary"
          aria-label="Next page"
          disabled={offset + limit >= total}
          onClick={() => onOffsetChange(offset + limit)}
          icon={<ChevronRightIcon className="size-4" />}
        />
      </div>
    </nav>
  );
}
