/** The profiling domain: MemoryProfiler, the leak detector, heap snapshots and inspected children. */
export {
  diffHeapSnapshots,
  type HeapSnapshotDiff,
  HeapSnapshotError,
  type HeapSnapshotFile,
  type TypeGrowth,
  writeHeapSnapshot,
} from './heap-snapshot.js';
export { type InspectedChild, InspectedChildError, startInspectedChild } from './inspected-child.js';
export {
  createLeakDetector,
  type LeakAnalysis,
  LeakDetector,
  LeakDetectorError,
  type LeakDetectorOptions,
  type LeakSample,
} from './leak-detector.js';
export { MemoryProfiler, type MemoryProfilerOptions, ProfileScope } from './profiler.js';
export type { MemoryReport, ProfileReport, Recommendation } from './report.js';
