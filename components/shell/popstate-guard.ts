/**
 * Back and forward reach the app router as a popstate event, and the router listens from its first
 * render: a form that asks before leaving must hear the event first, or the page is gone before it
 * can ask. This listener is added when the root layout's client code loads (app/providers.tsx imports
 * this module), before the router's, and hands each popstate to the guard set at the time, if any.
 */

type TPopStateGuard = (event: PopStateEvent) => void;

let guard: TPopStateGuard | null = null;

if (typeof window !== "undefined") window.addEventListener("popstate", (event) => guard?.(event), true);

/** Sets the one guard (a form with unsaved changes), or clears it with null. */
export function setPopStateGuard(next: TPopStateGuard | null): void {
  guard = next;
}
