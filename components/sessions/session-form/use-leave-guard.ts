import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { setPopStateGuard } from "@/components/shell/popstate-guard";

/** The part of the Navigation API the guard reads (Chromium, Firefox and Safari have it). */
interface HistoryPosition {
  currentEntry: { index: number } | null;
}

/**
 * While `dirty`, leaving the form asks first: a link in the app, back or forward, and the Cancel
 * button open the "leave without saving?" dialog; reloading, closing the tab or leaving the site get
 * the browser's own prompt. A form without changes (saved, or edited back) leaves freely.
 *
 * The app router has no navigation events of its own, so links are caught by a click listener on the
 * document that runs before Next's, and back/forward by the popstate guard, which hears the event
 * before the router (components/shell/popstate-guard.ts): the traversal is undone (its distance read
 * from the Navigation API's entry index) and made again once the user confirms. A browser without the
 * Navigation API leaves on back/forward.
 */
export function useLeaveGuard(dirty: boolean) {
  const router = useRouter();
  // What confirming does; null while no leave is being asked about.
  const [pendingLeave, setPendingLeave] = useState<(() => void) | null>(null);
  const leaving = useRef(false);

  useEffect(() => {
    if (!dirty) return;
    leaving.current = false;
    const beforeUnload = (event: BeforeUnloadEvent) => {
      if (!leaving.current) event.preventDefault();
    };
    const ask = (leave: () => void) => setPendingLeave(() => leave);

    const click = (event: MouseEvent) => {
      if (leaving.current || event.defaultPrevented || event.button !== 0) return;
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return; // a new tab or window: nothing is lost
      const anchor = event.target instanceof Element ? event.target.closest("a[href]") : null;
      if (!(anchor instanceof HTMLAnchorElement) || anchor.hasAttribute("download")) return;
      if (anchor.target && anchor.target !== "_self") return;
      const url = new URL(anchor.href, window.location.href);
      if (url.origin !== window.location.origin) return; // leaves the app: beforeunload asks
      if (url.pathname === window.location.pathname && url.search === window.location.search) return; // a link within the page
      event.preventDefault();
      event.stopPropagation();
      ask(() => router.push(url.pathname + url.search + url.hash));
    };

    const position = (window as Window & { navigation?: HistoryPosition }).navigation;
    const guardedPage = window.location.pathname + window.location.search;
    let here = position?.currentEntry?.index;
    let undoing = false;
    const popState = (event: PopStateEvent) => {
      if (leaving.current || !position) return;
      const now = position.currentEntry?.index;
      if (undoing) {
        // Back where the form is: the router never saw the traversal, so it has nothing to restore.
        undoing = false;
        event.stopImmediatePropagation();
        return;
      }
      if (here === undefined || now === undefined || now === here) return;
      if (window.location.pathname + window.location.search === guardedPage) {
        here = now; // a fragment of this page (the error summary's links)
        return;
      }
      event.stopImmediatePropagation();
      const distance = now - here;
      undoing = true;
      window.history.go(-distance);
      ask(() => window.history.go(distance));
    };
    const hashChange = () => {
      here = position?.currentEntry?.index;
    };

    window.addEventListener("beforeunload", beforeUnload);
    document.addEventListener("click", click, true);
    setPopStateGuard(popState);
    window.addEventListener("hashchange", hashChange);
    return () => {
      window.removeEventListener("beforeunload", beforeUnload);
      document.removeEventListener("click", click, true);
      setPopStateGuard(null);
      window.removeEventListener("hashchange", hashChange);
    };
  }, [dirty, router]);

  return {
    /** True while the dialog asks whether to leave. */
    asking: pendingLeave !== null,
    /** Runs `leave` now, or after the user confirms when there are unsaved changes (the Cancel button). */
    leaveWith: (leave: () => void) => (dirty ? setPendingLeave(() => leave) : leave()),
    stay: () => setPendingLeave(null),
    leave: () => {
      leaving.current = true;
      setPendingLeave(null);
      pendingLeave?.();
    },
  };
}
