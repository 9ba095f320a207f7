/**
 * The inter-patient split of de Chazal, O'Dwyer and Reilly (IEEE TBME 51(7), 2004), fixed by
 * record number. Beats are never split at random: a random beat split puts beats of one patient
 * in both sets and reports accuracy that does not survive a new patient.
 * The four paced records are excluded, as the protocol does.
 */
import { WavegateError } from '../errors.js';

/** Training records (22). */
export const DS1: readonly string[] = [
  '101', '106', '108', '109', '112', '114', '115', '116', '118', '119', '122',
  '124', '201', '203', '205', '207', '208', '209', '215', '220', '223', '230',
];

/** Test records of the full protocol (22). */
export const DS2: readonly string[] = [
  '100', '103', '105', '111', '113', '117', '121', '123', '200', '202', '210',
  '212', '213', '214', '219', '221', '222', '228', '231', '232', '233', '234',
];

/** The 10 DS2 records staged in ../shared/data/mitdb; the other 12 are held back on purpose. */
export const DS2_STAGED: readonly string[] = ['100', '200', '210', '213', '214', '221', '222', '232', '233', '234'];

/** Paced records, excluded from both sets. */
export const PACED: readonly string[] = ['102', '104', '107', '217'];

export const MITDB_SPLITS = { DS1, DS2, DS2_STAGED } as const;
export type MitdbSplitName = keyof typeof MITDB_SPLITS;

/**
 * Records of a split by name: `DS1`, `DS2` (all 22), `DS2_STAGED` (or `DS2-staged`), or an
 * explicit comma-separated list of record numbers (paced records refused).
 */
export function mitdbSplitRecords(name: string): readonly string[] {
  const key = name.toUpperCase().replace('-', '_');
  if (key in MITDB_SPLITS) return MITDB_SPLITS[key as MitdbSplitName];
  const list = name.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (list.length > 0 && list.every((r) => /^\d{3}$/.test(r))) {
    const paced = list.filter((r) => PACED.includes(r));
    if (paced.length > 0) throw new WavegateError('E_ARGUMENT', `split ${name}: paced records ${paced.join(', ')} are excluded by the protocol`);
    return list;
  }
  throw new WavegateError('E_ARGUMENT', `unknown MIT-BIH split ${JSON.stringify(name)} (expected DS1, DS2, DS2_STAGED or a list like 100,101)`);
}
