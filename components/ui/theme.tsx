"use client";

import { useCallback, useSyncExternalStore } from "react";
import { cn } from "./cn";
import { MonitorIcon, MoonIcon, SunIcon } from "./icons";

/** Theme: "system" follows prefers-color-scheme; the choice (not a secret) lives in localStorage. */
export type TTheme = "system" | "light" | "dark";
import { THEME_STORAGE_KEY as STORAGE_KEY } from "./theme-script";

const listeners = new Set<() => void>();

function readTheme(): TTheme {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return value === "light" || value === "dark" ? value : "system";
  } catch {
    return "system";
  }
}

function apply(theme: TTheme): void {
  const dark = theme === "dark" || (theme === "system" && window.matchMedia("(prefers-color-scheme: dark)").matches);
  document.documentElement.classList.toggle("dark", dark);
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  const media = window.matchMedia("(prefers-color-scheme: dark)");
  const onChange = () => {
    if (readTheme() === "system") apply("system");
    listener();
  };
  media.addEventListener("change", onChange);
  window.addEventListener("storage", onChange);
  return () => {
    listeners.delete(listener);
    media.removeEventListener("change", onChange);
    window.removeEventListener("storage", onChange);
  };
}

export function useTheme(): [TTheme, (theme: TTheme) => void] {
  const theme = useSyncExternalStore(subscribe, readTheme, () => "system" as TTheme);
  const setTheme = useCallback((next: TTheme) => {
    try {
      if (next === "system") localStorage.removeItem(STORAGE_KEY);
      else localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // storage unavailable: the choice lasts for this page only
    }
    apply(next);
    listeners.forEach((listener) => listener());
  }, []);
  return [theme, setTheme];
}

const OPTIONS: { value: TTheme; label: string; Icon: typeof SunIcon }[] = [
  { value: "light", label: "Light theme", Icon: SunIcon },
  { value: "system", label: "System theme", Icon: MonitorIcon },
  { value: "dark", label: "Dark theme", Icon: MoonIcon },
];

/** A three-way segmented switch: light / system / dark. */
export function ThemeToggle({ className }: { className?: string }) {
  const [theme, setTheme] = useTheme();
  return (
    <div
      role="radiogroup"
      aria-label="Colour theme"
      className={cn(
        "inline-flex items-center rounded-lg border border-zinc-200 bg-white p-0.5 dark:border-zinc-800 dark:bg-zinc-900",
        className,
      )}
    >
      {OPTIONS.map(({ value, label, Icon }) => (
        <button
          key={value}
          type="button"
          role="radio"
          aria-checked={theme === value}
          aria-label={label}
          title={label}
          onClick={() => setTheme(value)}
          className={cn(
            "grid size-7 place-items-center rounded-md text-zinc-500 transition-colors hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100",
            theme === value && "bg-zinc-100 text-zinc-900 shadow-sm dark:bg-zinc-800 dark:text-zinc-50",
          )}
        >
          <Icon className="size-4" />
        </button>
      ))}
    </div>
  );
}
