import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { TriStateField } from "./config-fields";
import type { TFormFields } from "./use-session-form";

/** `config.webjs` and `config.noweb`: the engine options the form shows (others are kept from the JSON). */
export function EngineOptionsSection({ fields }: { fields: TFormFields }) {
  return (
    <Card>
      <CardHeader
        title="Engine options"
        description="WEBJS is the engine Switchboard runs; NOWEB options are kept for WAHA compatibility."
      />
      <CardBody className="grid gap-4 sm:grid-cols-2">
        <TriStateField
          fields={fields}
          path={["webjs", "tagsEventsOn"]}
          label="WEBJS: tag events"
          hint="Needed for presence.update and group message.ack"
        />
        <TriStateField fields={fields} path={["noweb", "markOnline"]} label="NOWEB: mark online" />
        <TriStateField fields={fields} path={["noweb", "store", "enabled"]} label="NOWEB: store" />
        <TriStateField fields={fields} path={["noweb", "store", "fullSync"]} label="NOWEB: full sync" />
      </CardBody>
    </Card>
  );
}
