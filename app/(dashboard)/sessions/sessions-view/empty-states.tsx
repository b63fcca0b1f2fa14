import Link from "next/link";
import { Button, buttonClasses } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { LayersIcon, PlusIcon, SearchIcon } from "@/components/ui/icons";

/** The search or status filter matches nothing: say how search works, offer to clear it. */
export function NoMatchingSessions({ onClear }: { onClear: () => void }) {
  return (
    <EmptyState
      icon={<SearchIcon className="size-5" />}
      title="No sessions match these filters"
      actions={
        <Button variant="secondary" onClick={onClear}>
          Clear filters
        </Button>
      }
    >
      Free text matches names, phone numbers, push names and metadata values. <code className="font-mono">key=value</code> tokens must match
      metadata exactly.
    </EmptyState>
  );
}

/** No session at all yet: how to create the first one. */
export function NoSessionsYet() {
  return (
    <EmptyState
      icon={<LayersIcon className="size-5" />}
      title="No sessions yet"
      actions={
        <Link href="/sessions/new" className={buttonClasses("primary")}>
          <PlusIcon className="size-4" />
          Create a session
        </Link>
      }
    >
      A session is one WhatsApp account. Create one here, or with <code className="font-mono">POST /api/sessions</code>, then scan its QR
      code with the phone.
    </EmptyState>
  );
}
