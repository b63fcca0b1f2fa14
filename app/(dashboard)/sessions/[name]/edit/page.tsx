import type { Metadata } from "next";
import { EditSessionView } from "./edit-session-view";

export async function generateMetadata({ params }: { params: Promise<{ name: string }> }): Promise<Metadata> {
  return { title: `Edit ${(await params).name}` };
}

export default async function EditSessionPage({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  return <EditSessionView name={name} />;
}
