// Bundled by esbuild with gradc/unplugin: `./line.grad.js` is compiled from the model
// file beside it at build time; no generated file is on disk here.
import { lossFlat, lossLayout } from './line.grad.js';

const f = lossFlat(Float64Array.of(0, 1), Float64Array.of(-1, 2));
const gradient = new Float64Array(lossLayout.size);
console.log(JSON.stringify({ params: lossLayout.params.map((p) => p.name), value: f.objective(Float64Array.of(3, -1), gradient), gradient: [...gradient] }));
