/**
 * MIT-BIH beat symbols to the ANSI/AAMI EC57 classes used for inter-patient evaluation.
 *
 *   N (normal and bundle-branch):      N L R e j
 *   S (supraventricular ectopic):      A a J S
 *   V (ventricular ectopic):           V E
 *   F (fusion of ventricular+normal):  F
 *   Q (paced, fusion of paced, unclassifiable): / f Q
 * Every other symbol (rhythm `+`, noise `~`, artefact `|`, flutter waves `!`, non-conducted P `x`,
 * comments) is not a beat and is left out of datasets and scores, as EC57 does.
 */
export const AAMI_CLASSES = ['N', 'S', 'V', 'F', 'Q'] as const;
export type AamiClass = (typeof AAMI_CLASSES)[number];

export const AAMI_SYMBOLS: Readonly<Record<AamiClass, readonly string[]>> = {
  N: ['N', 'L', 'R', 'e', 'j'],
  S: ['A', 'a', 'J', 'S'],
  V: ['V', 'E'],
  F: ['F'],
  Q: ['/', 'f', 'Q'],
};

const SYMBOL_TO_CLASS: ReadonlyMap<string, AamiClass> = new Map(
  AAMI_CLASSES.flatMap((c) => AAMI_SYMBOLS[c].map((s) => [s, c] as const)),
);

/** AAMI class of a MIT-BIH annotation symbol, or undefined when it is not a scored beat. */
export function aamiClassOf(symbol: string): AamiClass | undefined {
  return SYMBOL_TO_CLASS.get(symbol);
}

/** Class index in AAMI_CLASSES order (N=0 S=1 V=2 F=3 Q=4), or -1 when not a beat. */
export function aamiIndexOf(symbol: string): number {
  const c = SYMBOL_TO_CLASS.get(symbol);
  return c === undefined ? -1 : AAMI_CLASSES.indexOf(c);
}

/** Counts beats per AAMI class of a list of annotation symbols. */
export function countAami(symbols: Iterable<string>): Record<AamiClass, number> {
  const counts: Record<AamiClass, number> = { N: 0, S: 0, V: 0, F: 0, Q: 0 };
  for (const s of symbols) {
    const c = SYMBOL_TO_CLASS.get(s);
    if (c) counts[c]++;
  }
  return counts;
}
