import { cmdSubject, evtSubject, healthSubject, isErrorReply, qrySubject } from './index';

describe('subjects', () => {
  it('builds the three subject families of STYLE.md', () => {
    expect(cmdSubject('channel-quota', 'reserve')).toBe('cmd.v1.channel-quota.reserve');
    expect(qrySubject('dialplan', 'route')).toBe('qry.v1.dialplan.route');
    expect(evtSubject('leg', 'LegAnswered')).toBe('evt.v1.leg.LegAnswered');
    expect(healthSubject('sip-edge')).toBe('qry.v1.sip-edge.health');
  });
  it('refuses tokens that would break NATS subject matching', () => {
    expect(() => cmdSubject('dialplan', 'a.b')).toThrow(/invalid verb/);
    expect(() => evtSubject('leg', 'legAnswered')).toThrow(/invalid event type/);
    expect(() => evtSubject('le g', 'LegAnswered')).toThrow(/invalid category/);
    expect(() => qrySubject('dialplan', '>')).toThrow(/invalid query/);
  });
  it('recognises typed error replies only', () => {
    expect(isErrorReply({ error: { code: 'QUOTA.EXCEEDED', message: 'channel limit 10 reached' } })).toBe(true);
    expect(isErrorReply({ error: { code: 'bad code', message: 'x' } })).toBe(false);
    expect(isErrorReply({ route: 'x' })).toBe(false);
  });
});
