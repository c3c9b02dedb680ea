import { cmdSubject, defaultHttpPort, evtSubject, healthSubject, isErrorReply, qrySubject, SERVICE_NAMES } from './index';

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

describe('defaultHttpPort', () => {
  it('gives api-gateway 3000 and the other ten services 3001–3010, one each', () => {
    const ports = SERVICE_NAMES.map((s) => defaultHttpPort(s));
    expect(defaultHttpPort('api-gateway')).toBe(3000);
    expect(new Set(ports).size).toBe(SERVICE_NAMES.length);
    expect(Math.min(...ports)).toBe(3000);
    expect(Math.max(...ports)).toBe(3010);
    expect(defaultHttpPort('sip-edge', 41000, 8080)).toBe(41000);
  });
});
