// The runtime's public entry: optimizers, averaging, learning-rate schedules, gradient
// clipping, and the multi-evaluation minimizers with their line searches. Everything is
// listed here explicitly; nothing registers itself.

// Optimizers (torch.optim) and the contract they share.
export {
  FlatOptimizer,
  type HyperValue,
  type Optimizer,
  type OptimizerStateDict,
  type StateValue,
} from './optim/optimizer.ts';
export { buffer, count, scalar, type HyperKind, type OptimizerSpec, type StateField } from './optim/optimizerSpec.ts';
export type { ParamGroup } from './optim/paramGroup.ts';
export { SGD, type SGDOptions } from './optim/sgd.ts';
export { Adagrad, type AdagradOptions } from './optim/adagrad.ts';
export { Adadelta, type AdadeltaOptions } from './optim/adadelta.ts';
export { RMSprop, type RMSpropOptions } from './optim/rmsprop.ts';
export { Adam, type AdamOptions } from './optim/adam.ts';
export { AdamW, type AdamWOptions } from './optim/adamw.ts';
export { ASGD, type ASGDOptions } from './optim/asgd.ts';

// Averaging of iterates around any optimizer.
export { PolyakAveraging, type AveragingOptions } from './optim/polyak.ts';

// Learning-rate schedules (torch.optim.lr_scheduler), each with its closed form.
export { LRScheduler, type LrTarget, type SchedulerStateDict } from './schedule/scheduler.ts';
export { StepLR, stepLRAt, type StepLROptions } from './schedule/stepLR.ts';
export { MultiStepLR, multiStepLRAt, type MultiStepLROptions } from './schedule/multiStepLR.ts';
export { ExponentialLR, exponentialLRAt, type ExponentialLROptions } from './schedule/exponentialLR.ts';
export {
  CosineAnnealingLR,
  cosineAnnealingLRAt,
  type CosineAnnealingLROptions,
} from './schedule/cosineAnnealingLR.ts';
export {
  CosineAnnealingWarmRestarts,
  cosineAnnealingWarmRestartsAt,
  warmRestartCycle,
  type CosineAnnealingWarmRestartsOptions,
} from './schedule/cosineAnnealingWarmRestarts.ts';
export { LinearLR, linearLRAt, type LinearLROptions } from './schedule/linearLR.ts';
export { SequentialLR, sequentialLRAt, type SequentialLROptions } from './schedule/sequentialLR.ts';
export {
  ReduceLROnPlateau,
  reduceLROnPlateauLrs,
  type ReduceLROnPlateauOptions,
} from './schedule/reduceLROnPlateau.ts';

// Gradient clipping (torch.nn.utils.clip_grad_*).
export { clipGradNorm, gradNorm, type ClipGradNormOptions, type GradGroups } from './clip/clipGradNorm.ts';
export { clipGradValue } from './clip/clipGradValue.ts';

// L-BFGS with torch.optim.LBFGS's step(closure) semantics.
export { LBFGS, type LBFGSClosure, type LBFGSOptions } from './optim/lbfgs.ts';

// Natural gradient: (F + λI)⁻¹ g by CG with Fisher-vector products, torch.optim style.
export {
  NaturalGradient,
  NaturalGradientSolver,
  adaptedDamping,
  type FisherVectorProduct,
  type NaturalGradientOptions,
  type NaturalGradientSolve,
  type NaturalGradientSolveOptions,
} from './optim/naturalGradient.ts';

// Minimizers that evaluate the objective more than once per step
// (scipy.optimize.minimize-style: objective, x0, options → result).
export type {
  DenseHessian,
  HessianVectorProduct,
  IterationCallback,
  IterationInfo,
  MinimizeOptions,
  MinimizeResult,
  MinimizeStatus,
  Objective,
} from './optim/minimize/types.ts';
export type { DescentKind } from './optim/minimize/descent.ts';
export type { LineSearchKind, LineSearchOptions } from './optim/minimize/lineSearchChoice.ts';
export { minimizeBFGS, bfgsInverseUpdate, type BFGSOptions, type BFGSResult, type BFGSStepKind } from './optim/minimize/bfgs.ts';
export {
  minimizeLBFGS,
  type LBFGSMinimizeOptions,
  type LBFGSMinimizeResult,
  type LBFGSStepKind,
} from './optim/minimize/lbfgs.ts';
export { minimizeCG, type CGStepKind, type CGVariant, type NonlinearCGOptions } from './optim/minimize/nonlinearCG.ts';
export { minimizeNewton, type NewtonOptions, type NewtonResult, type NewtonStepKind } from './optim/minimize/newton.ts';
export {
  minimizeNewtonCG,
  type NewtonCGOptions,
  type NewtonCGResult,
  type NewtonCGStepKind,
} from './optim/minimize/newtonCG.ts';
export {
  coordinateDescent,
  type CoordinateDescentOptions,
  type CoordinateDescentResult,
  type CoordinatePartials,
  type CoordinateStepKind,
} from './optim/minimize/coordinateDescent.ts';
export {
  subgradientMethod,
  type SubgradientOptions,
  type SubgradientResult,
  type SubgradientStep,
} from './optim/minimize/subgradient.ts';
export {
  minimizeNaturalGradient,
  type NaturalGradientMinimizeOptions,
  type NaturalGradientResult,
  type NaturalGradientStepKind,
} from './optim/minimize/naturalGradient.ts';
export {
  minimizeKrylovSubspace,
  type KrylovSubspaceOptions,
  type KrylovSubspaceResult,
} from './optim/minimize/krylovSubspaceDescent.ts';

// Line searches along a direction, with the Wolfe or Armijo conditions.
export { type LineSearch, sufficientDecrease } from './optim/lineSearch/lineSearch.ts';
export { BacktrackingArmijo, type ArmijoOptions } from './optim/lineSearch/armijo.ts';
export { StrongWolfe, type StrongWolfeOptions } from './optim/lineSearch/strongWolfe.ts';

// Dense linear algebra for the second-order methods (small n), and linear CG.
export {
  conjugateGradient,
  type ConjugateGradientOptions,
  type ConjugateGradientResult,
  type MatVec,
} from './linalg/conjugateGradient.ts';
export { cholesky, choleskySolve } from './linalg/cholesky.ts';
export { symmetricEigen } from './linalg/symmetricEigen.ts';

// Line charts as SVG and PNG (learning curves, convergence plots).
export {
  lineChartsSvg,
  svgToPng,
  writeLineChart,
  writeLineCharts,
  type ChartFiles,
  type LineChart,
  type Series,
} from './plot/lineChart.ts';
// Bar charts (histograms) as SVG and PNG.
export { writeBarChart, type BarChart } from './plot/barChart.ts';

// The trainer (epochs, batches, accumulation, clipping, schedules, validation, early
// stopping, curriculum, truncated BPTT, checkpoints, progress, metrics, curves).
export { train, epochOrder } from './train/train.ts';
export type {
  CheckpointOptions,
  ClipOptions,
  EpochRecord,
  StalenessRecord,
  Metrics,
  RecurrentCarry,
  Schedule,
  StepInfo,
  TrainCallbacks,
  TrainOptions,
  TrainResult,
  TrainUnit,
  UnitLoss,
} from './train/options.ts';
export { accumulateGradient, combineGradients, GradientSum, type Accumulated, type GradientPart } from './train/accumulate.ts';
export { localGradient, type GradientSource, type StepContext } from './train/gradientSource.ts';
export {
  NonFiniteError,
  blockOf,
  findNonFinite,
  modelOriginOf,
  type Diagnosis,
  type ModelOrigin,
  type NonFiniteFinding,
  type NonFiniteMode,
  type ParameterLayout,
  type StepPlace,
} from './train/nonFinite.ts';
export { HealthMonitor, healthSummary, type BlockHealth, type HealthOptions, type HealthRecord, type HealthWarning, type HealthWarningKind } from './train/health.ts';
export type { ActivationHealth, CompiledHealth, CompiledHealthRecord, LoopHealth } from './train/compiledHealth.ts';
export { truncatedBPTT, type CarriedState, type RecurrentStep, type TruncatedBPTT, type TruncatedBPTTOptions } from './train/tbptt.ts';
export { EarlyStopping, type EarlyStoppingOptions, type EarlyStoppingState } from './train/earlyStopping.ts';
export {
  admittedCount,
  easiestFirst,
  pacing,
  pacingFunction,
  type CurriculumOptions,
  type PacingFunction,
  type PacingKind,
  type PacingOptions,
} from './train/curriculum.ts';
export { SeededRng } from './random/seededRng.ts';
export { range, shuffleInPlace } from './random/shuffle.ts';
export { decodeCheckpoint, encodeCheckpoint, loadCheckpoint, saveCheckpoint } from './train/checkpoint.ts';
export { CHECKPOINT_FORMAT, CheckpointError, type LoopState, type TrainingState } from './train/trainingState.ts';
export { removeStaleTemporaries } from './train/staleTemporaries.ts';
export { createProgress, formatDuration, type Progress, type ProgressInfo, type ProgressStream } from './train/progress.ts';
export { writeLearningCurves } from './train/curves.ts';
export {
  batchLoss,
  classifierMetrics,
  type BatchLogits,
  type BatchValueAndGradient,
  type ClassifierMetricsOptions,
} from './train/classifier.ts';

// Distributed training: synchronous data-parallel SGD on worker threads, with backup
// workers, and asynchronous SGD with a parameter server (bounded staleness,
// staleness-aware learning rate, delay compensation); the trainer's loop with the
// step's gradient computed by the workers.
export { trainDistributed } from './distributed/trainDistributed.ts';
export { runRedisWorker, type RedisWorkerOptions, type RedisWorkerSummary } from './distributed/redis/redisWorker.ts';
export type { RedisReport } from './distributed/redis/redisTransport.ts';
// A redis-server of one's own on loopback, for development and tests.
export { redisServerOnPath, startLocalRedis, type LocalRedis, type LocalRedisOptions } from './distributed/redis/localServer.ts';
export {
  loadShardKernels,
  loadShardLoss,
  shardKernelsOf,
  shardLossOf,
  type ShardHvp,
  type ShardLoss,
  type ShardLossSpec,
  type ShardModelKernels,
} from './distributed/shardLoss.ts';
export { addCorrection, dcAsgdCorrect, displacement } from './distributed/delayCompensation.ts';
export { ShardPlanner, shardBounds } from './distributed/shards.ts';
export type {
  AsyncArrival,
  AsyncOptions,
  DistributedEvent,
  DistributedOptions,
  DistributedReport,
  DistributedTrainOptions,
  DistributedTrainResult,
  FaultInjection,
  RedisTransportConfig,
  ShardArrival,
  ShardModel,
} from './distributed/options.ts';

// Data: arrays, CSV, JSON, seeded splits, standardization, and real data sets on disk.
export { BatchGatherer, fromArrays, gatherRows, subset, type Dataset } from './data/dataset.ts';
export { fitStandardizer, standardize, trainValidationSplit, type Split, type SplitOptions, type Standardizer } from './data/split.ts';
export { loadCsv, parseCsv, type CsvOptions } from './data/csv.ts';
export { loadJson, parseJson } from './data/json.ts';
export { type TableOptions } from './data/tabular.ts';
export { loadIris, loadMnist } from './data/realData.ts';

// Error surfaces (Li et al. 2018; Goodfellow et al. 2015): the loss along a line and on a
// plane of (filter-normalized or Hessian-eigenvector) directions, drawn with trajectories.
export { lossAlongLine, lossSurface, projectOntoPlane, type LineOptions, type LossLine, type LossSurface, type SurfaceOptions, type ValueFunction } from './surface/lossSurface.ts';
export { filterNormalize, randomDirection, trajectoryDirections, type FilterNormalizeOptions, type ShapedLayout } from './surface/directions.ts';
export { lanczosEigen, type EigenPairs, type LanczosOptions, type OperatorProduct } from './linalg/lanczos.ts';
export { surfaceSvg, writeSurfacePlot, type SurfacePlot, type Trajectory } from './plot/surfacePlot.ts';
export {
  FREE_TRANSPORT,
  calibrateCompute,
  simulateAsync,
  simulateSync,
  type AsyncPrediction,
  type AsyncSimulation,
  type ClusterModel,
  type ComputeModel,
  type ComputeNoise,
  type SyncPrediction,
  type SyncSimulation,
  type TransportModel,
} from './distributed/simulator/index.ts';
