import type { Metadata } from "next";
import { NewSessionView } from "./new-session-view";

export const metadata: Metadata = { title: "New session" };

export default function NewSessionPage() {
  return <NewSessionView />;
}
