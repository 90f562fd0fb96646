/** Helpers shared by the suites that drive the embedded stack. */
import { stringify as stringifyYaml } from 'yaml';
import { helsinkiDate } from '../../functions/domain/time.ts';
import type { Round } from '../../functions/domain/types.ts';
import { shiftRoundDatesToToday } from '../../local/client.ts';

/** A round as the round file a person writes, its dates moved to start today. */
export function roundFile(round: Round): string {
  const { groups, ...rest } = shiftRoundDatesToToday(round, helsinkiDate(new Date()));
  return stringifyYaml({
    ...rest,
    groups: groups.map(({ municipalityIds, ...g }) => ({ ...g, municipalities: municipalityIds })),
  });
}

/** Polls `probe` every 100 ms until it returns a value, or fails naming `what`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Timed out waiting for ${what}`);
}
