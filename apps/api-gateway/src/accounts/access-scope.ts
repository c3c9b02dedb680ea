import type { CallLogScope, LegUsage } from '@pbx/contracts';
import type { HashedAccount, HashedProvisioning } from '@pbx/provisioning';

// What an account may see (SPEC A-1), as a list of numbers. Pure: a function of the account
// and the provisioning. The rules (docs/api.md "Roles"):
// - system admin: everything (no scope);
// - supervisor: the numbers granted to it, plus for each granted call center the center's
//   extension, the external number tied to it and every DID that routes to it;
// - user: the number of its own sign-in device (`agent.signIn`: its extension, or the
//   external number it signs in with, SPEC §6); an account without one sees nothing.

const searchable = /^[0-9*#+]{1,32}$/;

type Scoped = Pick<HashedAccount, 'role' | 'grants' | 'agent'>;
type Numbering = Pick<HashedProvisioning, 'callCenters' | 'dids'>;

/** undefined = everything (system admin); otherwise the numbers whose calls the account sees (an empty list sees nothing). */
export function accessScope(account: Scoped, p: Numbering): CallLogScope | undefined {
  switch (account.role) {
    case 'system-admin':
      return undefined;
    case 'supervisor': {
      const numbers = new Set(account.grants?.numbers ?? []);
      for (const centerNumber of account.grants?.callCenters ?? []) {
        const center = p.callCenters.find((c) => c.number === centerNumber);
        if (!center) continue; // a grant of a center that is not provisioned grants nothing
        numbers.add(center.number);
        if (center.notificationNumber) numbers.add(center.notificationNumber);
        for (const did of p.dids) if (did.target === center.number) numbers.add(did.number);
      }
      // Grants are free text in the file; only what can be a number can match a call.
      return { numbers: [...numbers].filter((n) => searchable.test(n)).sort() };
    }
    case 'user': {
      const device = account.agent?.signIn;
      return { numbers: device ? [device.number] : [] };
    }
  }
}

/** Whether a leg of the channel-usage view touches the scope (its local party or far end). */
export function legInScope(leg: LegUsage, scope: CallLogScope | undefined): boolean {
  if (!scope) return true;
  const far = leg.farEnd;
  const touched = [leg.localParty, 'number' in far ? far.number : undefined, 'extension' in far ? far.extension : undefined];
  return touched.some((n) => n !== undefined && scope.numbers.includes(n));
}
