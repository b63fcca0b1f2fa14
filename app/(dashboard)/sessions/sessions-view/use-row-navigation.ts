import { useRouter } from "next/navigation";
import { useMemo, useRef, type MouseEvent } from "react";

/** A session's page. */
export const sessionHref = (name: string) => `/sessions/${encodeURIComponent(name)}`;

/**
 * A whole row (or card) opens its session, not only the name; the name stays the link for the keyboard and
 * for opening in a new tab. Pages are prefetched only when a pointer or the focus reaches a row (the rows'
 * links have prefetch off), never 25-100 at once for every row drawn.
 */
export function useRowNavigation() {
  const router = useRouter();
  const prefetched = useRef(new Set<string>());
  // One object for the page's life, so memoized rows keep it.
  return useMemo(
    () => ({
      /** Prefetch the session's page once, when the user shows intent (hover, touch, focus). */
      intent: (name: string) => {
        if (prefetched.current.has(name)) return;
        prefetched.current.add(name);
        router.prefetch(sessionHref(name));
      },
      /** A click anywhere on the row that is not on a control of its own (a link, a checkbox, a chip) or a text selection. */
      open: (event: MouseEvent, name: string) => {
        const target = event.target as HTMLElement;
        if (target.closest("a, button, input, label, select, textarea")) return;
        if (window.getSelection()?.toString()) return;
        if (event.metaKey || event.ctrlKey || event.shiftKey) window.open(sessionHref(name), "_blank", "noopener");
        else router.push(sessionHref(name));
      },
    }),
    [router],
  );
}

export type TRowNavigation = ReturnType<typeof useRowNavigation>;
