import { spawn } from "node:child_process";
import { FenceWatchdog } from "@/server/cluster/fence-watchdog";

// A stand-in for a server whose lease runs out in 1.5 s: it starts a "browser" (sleep), arms its
// watchdog, prints the browser's pid, and keeps going (a test pauses it with SIGSTOP).
const browser = spawn("sleep", ["60"], { stdio: "ignore" });
const watchdog = new FenceWatchdog(() => undefined);
watchdog.arm(FenceWatchdog.now() + 1500);
console.log(`armed ${browser.pid}`);
setInterval(() => undefined, 1000);
