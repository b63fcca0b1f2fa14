import { Button } from "@/components/ui/button";
import { XIcon } from "@/components/ui/icons";
import { SearchBox } from "./search-box";
import { StatusFilter } from "./status-filter";
import type { TSessionFilters } from "./use-session-filters";

/** Search, status chips, and "Clear filters" while either narrows the list. */
export function FiltersBar({ filters }: { filters: TSessionFilters }) {
  return (
    <div className="mb-4 flex flex-col gap-3 lg:flex-row lg:items-center">
      <SearchBox value={filters.search} onChange={filters.setSearch} />
      <StatusFilter value={filters.statuses} onChange={filters.setStatuses} />
      {filters.filtered && (
        <Button variant="ghost" size="sm" icon={<XIcon className="size-4" />} onClick={filters.clear}>
          Clear filters
        </Button>
      )}
    </div>
  );
}
