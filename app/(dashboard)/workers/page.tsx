import type { Metadata } from "next";
import { clusterNode } from "@/server/system/workers";
import { WorkersView } from "./workers-view";

export const metadata: Metadata = { title: "Workers" };

export default function WorkersPage() {
  return <WorkersView cluster={clusterNode() !== null} />;
}
