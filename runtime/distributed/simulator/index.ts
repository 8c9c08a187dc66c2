// A discrete-event simulator of synchronous SGD (with backup workers) and asynchronous
// SGD with a parameter server, for predicting step time, throughput and staleness on
// more workers than this machine has.
export type { ClusterModel, ComputeModel, ComputeNoise, ServerModel, Straggler, TransportModel } from './model.ts';
export { FREE_TRANSPORT } from './model.ts';
export { calibrateCompute, computeMs, sampleNoise, stallMs, type MeasuredStep } from './computeTime.ts';
export { simulateSync, type SyncPrediction, type SyncSimulation } from './simulateSync.ts';
export { simulateAsync, type AsyncPrediction, type AsyncSimulation } from './simulateAsync.ts';
export type { Spread } from './summary.ts';
