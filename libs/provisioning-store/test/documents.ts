// Provisioning documents for provisioning-store's tests, built in code so each test can vary them.
// Every password is distinctive, so a test can grep stored or published bytes for it.

export const PASSWORDS = {
  ext1001: 'clear-1001-Kq7v',
  ext1002: 'clear-1002-Zp3x',
  ext1003: 'clear-1003-Wm9c',
  admin: 'clear-admin-Hb2n',
  agent1: 'clear-agent1-Ty5r',
} as const;

export type RawDocument = Record<string, unknown> & {
  server: Record<string, unknown> & { id: string };
  extensions: Record<string, unknown>[];
  accounts: Record<string, unknown>[];
};

/** A small valid server: two phones, a mobile, a group, a DID, two accounts. */
export function document(serverId: string): RawDocument {
  return {
    server: { id: serverId, domain: `${serverId}.pbx.test`, channelLimit: 10, mobileChannelLimit: 5, defaultNotificationNumber: '0312345678' },
    trunks: [{ id: 'carrier-a', host: '127.0.0.1', port: 5090, dids: ['0312345678'] }],
    extensions: [
      { number: '1001', kind: 'softphone', name: 'Sato', password: PASSWORDS.ext1001 },
      { number: '1002', kind: 'hardphone', name: 'Suzuki', password: PASSWORDS.ext1002 },
      { number: '2001', kind: 'mobile', name: 'Takahashi', mobileNumber: '09012345678', carrier: 'docomo' },
    ],
    groups: [{ number: '6001', name: 'Front desk', members: ['1001', '1002'] }],
    dids: [{ number: '0312345678', target: '6001' }],
    accounts: [
      { login: 'admin', role: 'system-admin', password: PASSWORDS.admin },
      { login: 'agent1', role: 'user', password: PASSWORDS.agent1, agent: { enabled: true, signIn: { type: 'extension', number: '1002' } } },
    ],
  };
}

/** The same server with extension 1003 added (and a lower channel limit). */
export function documentWith1003(serverId: string): RawDocument {
  const d = document(serverId);
  d.server.channelLimit = 4;
  d.extensions.push({ number: '1003', kind: 'softphone', name: 'Tanaka', password: PASSWORDS.ext1003 });
  return d;
}

/** Cheap scrypt for tests (the default costs ~100 ms per account). */
export const TEST_COST = { N: 2 ** 10, r: 8, p: 1 };
