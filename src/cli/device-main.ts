/** Entry of the device bundle: only device commands, never tools/. */
import { buildDeviceProgram } from './program.js';

await buildDeviceProgram().parseAsync(process.argv);
