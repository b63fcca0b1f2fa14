import type { TSessionStatus } from "@/lib/session-status";
import { Button } from "@/components/ui/button";
import { Select } from "@/components/ui/field";
import { XIcon } from "@/components/ui/icons";
import { SearchBox } from "./search-box";
import { StatusFilter } from "./status-filter";
import type { TSort } from "./session-filters";
import type { TSessionFilters } from "./use-session-filters";

/**
 * Search, status chips with their counts, the order, and "Clear filters" while a search or a status narrows the
 * list. `loading`: the list for the current filters is being fetched.
 */
export function FiltersBar({
  filters,
  loading,
  counts,
}: {
  filters: TSessionFilters;
  loading: boolean;
  counts: Record<TSessionStatus, number> | undefined;
}) {
  return (
    <div className="mb-4 flex flex-col gap-3 lg:flex-row lg:items-start">
      <SearchBox value={filters.search} onChange={filters.setSearch} loading={loading} />
      <StatusFilter value={filters.statuses} onChange={filters.setStatuses} counts={counts} />
      <Select
        aria-label="Sort sessions"
        className="w-full lg:ml-auto lg:w-auto"
        value={filters.sort}
        onChange={(event) => filters.setSort(event.target.value as TSort)}
      >
        <option value="name">By name</option>
        <option value="status">By status, failed first</option>
        <option value="memory">By memory, largest first</option>
        <option value="activity">By last activity, latest first</option>
      </Select>
      {filters.filtered && (
        <Button variant="ghost" size="sm" icon={<XIcon className="size-4" />} onClick={filters.clear}>
          Clear filters
        </Button>
      )}
    </div>
  );
}
