import { AppError, type TFieldIssue } from "./errors";
import type { TSessionConfig, TWebhookConfig } from "./session-config";

/**
 * The secrets of a session's config: each webhook's HMAC key (`webhooks[].hmac.key`), each custom
 * header's value (`webhooks[].customHeaders[].value`) and the proxy password (`proxy.password`).
 *
 * The API returns each of them as SECRET_PLACEHOLDER unless asked to reveal them
 * (`GET /api/sessions/{session}?revealSecrets=true`). A config sent back with the placeholder keeps
 * the stored value, so a client can save what it read without ever holding the secrets. Because of
 * that, the placeholder itself can never be a secret.
 */
export const SECRET_PLACEHOLDER = "[redacted]";

/** The config with every non-empty secret replaced by the placeholder. */
export function redactSecrets(config: TSessionConfig): TSessionConfig {
  const hide = (value: string) => (value === "" ? value : SECRET_PLACEHOLDER);
  const webhooks = config.webhooks?.map((webhook) => ({
    ...webhook,
    ...(typeof webhook.hmac?.key === "string" ? { hmac: { ...webhook.hmac, key: hide(webhook.hmac.key) } } : {}),
    ...(webhook.customHeaders ? { customHeaders: webhook.customHeaders.map((header) => ({ ...header, value: hide(header.value) })) } : {}),
  }));
  return {
    ...config,
    ...(webhooks ? { webhooks } : {}),
    ...(typeof config.proxy?.password === "string" ? { proxy: { ...config.proxy, password: hide(config.proxy.password) } } : {}),
  };
}

/**
 * A config to store, from one a client sent (`incoming`, under `config` in the request body) and the
 * one stored before (`stored`, null when there is none): each placeholder becomes the stored secret
 * it stands for. A webhook stands for the stored one with the same URL (the one at the same position
 * among several), else for the one at the same position (its URL was edited); a custom header for
 * the header of the same name in that webhook; the proxy password for the stored one. A placeholder
 * that stands for no stored secret is a 400 naming its field, so a placeholder is never stored.
 */
export function keepRedactedSecrets(incoming: TSessionConfig, stored: TSessionConfig | null): TSessionConfig {
  const issues: TFieldIssue[] = [];
  const restore = (kept: string | null | undefined, field: string): string => {
    if (typeof kept === "string" && kept !== "" && kept !== SECRET_PLACEHOLDER) return kept;
    issues.push({
      field,
      message: `"${SECRET_PLACEHOLDER}" keeps a stored secret, but there is none here to keep; send the secret itself`,
    });
    return SECRET_PLACEHOLDER;
  };

  const webhooks = incoming.webhooks?.map((webhook, index): TWebhookConfig => {
    const field = `config.webhooks.${index}`;
    const before = counterpart(stored?.webhooks, index, (w) => w.url === webhook.url) ?? stored?.webhooks?.[index];
    const sameName = (name: string) => (header: { name: string }) => header.name.toLowerCase() === name.toLowerCase();
    let kept = webhook;
    if (webhook.hmac?.key === SECRET_PLACEHOLDER) {
      kept = { ...kept, hmac: { ...webhook.hmac, key: restore(before?.hmac?.key, `${field}.hmac.key`) } };
    }
    if (webhook.customHeaders?.some((header) => header.value === SECRET_PLACEHOLDER)) {
      const headers = webhook.customHeaders.map((header, h) =>
        header.value === SECRET_PLACEHOLDER
          ? {
              ...header,
              value: restore(counterpart(before?.customHeaders, h, sameName(header.name))?.value, `${field}.customHeaders.${h}.value`),
            }
          : header,
      );
      kept = { ...kept, customHeaders: headers };
    }
    return kept;
  });

  const proxy =
    incoming.proxy?.password === SECRET_PLACEHOLDER
      ? { ...incoming.proxy, password: restore(stored?.proxy?.password, "config.proxy.password") }
      : incoming.proxy;

  if (issues.length) {
    throw new AppError("validation_failed", issues.map((issue) => `${issue.field}: ${issue.message}`).join("; "), { details: issues });
  }
  return { ...incoming, ...(webhooks ? { webhooks } : {}), ...(proxy ? { proxy } : {}) };
}

/** Whether any secret of the config is the placeholder (it was read redacted and not revealed). */
export function hasRedactedSecrets(config: TSessionConfig): boolean {
  const hidden = (value: string | null | undefined) => value === SECRET_PLACEHOLDER;
  return (
    hidden(config.proxy?.password) ||
    (config.webhooks ?? []).some(
      (webhook) => hidden(webhook.hmac?.key) || (webhook.customHeaders ?? []).some((header) => hidden(header.value)),
    )
  );
}

/** The item at `index` when it matches, else the first that matches. */
function counterpart<T>(items: readonly T[] | null | undefined, index: number, matches: (item: T) => boolean): T | undefined {
  if (!items) return undefined;
  const same = items[index];
  return same !== undefined && matches(same) ? same : items.find(matches);
}
