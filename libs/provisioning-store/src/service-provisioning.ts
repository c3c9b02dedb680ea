import type { Logger } from 'pino';
import { Gauge, Registry } from 'prom-client';
import { readProvisioningFile } from '@pbx/service-kit';
import { LiveProvisioning, LiveProvisioningOptions, startLiveProvisioning } from './live-provisioning';

export interface ServiceProvisioningOptions<T> extends Pick<LiveProvisioningOptions<T>, 'databaseUrl' | 'nats' | 'project' | 'onChange'> {
  /** The service's PROVISIONING_FILE: read and validated here, so a bad file stops the boot (SPEC B-3). */
  readonly file: string;
  /** Where the follower's errors go (an unreadable apply, a failed reload: the document in force stays). */
  readonly log: Logger;
  /** The gauge of the stored version in force (0 while on the file), read at each scrape. */
  readonly versionGauge: { readonly registry: Registry; readonly name: string; readonly help: string };
}

/**
 * startLiveProvisioning as a service wires it (issue #4): the PROVISIONING_FILE read at boot,
 * errors logged, and a `pbx_<service>_provisioning_version` gauge of the version in force.
 */
export async function startServiceProvisioning<T>(o: ServiceProvisioningOptions<T>): Promise<LiveProvisioning<T>> {
  const { file, log, versionGauge, ...follow } = o;
  const live = await startLiveProvisioning({ ...follow, fileDocument: readProvisioningFile(file), onError: (err, what) => log.error({ err }, what) });
  new Gauge({
    name: versionGauge.name,
    help: versionGauge.help,
    registers: [versionGauge.registry],
    collect() {
      this.set(live.version ?? 0);
    },
  });
  return live;
}
