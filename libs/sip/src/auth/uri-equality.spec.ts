import { uriTextEquals } from './uri-equality';

describe('URI comparison (RFC 3261 §19.1.4)', () => {
  it.each([
    ['sip:%61lice@atlanta.com;transport=TCP', 'sip:alice@AtLanTa.CoM;Transport=tcp'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com;newparam=5'],
    ['sip:carol@chicago.com;security=on', 'sip:carol@chicago.com;newparam=5'],
    ['sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com', 'sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com'],
    ['sip:alice@atlanta.com?subject=project%20x&priority=urgent', 'sip:alice@atlanta.com?priority=urgent&subject=project%20x'],
    ['tel:+1-212-555-0101', 'tel:+12125550101'],
  ])('%s equals %s', (a, b) => {
    expect(uriTextEquals(a, b)).toBe(true);
    expect(uriTextEquals(b, a)).toBe(true);
  });

  it.each([
    ['SIP:ALICE@AtLanTa.CoM;Transport=udp', 'sip:alice@AtLanTa.CoM;Transport=UDP'], // user differs in case
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com:5060'], // an explicit port is not the default
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com;transport=udp'], // transport in one only
    ['sip:bob@biloxi.com', 'sips:bob@biloxi.com'],
    ['sip:carol@chicago.com;newparam=6', 'sip:carol@chicago.com;newparam=5'],
    ['sip:carol@chicago.com?Subject=next%20meeting', 'sip:carol@chicago.com'],
    ['sip:bob@biloxi.com', 'not a uri'],
    ['tel:+12125550101', 'sip:+12125550101@biloxi.com'],
  ])('%s differs from %s', (a, b) => {
    expect(uriTextEquals(a, b)).toBe(false);
    expect(uriTextEquals(b, a)).toBe(false);
  });
});
