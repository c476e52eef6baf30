import { prepareCatalog } from '../src/openapi/prepare.js';
import { OpenApiTools } from '../src/mcp/openapi-tools.js';
const file = process.argv[2]!;
let t = performance.now();
const api = await prepareCatalog(file, { catalog: { apiName: 'x' }, version: 'conformance' });
console.log('prepare', Math.round(performance.now() - t), api.timings, api.catalog.operations.length, Object.keys(api.catalog.definitions).length, api.catalog.warnings.length);
t = performance.now();
const tools = new OpenApiTools([api], { mode: 'all', execute: async () => ({ content: [] }) });
const list = tools.list();
let bytes = 0; for (const tool of list) bytes += JSON.stringify(tool).length;
console.log('list', Math.round(performance.now() - t), list.length, bytes);
console.log('rss', Math.round(process.resourceUsage().maxRSS / 1024));
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
const Ajv2020 = (Ajv2020Module as any).default ?? Ajv2020Module;
const addFormats = (addFormatsModule as any).default ?? addFormatsModule;
for (const [strict, inl, opt] of [[false,true,true],[false,false,true],[false,false,false],[true,false,false]] as const) {
  let ajv = new Ajv2020({ strict, validateSchema: true, logger: false, inlineRefs: inl, code: { optimize: opt } });
  addFormats(ajv);
  t = performance.now();
  let fails = 0; let n = 0;
  for (const tool of list.slice(0, Number(process.argv[3] ?? 500))) {
    n++;
    try { ajv.compile(tool.inputSchema); } catch (e) { fails++; if (fails < 3) console.log((e as Error).message.slice(0, 200)); }
    if (n % 200 === 0) { ajv = new Ajv2020({ strict, validateSchema: true, logger: false, inlineRefs: inl, code: { optimize: opt } }); addFormats(ajv); }
  }
  console.log('ajv strict', strict, inl, opt, n, fails, Math.round(performance.now() - t), 'ms');
}
console.log('rss', Math.round(process.resourceUsage().maxRSS / 1024));
