"use client";

import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useState, type ReactNode } from "react";
import { signOut } from "@/lib/api-client";
import { RealtimeProvider, useRealtimeState, useStaleSince } from "@/components/data/realtime";
import { useServerInfo } from "@/components/data/server-info";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { ActivityIcon, BookIcon, KeyIcon, LayersIcon, LogoutIcon, ServerIcon, SwitchboardLogo } from "@/components/ui/icons";
import { ThemeToggle } from "@/components/ui/theme";
import { formatDateTime, formatTime, useNow } from "@/components/ui/time";

const NAV = [
  { href: "/sessions", label: "Sessions", Icon: LayersIcon, external: false, clusterOnly: false },
  { href: "/events", label: "Events", Icon: ActivityIcon, external: false, clusterOnly: false },
  { href: "/workers", label: "Workers", Icon: ServerIcon, external: false, clusterOnly: true },
  { href: "/keys", label: "API keys", Icon: KeyIcon, external: false, clusterOnly: false },
  { href: "/docs", label: "API docs", Icon: BookIcon, external: true, clusterOnly: false },
];

/**
 * The dashboard frame: top bar with navigation, live-connection state, theme and sign-out.
 * `cluster`: the server runs in cluster mode, so the Workers page is listed.
 */
export function AppShell({ username, cluster, children }: { username: string; cluster: boolean; children: ReactNode }) {
  return (
    <RealtimeProvider>
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:z-50 focus:rounded-md focus:bg-white focus:px-3 focus:py-2 focus:text-sm focus:shadow dark:focus:bg-zinc-900"
      >
        Skip to content
      </a>
      <header className="sticky top-0 z-30 border-b border-zinc-200 bg-white/85 backdrop-blur supports-[backdrop-filter]:bg-white/70 dark:border-zinc-800 dark:bg-zinc-950/80">
        <div className="mx-auto flex h-14 max-w-7xl items-center gap-3 px-4 sm:gap-6 sm:px-6">
          <Link
            href="/sessions"
            className="flex items-center gap-2 rounded-md font-semibold tracking-tight text-zinc-900 dark:text-zinc-50"
          >
            <SwitchboardLogo className="size-7" />
            <span className="hidden sm:inline">Switchboard</span>
          </Link>
          <Nav cluster={cluster} />
          <div className="ml-auto flex items-center gap-2 sm:gap-3">
            <ConnectionState />
            <div className="hidden sm:block">
              <ThemeToggle />
            </div>
            <UserMenu username={username} />
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto w-full max-w-7xl px-4 py-6 sm:px-6 sm:py-8">
        {children}
      </main>
      <footer className="mx-auto flex max-w-7xl items-center justify-between gap-3 px-4 pb-8 text-xs text-zinc-400 sm:px-6 dark:text-zinc-600">
        <ServerInfo />
        <div className="sm:hidden">
          <ThemeToggle />
        </div>
      </footer>
    </RealtimeProvider>
  );
}

function Nav({ cluster }: { cluster: boolean }) {
  const pathname = usePathname();
  return (
    // min-w-0 and its own scrolling: however many links and however long the connection state's label, the
    // header never makes a phone's page wider than its screen.
    <nav aria-label="Main" className="flex min-w-0 items-center gap-1 overflow-x-auto">
      {NAV.filter((item) => cluster || !item.clusterOnly).map(({ href, label, Icon, external }) => {
        const active = !external && pathname.startsWith(href);
        const classes = cn(
          "flex items-center gap-2 rounded-md px-2.5 py-1.5 text-sm font-medium whitespace-nowrap transition-colors",
          active
            ? "bg-zinc-100 text-zinc-900 dark:bg-zinc-800 dark:text-zinc-50"
            : "text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-800/70 dark:hover:text-zinc-100",
        );
        const content = (
          <>
            <Icon className="size-4" />
            {/* On a phone every link is an icon (the current page's is highlighted); its name stays for screen readers. */}
            <span className="sr-only sm:not-sr-only">{label}</span>
          </>
        );
        // /docs is served outside the Next app router (Swagger UI): a plain link.
        return external ? (
          <a key={href} href={href} className={classes}>
            {content}
          </a>
        ) : (
          <Link key={href} href={href} className={classes} aria-current={active ? "page" : undefined}>
            {content}
          </Link>
        );
      })}
    </nav>
  );
}

function ConnectionState() {
  const state = useRealtimeState();
  const info = {
    connected: { label: "Live", dot: "bg-emerald-500", text: "Live updates on" },
    connecting: { label: "Connecting", dot: "bg-amber-400", text: "Connecting to live updates" },
    reconnecting: { label: "Offline", dot: "bg-amber-500", text: "Live updates interrupted; reconnecting and refreshing every 15 s" },
    unauthorized: { label: "Signed out", dot: "bg-red-500", text: "Live updates refused: sign in again" },
  }[state];
  return (
    <span
      role="status"
      data-testid="realtime-state"
      data-state={state}
      title={info.text}
      className={cn(
        "inline-flex items-center gap-1.5 rounded-full border px-2 py-0.5 text-xs font-medium whitespace-nowrap",
        state === "connected" || state === "connecting"
          ? "border-zinc-200 text-zinc-600 dark:border-zinc-800 dark:text-zinc-400"
          : "border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-700/60 dark:bg-amber-950/40 dark:text-amber-200",
      )}
    >
      <span
        aria-hidden="true"
        className={cn("size-1.5 rounded-full", info.dot, state === "connected" && "sb-live-dot text-emerald-500/40")}
      />
      {info.label}
      <span className="sr-only">: {info.text}</span>
    </span>
  );
}

/**
 * The answering server's version, worker id and uptime. While the live connection is down the server may
 * be gone: the uptime stops and says since when it is not known.
 */
function ServerInfo() {
  const info = useServerInfo();
  const staleSince = useStaleSince();
  const now = useNow();
  if (!info.data) return <span>Switchboard · WhatsApp HTTP API</span>;
  const { status, environment } = info.data;
  const upFor = now ? formatDuration((staleSince ?? now) - status.startTimestamp) : null;
  return (
    <span data-testid="server-info" data-version={environment.version} data-worker={status.worker.id} data-started={status.startTimestamp}>
      Switchboard {environment.version} · worker <span className="font-mono">{status.worker.id}</span>
      {upFor && (
        <>
          {" · "}
          <span
            data-testid="server-uptime"
            data-stale={staleSince !== null}
            title={`Started ${formatDateTime(status.startTimestamp)}`}
            className={cn(staleSince !== null && "text-amber-700 dark:text-amber-400")}
          >
            {staleSince !== null ? `was up ${upFor} at ${formatTime(staleSince)}, not live` : `up ${upFor}`}
          </span>
        </>
      )}
    </span>
  );
}

/** "3 d 4 h", "2 h 5 min", "4 min 10 s", "12 s": the two largest units. */
function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const parts: [number, string][] = [
    [Math.floor(seconds / 86_400), "d"],
    [Math.floor(seconds / 3600) % 24, "h"],
    [Math.floor(seconds / 60) % 60, "min"],
    [seconds % 60, "s"],
  ];
  const first = parts.findIndex(([value]) => value > 0);
  if (first === -1) return "0 s";
  return parts
    .slice(first, first + 2)
    .filter(([value]) => value > 0)
    .map(([value, unit]) => `${value} ${unit}`)
    .join(" ");
}

function UserMenu({ username }: { username: string }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  return (
    <div className="flex items-center gap-2">
      <span className="hidden text-sm text-zinc-600 lg:inline dark:text-zinc-400" title="Signed in as">
        {username}
      </span>
      <Button
        size="sm"
        variant="ghost"
        loading={busy}
        icon={<LogoutIcon className="size-4" />}
        aria-label={`Sign out ${username}`}
        onClick={async () => {
          setBusy(true);
          try {
            await signOut();
          } finally {
            router.replace("/login");
            router.refresh();
          }
        }}
      >
        <span className="hidden sm:inline">Sign out</span>
      </Button>
    </div>
  );
}

/** Page title row used by every dashboard page. */
export function PageHeader({
  title,
  description,
  actions,
  back,
}: {
  title: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
  back?: ReactNode;
}) {
  return (
    <div className="mb-6">
      {back && <div className="mb-3">{back}</div>}
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div className="min-w-0">
          <h1 className="text-xl font-semibold tracking-tight text-zinc-900 sm:text-2xl dark:text-zinc-50">{title}</h1>
          {description && <div className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">{description}</div>}
        </div>
        {actions && <div className="flex flex-wrap items-center gap-2">{actions}</div>}
      </div>
    </div>
  );
}
