import type { Metadata } from "next";
import { Suspense } from "react";
import { EventMonitor } from "./event-monitor";

export const metadata: Metadata = { title: "Event monitor" };

export default function EventsPage() {
  return (
    <Suspense>
      <EventMonitor />
    </Suspense>
  );
}
