import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { SecretField, TextField } from "./config-fields";
import type { TFormFields } from "./use-session-form";

/** `config.proxy`: the session's own proxy; its password is a secret. */
export function ProxySection({ fields }: { fields: TFormFields }) {
  return (
    <Card>
      <CardHeader title="Proxy" description="Overrides the server-wide proxy for this session." />
      <CardBody className="grid gap-4">
        <TextField
          fields={fields}
          path={["proxy", "server"]}
          label="Server"
          placeholder="proxy.example.com:3128"
          hint="host:port; socks5:// is allowed"
          mono
        />
        <div className="grid gap-4 sm:grid-cols-2">
          <TextField fields={fields} path={["proxy", "username"]} label="Username" optional />
          <SecretField fields={fields} path={["proxy", "password"]} label="Password" />
        </div>
      </CardBody>
    </Card>
  );
}
