import { Provider } from '@nestjs/common';
import { readProvisioningFile } from '@pbx/service-kit';

/** A getter, so a newly applied provisioning (provisioning issue) replaces it without restart. */
export const CURRENT_PROVISIONING = Symbol('CURRENT_PROVISIONING');

export function provisioningProvider(file: string): Provider {
  const current = readProvisioningFile(file);
  return { provide: CURRENT_PROVISIONING, useValue: () => current };
}
