import type { Provisioning } from '@pbx/provisioning';
import { loadDialplanFixture } from '../test/provisioning.fixture';
import { CallerEndpoint, decideRoute, DialContext, DialplanRejectCode, RejectStatus, RouteDecision } from './index';

// SPEC N-8: the route decision is a pure function of (dialed, caller, provisioning), tested
// as a table. Every row names the rule it covers. The server is
// test/fixtures/dialplan.provisioning.yaml: own prefix 11; peers 12 (osaka-1), 3 (nagoya-1),
// 80 (fukuoka-1); phones 1001 soft, 1002 hard, 1003 soft (own notification number on
// carrier-b), 4001 soft; mobiles 2001 docomo, 2002 au, 2003 softbank; groups 6001, 1500;
// centers 5001 (DID 0312345678), 5002 (notificationNumber 0312345682), 5003 (no DID); IVR 5500.

const base = loadDialplanFixture();
const showCaller: Provisioning = { ...base, server: { ...base.server, mobileShowCallerNumber: true } };
const noTrunksNoPark: Provisioning = { ...base, trunks: [], server: { ...base.server, parkSlots: 0 } };

const ext = (extension: string): CallerEndpoint => ({ kind: 'extension', extension });
const trunk = (callerNumber?: string, trunkId = 'carrier-a'): CallerEndpoint =>
  callerNumber === undefined ? { kind: 'trunk', trunkId } : { kind: 'trunk', trunkId, callerNumber };
const peer = (prefix: string, extension: string): CallerEndpoint => ({ kind: 'peer', prefix, extension });
const no = (status: RejectStatus, code: DialplanRejectCode) => ({ kind: 'rejected', status, code });

const SOFT = ext('1001');
const HARD = ext('1002');
const DOCOMO = ext('2001');
const AU = ext('2002');
const OSAKA = peer('12', '2099');
const CUSTOMER = '09011112222';
const MID_CALL: DialContext = { midCall: true };

interface Row {
  rule: string;
  title: string;
  dialed: string;
  caller: CallerEndpoint;
  expected: Partial<RouteDecision> | Record<string, unknown>;
  p?: Provisioning;
  ctx?: DialContext;
}

const rows: Row[] = [
  // ---------------- N-1: 4-digit local numbers ----------------
  { rule: 'N-1', title: 'softphone calls a hardphone', dialed: '1002', caller: SOFT, expected: { kind: 'extension', number: '1002', endpointKind: 'hardphone', presentation: '1001', channel: 'none', callerNumber: '1001' } },
  { rule: 'N-1', title: 'hardphone calls a softphone', dialed: '1001', caller: HARD, expected: { kind: 'extension', number: '1001', endpointKind: 'softphone', presentation: '1002' } },
  { rule: 'N-1', title: 'a group is extension-numbered', dialed: '6001', caller: SOFT, expected: { kind: 'group', number: '6001', name: 'Front desk' } },
  { rule: 'N-1', title: 'a call center is extension-numbered', dialed: '5001', caller: SOFT, expected: { kind: 'call-center', number: '5001', name: 'Support', timeoutSeconds: 30, wrapUpSeconds: 30 } },
  { rule: 'N-1', title: 'an IVR is extension-numbered', dialed: '5500', caller: SOFT, expected: { kind: 'ivr', number: '5500', name: 'Main menu', callerNumber: '1001' } },
  { rule: 'N-1', title: 'a group in the 1000 range', dialed: '1500', caller: SOFT, expected: { kind: 'group', number: '1500' } },
  { rule: 'N-1', title: 'calling oneself rings oneself (busy is the phone’s answer)', dialed: '1001', caller: SOFT, expected: { kind: 'extension', number: '1001' } },
  { rule: 'N-1', title: 'unknown extension in range', dialed: '4999', caller: SOFT, expected: no(404, 'DIALPLAN.UNKNOWN_NUMBER') },
  { rule: 'N-1', title: 'unknown extension at the top of the range', dialed: '6999', caller: SOFT, expected: no(404, 'DIALPLAN.UNKNOWN_NUMBER') },
  { rule: 'N-1', title: '8XXX is no extension for a softphone', dialed: '8888', caller: SOFT, expected: no(404, 'DIALPLAN.UNKNOWN_NUMBER') },

  // ---------------- N-2: external ----------------
  { rule: 'N-2', title: 'landline through the trunk of the default number', dialed: '0312345000', caller: SOFT, expected: { kind: 'external', number: '0312345000', trunkId: 'carrier-a', presentedNumber: '0312345678', callerNumber: '1001', channel: 'external' } },
  { rule: 'N-2', title: 'mobile number', dialed: '09099998888', caller: HARD, expected: { kind: 'external', number: '09099998888', presentedNumber: '0312345678' } },
  { rule: 'N-2', title: 'international via 010', dialed: '0101415555010', caller: SOFT, expected: { kind: 'external', number: '0101415555010' } },
  { rule: 'N-2', title: 'extension with its own notification number leaves by that number’s trunk (C-7)', dialed: '0312345000', caller: ext('1003'), expected: { kind: 'external', trunkId: 'carrier-b', presentedNumber: '0677778888' } },
  { rule: 'N-2', title: 'a trailing # sends at once', dialed: '0312345000#', caller: SOFT, expected: { kind: 'external', number: '0312345000' } },
  { rule: 'N-2', title: 'calling our own DID still goes out (no hairpin)', dialed: '0312345679', caller: HARD, expected: { kind: 'external', number: '0312345679' } },
  { rule: 'N-2', title: '9 digits is incomplete', dialed: '031234567', caller: SOFT, expected: no(484, 'DIALPLAN.INCOMPLETE') },
  { rule: 'N-2', title: '0 alone is incomplete', dialed: '0', caller: SOFT, expected: no(484, 'DIALPLAN.INCOMPLETE') },
  { rule: 'N-2', title: '21 digits is no number', dialed: '031234567890123456789', caller: SOFT, expected: no(404, 'DIALPLAN.UNKNOWN_NUMBER') },
  { rule: 'N-2', title: 'no trunk to leave by', dialed: '0312345000', caller: SOFT, p: noTrunksNoPark, expected: no(404, 'DIALPLAN.NO_TRUNK') },

  // ---------------- N-3: directed pickup ----------------
  { rule: 'N-3', title: 'pick up a hardphone', dialed: '91002', caller: SOFT, expected: { kind: 'pickup', extension: '1002' } },
  { rule: 'N-3', title: 'pick up a mobile', dialed: '92001', caller: SOFT, expected: { kind: 'pickup', extension: '2001' } },
  { rule: 'N-3', title: 'a group cannot be picked up', dialed: '96001', caller: SOFT, expected: no(404, 'DIALPLAN.NOT_PICKABLE') },
  { rule: 'N-3', title: 'pickup of nobody', dialed: '94999', caller: SOFT, expected: no(404, 'DIALPLAN.UNKNOWN_NUMBER') },
  { rule: 'N-3', title: '9 alone is incomplete', dialed: '9', caller: SOFT, expected: no(484, 'DIALPLAN.INCOMPLETE') },
  { rule: 'N-3', title: '9 + 3 digits is incomplete', dialed: '9100', caller: SOFT, expected: no(484, 'DIALPLAN.INCOMPLETE') },
  { rule: 'N-3', title: '9 + 5 digits is no pickup (and 91 no prefix)', dialed: '910021', caller: SOFT, expected: no(404, 'DIALPLAN.UNKNOWN_PREFIX') },

  // ---------------- N-4: park ----------------
  { rule: 'N-4', title: '#700 mid-call parks in 701..720', dialed: '700', caller: SOFT, ctx: MID_CALL, expected: { kind: 'park', firstSlot: '701', lastSlot: '720' } },
  { rule: 'N-4', title: '700 as a new call has nothing to park', dialed: '700', caller: SOFT, expected: no(404, 'DIALPLAN.PARK_NEEDS_CALL') },
  { rule: 'N-4', title: 'retrieve the first slot', dialed: '701', caller: HARD, expected: { kind: 'park-retrieve', slot: '701' } },
  { rule: 'N-4', title: 'retrieve the last slot', dialed: '720', caller: SOFT, expected: { kind: 'park-retrieve', slot: '720' } },
  { rule: 'N-4', title: 'one past the last slot', dialed: '721', caller: SOFT, expected: no(404, 'DIALPLAN.UNKNOWN_NUMBER') },
  { rule: 'N-4', title: '799 with 20 slots', dialed: '799', caller: SOFT, expected: no(404, 'DIALPLAN.UNKNOWN_NUMBER') },
  { rule: 'N-4', title: '7 alone is incomplete', dialed: '7', caller: SOFT, expected: no(484, 'DIALPLAN.INCOMPLETE') },
  { rule: 'N-4', title: '70 is incomplete', dialed: '70', caller: SOFT, expected: no(484, 'DIALPLAN.INCOMPLETE') },
  { rule: 'N-4', title: 'park with no slots configured', dialed: '700', caller: SOFT, p: noTrunksNoPark, ctx: MID_CALL, expected: no(404, 'DIALPLAN.PARK_DISABLED') },
  { rule: 'N-4', title: 'no slot exists when parkSlots is 0', dialed: '701', caller: SOFT, p: noTrunksNoPark, expected: no(404, 'DIALPLAN.UNKNOWN_NUMBER') },
  { rule: 'N-4', title: '7 + 4 digits is nothing', dialed: '7001', caller: SOFT, expected: no(404, 'DIALPLAN.UNKNOWN_NUMBER') },

  // ---------------- N-5 / F-2 / F-3: federation ----------------
  { rule: 'N-5', title: 'two-digit prefix + extension', dialed: '122099', caller: SOFT, expected: { kind: 'federation', prefix: '12', serverId: 'osaka-1', extension: '2099', presentation: '111001', channel: 'external' } },
  { rule: 'N-5', title: 'one-digit prefix + extension (F-2: prefix = all but the last 4)', dialed: '32001', caller: SOFT, expected: { kind: 'federation', prefix: '3', serverId: 'nagoya-1', extension: '2001' } },
  { rule: 'F-2', title: 'prefix 80 is a peer, not a mobile escape, for a softphone', dialed: '801001', caller: SOFT, expected: { kind: 'federation', prefix: '80', serverId: 'fukuoka-1', extension: '1001' } },
  { rule: 'N-5', title: 'own prefix + extension is local', dialed: '111002', caller: SOFT, expected: { kind: 'extension', number: '1002', presentation: '1001' } },
  { rule: 'N-5', title: 'own prefix + group is local', dialed: '116001', caller: SOFT, expected: { kind: 'group', number: '6001' } },
  { rule: 'N-5', title: 'own prefix + unknown extension', dialed: '114999', caller: SOFT, expected: no(404, 'DIALPLAN.UNKNOWN_NUMBER') },
  { rule: 'N-5', title: 'unknown two-digit prefix', dialed: '132001', caller: SOFT, expected: no(404, 'DIALPLAN.UNKNOWN_PREFIX') },
  { rule: 'N-5', title: 'unknown one-digit prefix', dialed: '52001', caller: SOFT, expected: no(404, 'DIALPLAN.UNKNOWN_PREFIX') },
  { rule: 'N-5', title: 'a prefix alone is incomplete', dialed: '12', caller: SOFT, expected: no(484, 'DIALPLAN.INCOMPLETE') },
  { rule: 'N-5', title: 'ambiguous 4 digits: a complete local number wins (en-bloc)', dialed: '1220', caller: SOFT, expected: no(404, 'DIALPLAN.UNKNOWN_NUMBER') },
  { rule: 'N-5', title: '5 digits that begin prefix 12 + extension are incomplete', dialed: '12209', caller: SOFT, expected: no(484, 'DIALPLAN.INCOMPLETE') },
  { rule: 'N-5', title: 'peer prefix + a non-extension', dialed: '120999', caller: SOFT, expected: no(404, 'DIALPLAN.UNKNOWN_NUMBER') },
  { rule: 'N-5', title: 'prefix + 5 digits is too long', dialed: '1220999', caller: SOFT, expected: no(404, 'DIALPLAN.UNKNOWN_NUMBER') },
  { rule: 'F-3', title: 'peer group, center or phone: the peer decides (F-5)', dialed: '125001', caller: HARD, expected: { kind: 'federation', extension: '5001', presentation: '111002' } },
  { rule: 'F-7', title: 'blind transfer to a peer passes the external caller through', dialed: '122099', caller: SOFT, ctx: { midCall: true, presentedCaller: CUSTOMER }, expected: { kind: 'federation', presentation: CUSTOMER } },

  // ---------------- N-6 / M-1: the mobile's 8 escape ----------------
  { rule: 'N-6', title: 'mobile 8 + extension', dialed: '81001', caller: DOCOMO, expected: { kind: 'extension', number: '1001', presentation: '2001', callerNumber: '2001' } },
  { rule: 'M-1', title: 'mobile 8 + external number (M-2 default notification number)', dialed: '80312345000', caller: DOCOMO, expected: { kind: 'external', number: '0312345000', presentedNumber: '0312345678', callerNumber: '2001' } },
  { rule: 'M-9', title: 'mobile 8 + slot retrieves a parked call', dialed: '8701', caller: DOCOMO, expected: { kind: 'park-retrieve', slot: '701' } },
  { rule: 'M-10', title: 'mobile 8 + 9 + extension picks up', dialed: '891002', caller: DOCOMO, expected: { kind: 'pickup', extension: '1002' } },
  { rule: 'M-1', title: 'mobile 8 + peer prefix + extension (D-2 with our prefix)', dialed: '8122099', caller: DOCOMO, expected: { kind: 'federation', prefix: '12', extension: '2099', presentation: '112001' } },
  { rule: 'M-1', title: 'mobile 8 + 80 + extension reaches peer 80', dialed: '8801001', caller: DOCOMO, expected: { kind: 'federation', prefix: '80', extension: '1001' } },
  { rule: 'N-6', title: 'mobile without the 8 escape', dialed: '1001', caller: DOCOMO, expected: no(404, 'DIALPLAN.MOBILE_ESCAPE_MISSING') },
  { rule: 'N-6', title: 'mobile 8 alone is incomplete', dialed: '8', caller: DOCOMO, expected: no(484, 'DIALPLAN.INCOMPLETE') },
  { rule: 'N-6', title: 'mobile 8 + 8 is the beginning of peer 80', dialed: '88', caller: DOCOMO, expected: no(484, 'DIALPLAN.INCOMPLETE') },
  { rule: 'M-6', title: 'mid-call transfer digits from a mobile carry no 8', dialed: '1002', caller: DOCOMO, ctx: MID_CALL, expected: { kind: 'extension', number: '1002' } },
  { rule: 'M-9', title: 'mobile #700 mid-call parks', dialed: '700', caller: DOCOMO, ctx: MID_CALL, expected: { kind: 'park' } },
  { rule: 'M-7', title: 'mobile # transfer passes the original caller through', dialed: '1002#', caller: DOCOMO, ctx: { midCall: true, presentedCaller: CUSTOMER }, expected: { kind: 'extension', number: '1002', presentation: CUSTOMER } },

  // ---------------- M-13: au restrictions ----------------
  { rule: 'M-13', title: 'au mobile cannot call a 1000-range phone', dialed: '81001', caller: AU, expected: no(403, 'DIALPLAN.AU_BARRED') },
  { rule: 'M-13', title: 'au mobile cannot call a 1000-range group', dialed: '81500', caller: AU, expected: no(403, 'DIALPLAN.AU_BARRED') },
  { rule: 'M-13', title: 'au mobile cannot reach 1000 range by own prefix either', dialed: '8111001', caller: AU, expected: no(403, 'DIALPLAN.AU_BARRED') },
  { rule: 'M-13', title: 'au mobile cannot call a peer’s 1000 range', dialed: '8121001', caller: AU, expected: no(403, 'DIALPLAN.AU_BARRED') },
  { rule: 'M-13', title: 'au mobile calls 4001', dialed: '84001', caller: AU, expected: { kind: 'extension', number: '4001', presentation: '2002' } },
  { rule: 'M-13', title: 'au mobile calls a group outside the 1000 range', dialed: '86001', caller: AU, expected: { kind: 'group', number: '6001' } },
  { rule: 'M-13', title: 'au mobile may pick up a 1000-range phone (no call to it)', dialed: '891001', caller: AU, expected: { kind: 'pickup', extension: '1001' } },
  { rule: 'M-13', title: 'au mobile may transfer to 1000 range mid-call (DTMF, not carrier)', dialed: '1001', caller: AU, ctx: MID_CALL, expected: { kind: 'extension', number: '1001' } },
  { rule: 'M-13', title: 'au mobile calls out', dialed: '80312345000', caller: AU, expected: { kind: 'external', number: '0312345000' } },

  // ---------------- D-1 / D-2: internal and federated presentation ----------------
  { rule: 'D-1', title: 'mobile caller is presented by its extension to a softphone', dialed: '84001', caller: DOCOMO, expected: { kind: 'extension', presentation: '2001' } },
  { rule: 'D-2', title: 'peer caller rings a softphone as <prefix><ext>', dialed: '1001', caller: OSAKA, expected: { kind: 'extension', number: '1001', presentation: '122099', callerNumber: '122099' } },
  { rule: 'D-2', title: 'peer dials our prefix + extension', dialed: '111001', caller: OSAKA, expected: { kind: 'extension', number: '1001', presentation: '122099' } },
  { rule: 'D-2', title: 'peer caller to a docomo mobile: 8 + prefix + ext (D-3)', dialed: '2001', caller: OSAKA, expected: { kind: 'extension', number: '2001', presentation: '8122099', channel: 'mobile' } },
  { rule: 'D-4', title: 'peer 1000-range caller to au: the presented 121001 is not 1000 range', dialed: '2002', caller: peer('12', '1001'), expected: { kind: 'extension', presentation: '8121001' } },
  { rule: 'F-5', title: 'peer calls our call center', dialed: '5001', caller: OSAKA, expected: { kind: 'call-center', number: '5001', presentation: { phone: '122099', mobile: '85001', auMobile: '85001', external: '0312345678' } } },
  { rule: 'F-7', title: 'peer blind-transfers an external caller to us', dialed: '1001', caller: OSAKA, ctx: { presentedCaller: '0312349999' }, expected: { kind: 'extension', presentation: '0312349999', callerNumber: '0312349999' } },
  { rule: 'F-3', title: 'peer cannot dial out through us', dialed: '0312345000', caller: OSAKA, expected: no(403, 'DIALPLAN.CALLER_NOT_ALLOWED') },
  { rule: 'F-3', title: 'peer cannot pick up here', dialed: '91001', caller: OSAKA, expected: no(403, 'DIALPLAN.CALLER_NOT_ALLOWED') },
  { rule: 'F-3', title: 'peer cannot transit to a third server', dialed: '32001', caller: OSAKA, expected: no(403, 'DIALPLAN.CALLER_NOT_ALLOWED') },
  { rule: 'F-3', title: 'peer dials an unknown extension', dialed: '4999', caller: OSAKA, expected: no(404, 'DIALPLAN.UNKNOWN_NUMBER') },
  { rule: 'F-2', title: 'a peer prefix we do not link with', dialed: '1001', caller: peer('13', '2099'), expected: no(403, 'DIALPLAN.UNKNOWN_CALLER') },
  { rule: 'F-2', title: 'a peer caller that is no extension', dialed: '1001', caller: peer('12', '99'), expected: no(403, 'DIALPLAN.UNKNOWN_CALLER') },

  // ---------------- D-3: mobiles see 8 + … ----------------
  { rule: 'D-3', title: 'softphone to docomo mobile: 8 + caller', dialed: '2001', caller: ext('4001'), expected: { kind: 'extension', number: '2001', endpointKind: 'mobile', carrier: 'docomo', presentation: '84001', channel: 'mobile' } },
  { rule: 'D-3', title: 'softbank mobile sees 8 + 1000-range caller (D-4 is au only)', dialed: '2003', caller: SOFT, expected: { kind: 'extension', carrier: 'softbank', presentation: '81001' } },
  {
    rule: 'D-3',
    title: 'group call: phones see the caller, mobiles 8 + group',
    dialed: '6001',
    caller: ext('4001'),
    expected: {
      kind: 'group',
      members: [
        { number: '1001', endpointKind: 'softphone', presentation: '4001', channel: 'none' },
        { number: '1002', endpointKind: 'hardphone', presentation: '4001', channel: 'none' },
        { number: '2001', endpointKind: 'mobile', carrier: 'docomo', presentation: '86001', channel: 'mobile' },
        { number: '2002', endpointKind: 'mobile', carrier: 'au', presentation: '86001', channel: 'mobile' },
      ],
    },
  },
  { rule: 'M-4', title: 'group call with mobileShowCallerNumber: mobiles see 8 + caller', dialed: '6001', caller: ext('4001'), p: showCaller, expected: { kind: 'group', members: [{ presentation: '4001' }, { presentation: '4001' }, { presentation: '84001' }, { presentation: '84001' }] } },
  { rule: 'D-3', title: 'center call: mobile agents see 8 + center', dialed: '5001', caller: SOFT, expected: { kind: 'call-center', presentation: { phone: '1001', mobile: '85001', auMobile: '85001', external: '0312345678' } } },
  { rule: 'M-4', title: 'center call with mobileShowCallerNumber', dialed: '5001', caller: ext('4001'), p: showCaller, expected: { kind: 'call-center', presentation: { phone: '4001', mobile: '84001', auMobile: '84001' } } },
  { rule: 'D-3', title: 'DID to a mobile: 8 + external caller', dialed: '0312345681', caller: trunk(CUSTOMER), expected: { kind: 'extension', number: '2001', presentation: '809011112222', did: '0312345681', callerNumber: CUSTOMER } },
  { rule: 'D-3', title: 'DID to a group: mobiles see 8 + group', dialed: '0501234567', caller: trunk(CUSTOMER), expected: { kind: 'group', number: '6001', did: '0501234567', members: [{ presentation: CUSTOMER }, { presentation: CUSTOMER }, { presentation: '86001' }, { presentation: '86001' }] } },
  { rule: 'D-3', title: 'blind transfer of an external caller to a mobile', dialed: '2001', caller: SOFT, ctx: { midCall: true, presentedCaller: CUSTOMER }, expected: { kind: 'extension', presentation: '809011112222' } },

  // ---------------- D-4: au shows 99999999 ----------------
  { rule: 'D-4', title: '1000-range caller to an au mobile', dialed: '2002', caller: SOFT, expected: { kind: 'extension', number: '2002', carrier: 'au', presentation: '99999999' } },
  { rule: 'D-4', title: 'group call from 1001: the au member sees 8 + group, not 99999999', dialed: '6001', caller: SOFT, expected: { kind: 'group', members: [{}, {}, { presentation: '86001' }, { carrier: 'au', presentation: '86001' }] } },
  { rule: 'D-4', title: '4001 to an au mobile is shown', dialed: '2002', caller: ext('4001'), expected: { kind: 'extension', presentation: '84001' } },
  { rule: 'D-4', title: 'group with mobileShowCallerNumber, 1000-range caller: au member masked', dialed: '6001', caller: SOFT, p: showCaller, expected: { kind: 'group', members: [{ presentation: '1001' }, { presentation: '1001' }, { presentation: '81001' }, { presentation: '99999999' }] } },
  { rule: 'D-4', title: 'center with mobileShowCallerNumber, 1000-range caller', dialed: '5001', caller: HARD, p: showCaller, expected: { kind: 'call-center', presentation: { mobile: '81002', auMobile: '99999999' } } },
  { rule: 'D-4', title: '11-digit caller to au is shown', dialed: '0312345680', caller: trunk(CUSTOMER), expected: { kind: 'extension', number: '2002', presentation: '809011112222' } },
  { rule: 'D-4', title: '12-digit caller to au', dialed: '0312345680', caller: trunk('010123456789'), expected: { kind: 'extension', presentation: '99999999' } },
  { rule: 'D-4', title: 'E.164 foreign caller becomes 010… (14 digits) and is masked', dialed: '0312345680', caller: trunk('+14155550100'), expected: { kind: 'extension', presentation: '99999999', callerNumber: '01014155550100' } },
  { rule: 'D-4', title: 'E.164 Japanese caller becomes national', dialed: '0312345680', caller: trunk('+819011112222'), expected: { kind: 'extension', presentation: '809011112222', callerNumber: CUSTOMER } },
  { rule: 'D-4', title: 'withheld caller stays anonymous on au', dialed: '0312345680', caller: trunk(), expected: { kind: 'extension', presentation: 'anonymous', callerNumber: 'anonymous' } },

  // ---------------- D-5: agents on external numbers ----------------
  { rule: 'D-5', title: 'DID to a center: external agents see that DID, phones the customer', dialed: '0312345678', caller: trunk(CUSTOMER), expected: { kind: 'call-center', number: '5001', did: '0312345678', presentation: { phone: CUSTOMER, mobile: '85001', auMobile: '85001', external: '0312345678' } } },
  { rule: 'D-5', title: 'a center’s own notificationNumber', dialed: '5002', caller: SOFT, expected: { kind: 'call-center', presentation: { external: '0312345682' } } },
  { rule: 'D-5', title: 'a center without a number falls back to the default number', dialed: '5003', caller: SOFT, expected: { kind: 'call-center', presentation: { external: '0312345678' } } },

  // ---------------- DIDs (inbound from a trunk) ----------------
  { rule: 'N-2', title: 'DID to a softphone', dialed: '0312345679', caller: trunk(CUSTOMER), expected: { kind: 'extension', number: '1001', presentation: CUSTOMER, did: '0312345679', channel: 'none' } },
  { rule: 'N-2', title: 'DID delivered in E.164', dialed: '+81312345679', caller: trunk(CUSTOMER), expected: { kind: 'extension', number: '1001', did: '0312345679' } },
  { rule: 'N-2', title: 'DID to an IVR on the second trunk', dialed: '0677778888', caller: trunk(CUSTOMER, 'carrier-b'), expected: { kind: 'ivr', number: '5500', did: '0677778888' } },
  { rule: 'N-7', title: 'a number that is not a DID', dialed: '0399999999', caller: trunk(CUSTOMER), expected: no(404, 'DIALPLAN.UNKNOWN_DID') },
  { rule: 'N-7', title: 'a DID of another trunk', dialed: '0677778888', caller: trunk(CUSTOMER), expected: no(404, 'DIALPLAN.UNKNOWN_DID') },
  { rule: 'N-7', title: 'a trunk we do not have', dialed: '0312345679', caller: trunk(CUSTOMER, 'carrier-x'), expected: no(403, 'DIALPLAN.UNKNOWN_CALLER') },
  { rule: 'N-7', title: 'a garbage caller number becomes anonymous', dialed: '0312345679', caller: trunk('090 1111 2222'), expected: { kind: 'extension', presentation: 'anonymous' } },
  { rule: 'N-7', title: 'a DID with letters', dialed: 'abc', caller: trunk(CUSTOMER), expected: no(400, 'DIALPLAN.INVALID_CHARACTERS') },
  { rule: 'N-7', title: 'a trunk call without a called number', dialed: '', caller: trunk(CUSTOMER), expected: no(484, 'DIALPLAN.INCOMPLETE') },

  // ---------------- N-7: incomplete, unknown, invalid ----------------
  { rule: 'N-7', title: 'empty string', dialed: '', caller: SOFT, expected: no(484, 'DIALPLAN.INCOMPLETE') },
  { rule: 'N-7', title: '1 digit', dialed: '5', caller: SOFT, expected: no(484, 'DIALPLAN.INCOMPLETE') },
  { rule: 'N-7', title: '3 digits', dialed: '100', caller: SOFT, expected: no(484, 'DIALPLAN.INCOMPLETE') },
  { rule: 'N-7', title: '8 is the beginning of peer 80', dialed: '8', caller: SOFT, expected: no(484, 'DIALPLAN.INCOMPLETE') },
  { rule: 'N-7', title: '8010 is the beginning of 80 + 10XX', dialed: '8010', caller: SOFT, expected: no(484, 'DIALPLAN.INCOMPLETE') },
  { rule: 'N-7', title: 'letters', dialed: 'abc', caller: SOFT, expected: no(400, 'DIALPLAN.INVALID_CHARACTERS') },
  { rule: 'N-7', title: 'leading space', dialed: ' 1001', caller: SOFT, expected: no(400, 'DIALPLAN.INVALID_CHARACTERS') },
  { rule: 'N-7', title: 'trailing newline', dialed: '1001\n', caller: SOFT, expected: no(400, 'DIALPLAN.INVALID_CHARACTERS') },
  { rule: 'N-7', title: 'full-width digits', dialed: '１００１', caller: SOFT, expected: no(400, 'DIALPLAN.INVALID_CHARACTERS') },
  { rule: 'N-7', title: 'dashes', dialed: '03-1234-5000', caller: SOFT, expected: no(400, 'DIALPLAN.INVALID_CHARACTERS') },
  { rule: 'N-7', title: 'E.164 from a phone', dialed: '+81312345000', caller: SOFT, expected: no(400, 'DIALPLAN.INVALID_CHARACTERS') },
  { rule: 'N-7', title: 'a SIP URI instead of a user part', dialed: 'sip:1001@tokyo-1.pbx.test', caller: SOFT, expected: no(400, 'DIALPLAN.INVALID_CHARACTERS') },
  { rule: 'N-7', title: 'an emoji', dialed: '10📞01', caller: SOFT, expected: no(400, 'DIALPLAN.INVALID_CHARACTERS') },
  { rule: 'N-7', title: 'a NUL byte', dialed: '10\u000001', caller: SOFT, expected: no(400, 'DIALPLAN.INVALID_CHARACTERS') },
  { rule: 'N-7', title: 'a lone surrogate', dialed: '1001\uD800', caller: SOFT, expected: no(400, 'DIALPLAN.INVALID_CHARACTERS') },
  { rule: 'N-7', title: '* alone', dialed: '*', caller: SOFT, expected: no(404, 'DIALPLAN.UNKNOWN_NUMBER') },
  { rule: 'N-7', title: '# alone dials nothing', dialed: '#', caller: SOFT, expected: no(484, 'DIALPLAN.INCOMPLETE') },
  { rule: 'N-7', title: 'a star code', dialed: '*1001', caller: SOFT, expected: no(404, 'DIALPLAN.UNKNOWN_NUMBER') },
  { rule: 'N-7', title: 'a star in the middle', dialed: '10*01', caller: SOFT, expected: no(404, 'DIALPLAN.UNKNOWN_NUMBER') },
  { rule: 'N-7', title: 'two trailing #', dialed: '1001##', caller: SOFT, expected: no(404, 'DIALPLAN.UNKNOWN_NUMBER') },
  { rule: 'N-7', title: '#700 with its # is a mid-call code, not a dial string', dialed: '#700', caller: SOFT, ctx: MID_CALL, expected: no(404, 'DIALPLAN.UNKNOWN_NUMBER') },
  { rule: 'N-7', title: 'a trailing # on an extension', dialed: '1002#', caller: SOFT, expected: { kind: 'extension', number: '1002' } },
  { rule: 'N-7', title: '32 digits is the longest looked at', dialed: '1'.repeat(32), caller: SOFT, expected: no(404, 'DIALPLAN.UNKNOWN_NUMBER') },
  { rule: 'N-7', title: '33 characters is too long', dialed: '0'.repeat(33), caller: SOFT, expected: no(400, 'DIALPLAN.TOO_LONG') },
  { rule: 'N-7', title: 'a megabyte is too long', dialed: 'x'.repeat(1 << 20), caller: SOFT, expected: no(400, 'DIALPLAN.TOO_LONG') },
  { rule: 'N-7', title: 'a caller that is not provisioned', dialed: '1002', caller: ext('1999'), expected: no(403, 'DIALPLAN.UNKNOWN_CALLER') },
  { rule: 'N-7', title: 'a group cannot be a caller', dialed: '1002', caller: ext('6001'), expected: no(403, 'DIALPLAN.UNKNOWN_CALLER') },
];

describe('decideRoute (SPEC N-8: a table of dial string × caller × provisioning)', () => {
  it.each(rows.map((r) => [`SPEC ${r.rule}: ${r.title} — ${JSON.stringify(r.dialed.length > 40 ? r.dialed.slice(0, 12) + '…' : r.dialed)}`, r] as const))('%s', (_name, r) => {
    const decision = decideRoute(r.dialed, r.caller, r.p ?? base, r.ctx);
    expect(decision).toMatchObject(r.expected);
  });

  it('covers every rule id of SPEC §1 and §2', () => {
    const covered = new Set(rows.map((r) => r.rule));
    for (const id of ['N-1', 'N-2', 'N-3', 'N-4', 'N-5', 'N-6', 'N-7', 'D-1', 'D-2', 'D-3', 'D-4', 'D-5']) expect(covered).toContain(id);
    expect(rows.length).toBeGreaterThanOrEqual(80);
  });
});

describe('decideRoute is pure and total (SPEC N-8, N-7)', () => {
  it('gives equal answers to equal questions and never mutates the provisioning', () => {
    const frozen = deepFreeze(loadDialplanFixture());
    const snapshot = JSON.stringify(frozen);
    for (const r of rows) {
      const p = r.p === undefined ? frozen : r.p;
      expect(decideRoute(r.dialed, r.caller, p, r.ctx)).toEqual(decideRoute(r.dialed, r.caller, p, r.ctx));
    }
    expect(JSON.stringify(frozen)).toBe(snapshot);
  });

  it('answers from the provisioning it is given, not from an earlier one', () => {
    expect(decideRoute('6001', SOFT, base)).toMatchObject({ members: [{}, {}, { presentation: '86001' }, {}] });
    expect(decideRoute('6001', SOFT, showCaller)).toMatchObject({ members: [{}, {}, { presentation: '81001' }, {}] });
  });

  it('never throws, for any string from any caller (seeded fuzz)', () => {
    const alphabet = '0123456789*#+ abc\u0000\uFF11\uD83D\uDCDE-';
    const callers = [SOFT, HARD, DOCOMO, AU, OSAKA, trunk(CUSTOMER), trunk('+1'), peer('', ''), ext('')];
    const starts = ['', '0', '031234', '7', '70', '8', '80', '9', '1', '100', '11', '12', '3', '500', '600'];
    let seed = 42; // mulberry32: reproducible, and its low bits are not periodic like a plain LCG's
    const rand = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return (((t ^ (t >>> 14)) >>> 0) % n);
    };
    const kinds = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const anyChar = rand(4) === 0;
      let s = anyChar ? '' : starts[rand(starts.length)];
      const len = anyChar ? rand(40) : rand(12);
      for (let j = 0; j < len; j++) s += anyChar ? alphabet[rand(alphabet.length)] : String(rand(10));
      const d = decideRoute(s, callers[rand(callers.length)], base, rand(3) === 0 ? MID_CALL : undefined);
      kinds.add(d.kind === 'rejected' ? `${d.status}` : d.kind);
    }
    expect([...kinds]).toEqual(expect.arrayContaining(['400', '403', '404', '484', 'extension', 'external']));
  });

  it('rejects callers and dial strings of the wrong type without throwing (JS callers)', () => {
    expect(decideRoute(undefined as unknown as string, SOFT, base)).toMatchObject(no(400, 'DIALPLAN.INVALID_CHARACTERS'));
    expect(decideRoute('1001', { kind: 'fax' } as unknown as CallerEndpoint, base)).toMatchObject(no(403, 'DIALPLAN.UNKNOWN_CALLER'));
    expect(decideRoute('1001', null as unknown as CallerEndpoint, base)).toMatchObject(no(403, 'DIALPLAN.UNKNOWN_CALLER'));
    expect(decideRoute('1001', HARD, base, null as unknown as DialContext)).toMatchObject({ kind: 'extension', number: '1001' });
    expect(decideRoute('1001', { kind: 'extension', extension: 1002 } as unknown as CallerEndpoint, base)).toMatchObject(no(403, 'DIALPLAN.UNKNOWN_CALLER'));
    expect(decideRoute('0312345679', { kind: 'trunk', trunkId: 'carrier-a', callerNumber: 42 } as unknown as CallerEndpoint, base)).toMatchObject({ kind: 'extension', presentation: 'anonymous' });
  });
});

function deepFreeze<T>(o: T): T {
  if (o !== null && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
