/** Stops what global-setup started and removes its temp folder. */
export default async function globalTeardown(): Promise<void> {
  await globalThis.__pbxTestInfra?.stop();
  globalThis.__pbxTestInfra = undefined;
}
