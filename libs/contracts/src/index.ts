export * from './subjects';
export * from './errors';
export * from './health';
export * from './dialplan.v1';
export * from './channel-quota.v1';
export * from './async-search.v1';
export * from './history.v1';
export * from './sip-edge.v1';
