import type { Account, Extension, HashedProvisioning, Provisioning } from '@pbx/provisioning';

/**
 * What the dialplan decider is given: the document in force with every secret blanked.
 * decideRoute's input type is the file's `Provisioning`, which names `password` on phones and
 * accounts; the decider never reads a secret (SPEC §1–§2 route on numbers, kinds and carriers),
 * so the routing view carries an empty string there rather than a hash or clear text.
 * routing-view.spec.ts checks that routes are the same with and without the secrets.
 */
export function routingView(p: HashedProvisioning): Provisioning {
  return {
    ...p,
    extensions: p.extensions.map((e): Extension => {
      if (e.kind === 'mobile') return e;
      const { passwordHash: _secret, ...rest } = e;
      return { ...rest, password: '' };
    }),
    accounts: p.accounts.map((a): Account => {
      const { passwordHash: _secret, ...rest } = a;
      return { ...rest, password: '' };
    }),
  };
}
