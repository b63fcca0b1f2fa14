import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { TriStateField } from "./config-fields";
import type { TFormFields } from "./use-session-form";

/** `config.ignore`: kinds of chats whose events are not emitted; unset follows the server's default. */
export function IgnoreChatsSection({ fields }: { fields: TFormFields }) {
  return (
    <Card>
      <CardHeader
        title="Ignore chats"
        description="Events from these chats are not emitted. Default follows WAHA_SESSION_CONFIG_IGNORE_*."
      />
      <CardBody className="grid gap-4 sm:grid-cols-2">
        <TriStateField fields={fields} path={["ignore", "status"]} label="Status updates" yes="Ignore" no="Receive" />
        <TriStateField fields={fields} path={["ignore", "groups"]} label="Groups" yes="Ignore" no="Receive" />
        <TriStateField fields={fields} path={["ignore", "channels"]} label="Channels" yes="Ignore" no="Receive" />
        <TriStateField fields={fields} path={["ignore", "broadcast"]} label="Broadcast lists" yes="Ignore" no="Receive" />
      </CardBody>
    </Card>
  );
}
