import { configFieldKey } from "@/lib/dashboard-config-validation";
import type { TPath } from "@/lib/dashboard-config-draft";

/** The DOM id of the control for an error key (`name`, `metadata.0.key`, `config.proxy.server`...): the error summary links to it. */
export const idFor = (key: string) => `f-${key.replace(/[^a-zA-Z0-9]+/g, "-")}`;

/** The DOM id of the control for the config field at `path`. */
export const configFieldId = (path: TPath) => idFor(configFieldKey(path));
