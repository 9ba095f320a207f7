/** The level-detector model (tools/synth/level-model.ts, shared with the chaos run): tests know exactly which windows alert. */
export { levelModel, writeLevelModel, type LevelModelSpec } from '../../tools/synth/level-model.js';
