/**
 * The mosquitto the integration tests start (tools/sim/mosquitto.ts, shared with the MQTT load
 * benchmark). Suites skip with a message where mosquitto is not installed, unless CI sets
 * WAVEGATE_REQUIRE_MOSQUITTO=1, which makes a missing install a failure.
 */
import { mosquittoInstalled } from '../../tools/sim/mosquitto.js';

export { MOSQUITTO_PUB, MOSQUITTO_SUB, mosquittoInstalled, startMosquitto, type Mosquitto } from '../../tools/sim/mosquitto.js';

if (!mosquittoInstalled) {
  if (process.env.WAVEGATE_REQUIRE_MOSQUITTO === '1') throw new Error('WAVEGATE_REQUIRE_MOSQUITTO=1 but mosquitto or mosquitto-clients is not installed (apt-get install mosquitto mosquitto-clients)');
  console.warn('skipping mosquitto integration tests: mosquitto and mosquitto-clients are not installed (apt-get install mosquitto mosquitto-clients)');
}
