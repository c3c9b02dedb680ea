import { Decider, foldEvents } from './decider';

/**
 * Given/When/Then for deciders (STYLE.md "Tests"): given past events, when a command,
 * then the new events — or the error the decider says no with.
 *
 *   spec(decider).given([...]).when(cmd).then([...])
 *   spec(decider).given([...]).when(cmd).thenThrows('QUOTA.EXCEEDED')
 *   spec(decider).given([...]).when(cmd).thenNothing()
 */
export function spec<C, E, S>(decider: Decider<C, E, S>) {
  return {
    given(past: readonly E[]) {
      return {
        when(command: C) {
          const run = () => decider.decide(command, foldEvents(decider, past));
          return {
            then(expected: readonly E[]): void {
              const actual = run();
              if (JSON.stringify(actual) !== JSON.stringify(expected)) {
                throw new Error(`expected events\n${JSON.stringify(expected, null, 2)}\nbut got\n${JSON.stringify(actual, null, 2)}`);
              }
            },
            thenNothing(): void {
              const actual = run();
              if (actual.length !== 0) throw new Error(`expected no events but got ${JSON.stringify(actual)}`);
            },
            thenThrows(code: string): void {
              let thrown: unknown;
              try {
                run();
              } catch (e) {
                thrown = e;
              }
              const got = (thrown as { code?: string } | undefined)?.code;
              if (got !== code) throw new Error(`expected DomainError ${code} but got ${thrown === undefined ? 'no error' : String(got ?? thrown)}`);
            },
          };
        },
      };
    },
  };
}
