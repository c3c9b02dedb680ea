// @pbx/domain-dialplan — the pure route decider (SPEC §1 numbering plan, §2 presentation).
export { decideRoute } from './dialplan.decider';
export { presentTo, presentToMobile, normalizeCallerNumber } from './presentation';
export { ANONYMOUS, AU_MASKED_NUMBER, MAX_DIAL_LENGTH, DIALPLAN_REJECTIONS } from './dialplan.types';
export type {
  CallerEndpoint,
  DialContext,
  ChannelUse,
  CallCenterPresentation,
  RingTarget,
  ExtensionRoute,
  GroupRoute,
  CallCenterRoute,
  IvrRoute,
  ExternalRoute,
  PickupRoute,
  ParkRoute,
  ParkRetrieveRoute,
  FederationRoute,
  Rejected,
  RejectStatus,
  DialplanRejectCode,
  RouteDecision,
  RouteKind,
} from './dialplan.types';
