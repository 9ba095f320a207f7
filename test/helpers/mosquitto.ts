/**
 * The mosquitto the integration tests start (tools/sim/mosquitto.ts, shared with the MQTT load
 * benchmark). Suites gate on test/helpers/needs.ts's MOSQUITTO and MOSQUITTO_CLIENTS.
 */
export { MOSQUITTO_PUB, MOSQUITTO_SUB, startMosquitto, type Mosquitto } from '../../tools/sim/mosquitto.js';
