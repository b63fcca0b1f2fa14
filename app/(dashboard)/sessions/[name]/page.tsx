import type { Metadata } from "next";
import { SessionDetailView } from "./session-detail-view";

export async function generateMetadata({ params }: { params: Promise<{ name: string }> }): Promise<Metadata> {
  return { title: (await params).name };
}

export default async function SessionPage({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  return <SessionDetailView name={name} />;
}
