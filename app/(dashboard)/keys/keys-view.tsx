"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { SESSION_ACTIONS, type TApiKey, type TSessionAction } from "@/lib/api-keys";
import { createApiKey, deleteApiKey, getControlKey, isApiError, listApiKeys, listSessions, updateApiKey } from "@/lib/api-client";
import { queryKeys } from "@/components/data/query-keys";
import { PageHeader } from "@/components/shell/app-shell";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { ConfirmDialog } from "@/components/ui/dialog";
import { Checkbox, Field, Select } from "@/components/ui/field";
import { PlusIcon, TrashIcon } from "@/components/ui/icons";
import { Skeleton } from "@/components/ui/skeleton";
import { RelativeTime } from "@/components/ui/time";

const ACTION_HINTS: Record<TSessionAction, string> = {
  read: "the session, its history, QR state, deliveries, live events",
  send: "send messages",
  control: "start, stop, restart, log out, pair (QR, code)",
  setting: "change its config and webhooks",
  app: "manage apps",
  delete: "delete the session",
};

/**
 * The Keys API in the dashboard (docs/api.md, "API keys"): create an admin key or a key for one session with
 * chosen actions (the key is shown once, with copy), deactivate, delete, see last use; and a QR link for one
 * session, made from its control key, that a person opens without the dashboard login.
 */
export function KeysView() {
  const keys = useQuery({ queryKey: queryKeys.apiKeys(), queryFn: ({ signal }) => listApiKeys(signal) });
  const sessions = useQuery({
    queryKey: [...queryKeys.lists(), "names"],
    queryFn: async ({ signal }) => (await listSessions({ limit: 1000 }, signal)).items.map((session) => session.name),
  });
  return (
    <>
      <PageHeader
        title="API keys"
        description="Keys for programs and people: an admin key does everything; a session key sees one session and does only its actions. WAHA_API_KEY stays the root key and is not listed."
      />
      <div className="grid gap-4 lg:grid-cols-2">
        <CreateKeyCard sessions={sessions.data ?? []} />
        <QrLinkCard sessions={sessions.data ?? []} />
      </div>
      <KeyList keys={keys.data} error={keys.error} />
    </>
  );
}

function CreateKeyCard({ sessions }: { sessions: string[] }) {
  const client = useQueryClient();
  const [kind, setKind] = useState<"session" | "admin">("session");
  const [session, setSession] = useState("");
  const [actions, setActions] = useState<Record<TSessionAction, boolean>>({
    read: true,
    send: false,
    control: false,
    setting: false,
    app: false,
    delete: false,
  });
  const [created, setCreated] = useState<TApiKey | null>(null);
  const create = useMutation({
    mutationFn: () =>
      createApiKey(
        kind === "admin"
          ? { isAdmin: true, session: null, isActive: true }
          : { isAdmin: false, session: session || sessions[0] || null, isActive: true, actions },
      ),
    onSuccess: (key) => {
      setCreated(key);
      void client.invalidateQueries({ queryKey: queryKeys.apiKeys() });
    },
  });
  const fieldError = (field: string) =>
    isApiError(create.error) ? create.error.details.find((d) => d.field === field || d.field.startsWith(`${field}.`))?.message : undefined;

  return (
    <Card aria-labelledby="create-key-title">
      <CardHeader id="create-key-title" title="Create a key" description="The key is shown once, right after it is made: copy it then." />
      <CardBody>
        <form
          className="grid gap-4"
          onSubmit={(event) => {
            event.preventDefault();
            setCreated(null);
            create.mutate();
          }}
        >
          <fieldset className="flex gap-4 text-sm">
            <legend className="sr-only">Kind of key</legend>
            {(["session", "admin"] as const).map((value) => (
              <label key={value} className="flex items-center gap-2">
                <input type="radio" name="kind" value={value} checked={kind === value} onChange={() => setKind(value)} />
                {value === "admin" ? "Admin key (everything)" : "Session key"}
              </label>
            ))}
          </fieldset>
          {kind === "session" && (
            <>
              <Field id="key-session" label="Session" error={fieldError("session")}>
                <SessionSelect id="key-session" sessions={sessions} value={session} onChange={setSession} />
              </Field>
              <fieldset className="grid gap-2">
                <legend className="mb-1 text-[13px] font-medium text-zinc-800 dark:text-zinc-200">Allowed actions</legend>
                {SESSION_ACTIONS.map((action) => (
                  <label key={action} className="flex items-start gap-2 text-sm">
                    <Checkbox
                      className="mt-0.5"
                      name={`action-${action}`}
                      checked={actions[action]}
                      onChange={(event) => setActions({ ...actions, [action]: event.target.checked })}
                    />
                    <span>
                      <span className="font-medium">{action}</span>{" "}
                      <span className="text-zinc-500 dark:text-zinc-400">{ACTION_HINTS[action]}</span>
                    </span>
                  </label>
                ))}
              </fieldset>
            </>
          )}
          {create.error && !fieldError("session") && (
            <Alert tone="error" title="The key was not created">
              {create.error.message}
            </Alert>
          )}
          <div>
            <Button type="submit" variant="primary" icon={<PlusIcon className="size-4" />} loading={create.isPending}>
              Create key
            </Button>
          </div>
        </form>
        {created && (
          <Alert tone="success" title="Key created: copy it now, it will not be shown again" className="mt-4">
            <div className="flex items-center gap-2">
              <code className="font-mono text-xs break-all" data-testid="created-key">
                {created.key}
              </code>
              <CopyButton value={created.key} label="Copy the key" />
            </div>
          </Alert>
        )}
      </CardBody>
    </Card>
  );
}

function QrLinkCard({ sessions }: { sessions: string[] }) {
  const [session, setSession] = useState("");
  const [link, setLink] = useState<string | null>(null);
  const make = useMutation({
    mutationFn: async () => {
      const name = session || sessions[0];
      const key = await getControlKey(name);
      // The key travels in the fragment: browsers never send it to the server, so no log or proxy sees it.
      return `${window.location.origin}/link/${encodeURIComponent(name)}#key=${encodeURIComponent(key.key)}`;
    },
    onSuccess: setLink,
  });
  return (
    <Card aria-labelledby="qr-link-title">
      <CardHeader
        id="qr-link-title"
        title="QR link for a person"
        description="A page showing one session's live QR, opened without the dashboard login. Made from the session's control key: whoever has the link can start, stop and pair that session, nothing else."
      />
      <CardBody className="grid gap-4">
        <Field id="qr-session" label="Session">
          <SessionSelect id="qr-session" sessions={sessions} value={session} onChange={setSession} />
        </Field>
        <div>
          <Button onClick={() => make.mutate()} loading={make.isPending} disabled={sessions.length === 0}>
            Make QR link
          </Button>
        </div>
        {make.error && (
          <Alert tone="error" title="No link">
            {make.error.message}
          </Alert>
        )}
        {link && (
          <div className="flex items-center gap-2">
            <a href={link} className="font-mono text-xs break-all text-emerald-700 underline dark:text-emerald-400" data-testid="qr-link">
              {link}
            </a>
            <CopyButton value={link} label="Copy the link" />
          </div>
        )}
      </CardBody>
    </Card>
  );
}

function KeyList({ keys, error }: { keys: TApiKey[] | undefined; error: Error | null }) {
  const client = useQueryClient();
  const [deleting, setDeleting] = useState<TApiKey | null>(null);
  const refresh = () => void client.invalidateQueries({ queryKey: queryKeys.apiKeys() });
  const toggle = useMutation({
    mutationFn: (key: TApiKey) =>
      updateApiKey(key.id, { isAdmin: key.isAdmin, session: key.session, isActive: !key.isActive, actions: key.actions }),
    onSettled: refresh,
  });
  const remove = useMutation({
    mutationFn: (key: TApiKey) => deleteApiKey(key.id),
    onSettled: () => {
      setDeleting(null);
      refresh();
    },
  });

  return (
    <Card className="mt-4" aria-labelledby="keys-title">
      <CardHeader
        id="keys-title"
        title="Keys"
        description="Shown masked: only a hash of each key is kept. Last use is recorded at most once a minute."
      />
      <CardBody>
        {error && (
          <Alert tone="error" title="The keys could not be loaded">
            {error.message}
          </Alert>
        )}
        {!keys && !error && <Skeleton className="h-24 rounded-lg" />}
        {keys && keys.length === 0 && (
          <p className="text-sm text-zinc-500">No keys yet: only WAHA_API_KEY and the dashboard login reach the API.</p>
        )}
        {keys && keys.length > 0 && (
          <table className="w-full text-left text-sm" data-testid="keys">
            <thead className="text-xs text-zinc-500 dark:text-zinc-400">
              <tr>
                <th className="py-2 font-medium">Key</th>
                <th className="py-2 font-medium">Scope</th>
                <th className="py-2 font-medium">State</th>
                <th className="py-2 font-medium">Last used</th>
                <th className="py-2" />
              </tr>
            </thead>
            <tbody>
              {keys.map((key) => (
                <tr key={key.id} className="border-t border-zinc-100 dark:border-zinc-800" data-key-id={key.id}>
                  <td className="py-2 font-mono text-xs">{key.key}</td>
                  <td className="py-2">
                    {key.isAdmin ? (
                      <Badge tone="violet">admin</Badge>
                    ) : (
                      <span className="flex flex-wrap items-center gap-1">
                        <span className="font-medium">{key.session}</span>
                        {SESSION_ACTIONS.filter((action) => key.actions?.[action]).map((action) => (
                          <Badge key={action}>{action}</Badge>
                        ))}
                      </span>
                    )}
                  </td>
                  <td className="py-2">
                    <Badge tone={key.isActive ? "green" : "amber"}>{key.isActive ? "active" : "inactive"}</Badge>
                  </td>
                  <td className="py-2 text-zinc-500">
                    {key.lastUsedAt ? <RelativeTime timestamp={Date.parse(key.lastUsedAt)} /> : "never"}
                  </td>
                  <td className="py-2 text-right whitespace-nowrap">
                    <Button
                      size="sm"
                      variant="secondary"
                      onClick={() => toggle.mutate(key)}
                      loading={toggle.isPending && toggle.variables?.id === key.id}
                    >
                      {key.isActive ? "Deactivate" : "Activate"}
                    </Button>{" "}
                    <Button
                      size="sm"
                      variant="ghost"
                      icon={<TrashIcon className="size-4" />}
                      aria-label={`Delete key ${key.key}`}
                      onClick={() => setDeleting(key)}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </CardBody>
      <ConfirmDialog
        open={deleting !== null}
        onCancel={() => setDeleting(null)}
        onConfirm={() => deleting && remove.mutate(deleting)}
        title="Delete this key?"
        description="Every program or link using it is refused at once, on every worker."
        confirmLabel="Delete key"
        busy={remove.isPending}
      />
    </Card>
  );
}

/** One of the sessions (the first until one is picked); says so when there are none. */
function SessionSelect({
  id,
  sessions,
  value,
  onChange,
}: {
  id: string;
  sessions: string[];
  value: string;
  onChange: (name: string) => void;
}) {
  return (
    <Select id={id} value={value || sessions[0] || ""} onChange={(event) => onChange(event.target.value)}>
      {sessions.length === 0 && <option value="">No sessions yet</option>}
      {sessions.map((name) => (
        <option key={name} value={name}>
          {name}
        </option>
      ))}
    </Select>
  );
}
