import { cappingNoteworthy, type TMessageCapping, type TReachoutTimelock } from "@/lib/account-restrictions";
import type { TMe } from "@/lib/session";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { RelativeTime, formatDateTime } from "@/components/ui/time";

/** The restrictions in force on an account (a timelock that is active, a capping that warns or caps). */
export function activeRestrictions(me: TMe | null | undefined): { timelock: TReachoutTimelock | null; capping: TMessageCapping | null } {
  const timelock = me?.reachoutTimelock?.isActive ? me.reachoutTimelock : null;
  const capping = me?.messageCapping && cappingNoteworthy(me.messageCapping) ? me.messageCapping : null;
  return { timelock, capping };
}

/**
 * A banner for each restriction WhatsApp puts on the account, with what it means for the operator:
 * neither is a fault, and restarting does not lift it (docs/session-health.md, "Restrictions").
 */
export function RestrictionBanners({ me }: { me: TMe | null | undefined }) {
  const { timelock, capping } = activeRestrictions(me);
  if (!timelock && !capping) return null;
  return (
    <div className="mb-5 grid gap-3" data-testid="restriction-banners">
      {timelock && (
        <div data-testid="restriction-banner" data-restriction="reachout-timelock">
          <Alert tone="warning" title="WhatsApp refuses messages to new contacts (reachout timelock)">
            The account reached out to too many new contacts; sending to a contact without a chat fails (error 463)
            {timelock.timeEnforcementEnds !== null ? (
              <>
                {" "}
                until {formatDateTime(timelock.timeEnforcementEnds * 1000)} (
                <RelativeTime timestamp={timelock.timeEnforcementEnds * 1000} />)
              </>
            ) : null}
            . Existing chats still work. Do not restart, log out or link again: the session stays working and the restriction ends on its
            own. Enforcement: <span className="font-mono">{timelock.enforcementType}</span>.
          </Alert>
        </div>
      )}
      {capping && (
        <div data-testid="restriction-banner" data-restriction="message-capping">
          <Alert
            tone={capping.cappingStatus === "CAPPED" ? "error" : "warning"}
            title={
              capping.cappingStatus === "CAPPED"
                ? "New chats are blocked: the account used its new-chat quota (message capping)"
                : `Close to the new-chat quota (message capping ${capping.cappingStatus})`
            }
          >
            {capping.totalQuota >= 0 ? `${capping.usedQuota} of ${capping.totalQuota} new chats used this cycle` : "No quota given"}
            {capping.cycleEnd !== null ? (
              <>
                ; the cycle ends {formatDateTime(capping.cycleEnd * 1000)} (<RelativeTime timestamp={capping.cycleEnd * 1000} />)
              </>
            ) : null}
            . Existing chats still work; Switchboard blocks nothing, WhatsApp enforces the quota.
          </Alert>
        </div>
      )}
    </div>
  );
}

/** Short chips for a list row. */
export function RestrictionChips({ me }: { me: TMe | null | undefined }) {
  const { timelock, capping } = activeRestrictions(me);
  return (
    <>
      {timelock && (
        <Badge tone="amber" data-testid="session-restriction" title="Messages to new contacts are refused until the timelock ends">
          Timelocked
        </Badge>
      )}
      {capping && (
        <Badge
          tone={capping.cappingStatus === "CAPPED" ? "red" : "amber"}
          data-testid="session-restriction"
          title="New-chat message capping"
        >
          {capping.cappingStatus === "CAPPED" ? "Capped" : "Cap warning"}
        </Badge>
      )}
    </>
  );
}
