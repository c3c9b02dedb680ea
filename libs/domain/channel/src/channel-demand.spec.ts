import { channelDemand, channelsHeld, FarEnd } from './index';

const trunk: FarEnd = { kind: 'trunk', trunkId: 'carrier-a', number: '09011112222' };
const agentPhone: FarEnd = { kind: 'agent-external', number: '09033334444', account: 'kato' };
const peer: FarEnd = { kind: 'peer', serverId: 'osaka-1', extension: '2099' };
const soft = (extension: string): FarEnd => ({ kind: 'softphone', extension });
const hard = (extension: string): FarEnd => ({ kind: 'hardphone', extension });
const mobile = (extension: string): FarEnd => ({ kind: 'mobile', extension });

describe('SPEC Q-2: which pool a leg holds, by its far end', () => {
  it.each<[string, FarEnd, ReturnType<typeof channelDemand>]>([
    ['a carrier trunk holds 1 channel', trunk, { pool: 'channel', count: 1 }],
    ['the external number of a signed-in agent holds 1 channel', agentPhone, { pool: 'channel', count: 1 }],
    ['a callback leg to the agent holds 1 channel', { kind: 'callback', number: '09033334444', role: 'agent' }, { pool: 'channel', count: 1 }],
    ['a callback leg to the counterpart holds 1 channel', { kind: 'callback', number: '0312349999', role: 'counterpart' }, { pool: 'channel', count: 1 }],
    ['a federation peer holds 1 channel', peer, { pool: 'channel', count: 1 }],
    ['a local softphone holds none', soft('1001'), { pool: 'none', count: 0 }],
    ['a local hardphone holds none', hard('1002'), { pool: 'none', count: 0 }],
    ['a mobile holds 1 mobile channel (and no ordinary channel)', mobile('2001'), { pool: 'mobile-channel', count: 1 }],
  ])('%s', (_title, farEnd, expected) => {
    expect(channelDemand(farEnd)).toEqual(expected);
  });

  it('refuses a far end kind it does not know instead of guessing', () => {
    expect(() => channelDemand({ kind: 'fax' } as unknown as FarEnd)).toThrow(/unknown far end kind "fax"/);
  });
});

// Each scenario lists the live legs of one call on each server, by far end, at the moment the
// call is fully connected.
describe('SPEC Q-3: what a whole call holds on each server', () => {
  it('F-8: a federated extension call holds 1 channel on each server', () => {
    const caller = [soft('1001'), { kind: 'peer', serverId: 'osaka-1', extension: '2099' } as FarEnd]; // tokyo: phone ↔ peer
    const callee = [{ kind: 'peer', serverId: 'tokyo-1', extension: '1001' } as FarEnd, hard('2099')]; // osaka: peer ↔ phone
    expect(channelsHeld(caller)).toEqual({ channel: 1, 'mobile-channel': 0 });
    expect(channelsHeld(callee)).toEqual({ channel: 1, 'mobile-channel': 0 });
  });

  it('F-8: an external inbound call transferred to a peer holds 2 on the transferring server, 1 on the peer', () => {
    const transferring = [trunk, peer]; // the customer's trunk leg stays, bridged to the peer leg
    const receiving = [{ kind: 'peer', serverId: 'tokyo-1' } as FarEnd, soft('2099')];
    expect(channelsHeld(transferring)).toEqual({ channel: 2, 'mobile-channel': 0 });
    expect(channelsHeld(receiving)).toEqual({ channel: 1, 'mobile-channel': 0 });
  });

  it('P-8: a call-center call answered on an agent’s personal phone holds 2', () => {
    expect(channelsHeld([trunk, agentPhone])).toEqual({ channel: 2, 'mobile-channel': 0 });
  });

  it('C-8: a callback holds 2 (the agent’s number and the counterpart)', () => {
    const legs: FarEnd[] = [
      { kind: 'callback', number: '09033334444', role: 'agent' },
      { kind: 'callback', number: '0312349999', role: 'counterpart' },
    ];
    expect(channelsHeld(legs)).toEqual({ channel: 2, 'mobile-channel': 0 });
  });

  it('an internal call between local phones holds nothing', () => {
    expect(channelsHeld([soft('1001'), hard('1002')])).toEqual({ channel: 0, 'mobile-channel': 0 });
  });

  it('an external inbound call ringing a mobile holds 1 channel and 1 mobile channel', () => {
    expect(channelsHeld([trunk, mobile('2001')])).toEqual({ channel: 1, 'mobile-channel': 1 });
  });
});
