import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { TextField } from "./config-fields";
import type { TFormFields } from "./use-session-form";

/** `config.client`: the names the phone shows for this session among its linked devices. */
export function LinkedDeviceSection({ fields }: { fields: TFormFields }) {
  return (
    <Card>
      <CardHeader title="Linked device" description="How the session appears in the phone's Linked devices." />
      <CardBody className="grid gap-4 sm:grid-cols-2">
        <TextField fields={fields} path={["client", "deviceName"]} label="Device name" placeholder="Server default" optional />
        <TextField fields={fields} path={["client", "browserName"]} label="Browser name" placeholder="Server default" optional />
      </CardBody>
    </Card>
  );
}
