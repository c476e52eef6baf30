/**
 * An esbuild plugin that makes the MCP SDK build each of its Zod schemas when it is first used,
 * rather than all of them when the SDK loads or sees its first message.
 *
 * `@modelcontextprotocol/core` defines about 190 schemas (requests, results, OAuth metadata...) as
 * top-level constants of two modules, and the server module builds another 148 (the 2025-11-25 wire
 * schemas) at the first message; building them all took 10-20 ms of every start, on the path to the
 * first answer. A server uses a few dozen before it answers `tools/list`: the JSON-RPC envelope
 * guards and what the handshake and the listing validate. Here each of those constants becomes a
 * function that builds it on first call (and the constants it refers to, in turn), and each export
 * or returned member a getter. The schemas are pure values, so building one later gives the same
 * schema.
 *
 * The server module also reads schemas at its own top level: a registry of every schema by name
 * (`specTypeSchemas`, public API Headroom never calls), and three tables for elicitation forms. Those
 * are made lazy too. Every edit is checked: if the SDK (pinned in package.json) changes so that one
 * does not apply, the build fails and says which, rather than ship a bundle that builds everything
 * anyway or a broken one.
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import ts from 'typescript';

const CORE_SCHEMAS = /@modelcontextprotocol[\\/]core[\\/]dist[\\/](schemas|auth)-[^\\/]+\.mjs$/;
const SERVER_MODULE = /@modelcontextprotocol[\\/]server[\\/]dist[\\/]src-[^\\/]+\.mjs$/;
/** The error that fails the build when the SDK no longer has what an edit expects. */
const mismatch = (path, why) =>
  new Error(`lazy-sdk-schemas: ${path}: ${why}; update scripts/lazy-sdk-schemas.mjs`);
/** Marks a path whose module is rewritten as CommonJS (getters need CommonJS exports). */
const LAZY_SUFFIX = '.lazy.cjs';

export const lazySdkSchemas = {
  name: 'lazy-sdk-schemas',
  setup(build) {
    build.onResolve({ filter: /^\.\/(schemas|auth)-[^/]+\.mjs$/ }, (args) => {
      const path = `${args.resolveDir}/${args.path.slice(2)}`;
      return CORE_SCHEMAS.test(path)
        ? { path: `${path}${LAZY_SUFFIX}`, namespace: 'lazy-sdk-schemas' }
        : undefined;
    });
    build.onLoad({ filter: /.*/, namespace: 'lazy-sdk-schemas' }, async ({ path: marked }) => {
      const path = marked.slice(0, -LAZY_SUFFIX.length);
      const resolveImport = async (specifier) => {
        const found = await build.resolve(specifier, { kind: 'import-statement', resolveDir: dirname(path) });
        if (found.errors.length > 0) throw mismatch(path, `cannot resolve ${specifier}`);
        return found.path;
      };
      return {
        loader: 'js',
        resolveDir: dirname(path),
        contents: await lazyConstants(path, readFileSync(path, 'utf8'), resolveImport),
      };
    });
    build.onLoad({ filter: SERVER_MODULE }, ({ path }) => ({
      loader: 'js',
      resolveDir: dirname(path),
      contents: lazyServerTables(path, readFileSync(path, 'utf8')),
    }));
  },
};

/**
 * The module `text` (namespace imports, `const` declarations, one `export { a as b }`) as CommonJS
 * whose constants are built on first use. Imports are required by their resolved ES module paths, so
 * that zod stays the one module every other importer gets.
 */
export async function lazyConstants(path, text, resolveImport) {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const fail = (node, why) => {
    throw mismatch(`${path}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`, why);
  };
  const constants = new Map();
  const imports = [];
  let exported;
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const bindings = statement.importClause?.namedBindings;
      if (!bindings || !ts.isNamespaceImport(bindings))
        fail(statement, 'an import that is not `import * as`');
      imports.push({ name: bindings.name.text, path: await resolveImport(statement.moduleSpecifier.text) });
    } else if (ts.isVariableStatement(statement) && statement.declarationList.flags & ts.NodeFlags.Const) {
      for (const declaration of statement.declarationList.declarations) {
        if (!ts.isIdentifier(declaration.name) || !declaration.initializer)
          fail(declaration, 'a constant that is not `name = value`');
        constants.set(declaration.name.text, declaration.initializer);
      }
    } else if (ts.isExportDeclaration(statement) && !statement.moduleSpecifier && !exported) {
      exported = statement.exportClause.elements.map((element) => ({
        local: (element.propertyName ?? element.name).text,
        name: element.name.text,
      }));
    } else fail(statement, `a top-level ${ts.SyntaxKind[statement.kind]}`);
  }
  if (!exported) fail(source, 'no export list');
  const { builders } = lazyBuilders(text, constants);
  const lines = imports.map(({ name, path: file }) => `const ${name} = require(${JSON.stringify(file)});`);
  lines.push(...builders());
  for (const { local } of exported)
    if (!constants.has(local)) fail(source, `export of ${local}, not a constant`);
  lines.push(
    `module.exports = {\n${exported.map(({ local, name }) => `  get ${JSON.stringify(name)}() { return ${local}$(); },`).join('\n')}\n};`,
  );
  return lines.join('\n');
}

/**
 * For constants (name to initializer, nodes of `text`): `builders()`, a function per constant that
 * builds it on its first call, and `rewrite(node)`, the text of a node whose references to the
 * constants are calls of their builders (a shorthand `{ name }` gets its key).
 */
function lazyBuilders(text, constants) {
  const rewrite = (node) => {
    const edits = [];
    const visit = (child) => {
      if (ts.isIdentifier(child) && constants.has(child.text) && isReference(child)) {
        const call = `${child.text}$()`;
        edits.push([
          child.getStart(),
          child.getEnd(),
          ts.isShorthandPropertyAssignment(child.parent) ? `${child.text}: ${call}` : call,
        ]);
      }
      ts.forEachChild(child, visit);
    };
    visit(node);
    let out = '';
    let at = node.getStart();
    for (const [start, end, replacement] of edits.sort((a, b) => a[0] - b[0])) {
      out += text.slice(at, start) + replacement;
      at = end;
    }
    return out + text.slice(at, node.getEnd());
  };
  // The flag is set before building, so a cycle (which the original could not have had among its
  // constants either) ends instead of recursing.
  const builders = () =>
    [...constants].flatMap(([name, initializer]) => [
      `let ${name}$built = false, ${name}$value;`,
      `function ${name}$() { if (!${name}$built) { ${name}$built = true; ${name}$value = (${rewrite(initializer)}); } return ${name}$value; }`,
    ]);
  return { rewrite, builders };
}

/** Whether the identifier reads a binding (not a property name, a key, or a declaration). */
function isReference(node) {
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return false;
  if (ts.isPropertyAssignment(parent) && parent.name === node) return false;
  if (ts.isVariableDeclaration(parent) && parent.name === node) return false;
  if ((ts.isParameter(parent) || ts.isBindingElement(parent)) && parent.name === node) return false;
  if (ts.isMethodDeclaration(parent) && parent.name === node) return false;
  return true;
}

/**
 * The server module with its top-level reads of schemas deferred: the registry of every schema by
 * name becomes getters, and the elicitation tables are built on first use.
 */
export function lazyServerTables(path, original) {
  let text = lazyWireSchemas(path, original);
  const edit = (what, from, to) => {
    if (!text.includes(from)) throw mismatch(path, `${what} not found`);
    text = text.replace(from, to);
  };
  const auth = /const authSchemas = \{([^}]*)\};/.exec(text);
  if (!auth) throw mismatch(path, 'authSchemas not found');
  const authNames = auth[1]
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  edit(
    'authSchemas',
    auth[0],
    `const authSchemas = { ${authNames.map((name) => `get ${name}() { return ${name}; }`).join(', ')} };`,
  );
  edit(
    'the registry of spec types',
    'for (const key of SPEC_SCHEMA_KEYS) register(key, schemas_exports[key]);\nfor (const [key, schema] of Object.entries(authSchemas)) register(key, schema);',
    [
      'function registerLazily(key, get) {',
      '\tconst name = key.slice(0, -6);',
      '\tObject.defineProperty(_specTypeSchemas, name, { get, enumerable: true });',
      '\t_isSpecType[name] = (v) => get().safeParse(v).success;',
      '}',
      'for (const key of SPEC_SCHEMA_KEYS) registerLazily(key, () => schemas_exports[key]);',
      `for (const key of ${JSON.stringify(authNames)}) registerLazily(key, () => authSchemas[key]);`,
    ].join('\n'),
  );
  for (const name of ['ROOT_KEYS', 'PROPERTY_KEYS_BY_TYPE', 'SUPPORTED_STRING_FORMATS']) {
    const start = text.indexOf(`const ${name} = `);
    const end = text.indexOf(';\n', start);
    if (start < 0 || end < 0) throw mismatch(path, `${name} not found`);
    const value = text.slice(start + `const ${name} = `.length, end);
    text = `${text.slice(0, start)}let ${name}$value;\nconst ${name}$ = () => (${name}$value ??= (${value}))${text.slice(end)}`;
    text = text.replace(new RegExp(`(?<![\\w$.])${name}(?![\\w$])`, 'g'), `${name}$()`);
  }
  return text;
}

/**
 * The server module with the 2025-11-25 wire schemas (which validate each request and notification)
 * built one by one when first used, rather than all 148 at the first message: the function that
 * `buildSchemas2025` memoizes gets a builder per constant and returns getters, and the registry
 * that maps each method to its schemas reads them through getters too.
 */
function lazyWireSchemas(path, text) {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const fail = (why) => {
    throw mismatch(path, why);
  };
  const declared = (name) =>
    source.statements.find(
      (statement) => ts.isFunctionDeclaration(statement) && statement.name?.text === name,
    ) ?? fail(`function ${name} not found`);
  // `function buildSchemas2025() { return memo ??= build(); }`: the builder's name is minified.
  const memoized = declared('buildSchemas2025').body.statements[0]?.expression;
  const call = memoized && ts.isBinaryExpression(memoized) ? memoized.right : undefined;
  if (!call || !ts.isCallExpression(call) || !ts.isIdentifier(call.expression))
    fail('buildSchemas2025 no longer memoizes one call');
  const build = declared(call.expression.text);
  const statements = build.body.statements;
  const returned = statements.at(-1);
  if (!returned || !ts.isReturnStatement(returned) || !ts.isObjectLiteralExpression(returned.expression))
    fail(`${call.expression.text} does not end by returning an object`);
  const constants = new Map();
  for (const statement of statements.slice(0, -1)) {
    if (!ts.isVariableStatement(statement) || !(statement.declarationList.flags & ts.NodeFlags.Const))
      fail(`${call.expression.text} has a statement that is not a constant`);
    for (const declaration of statement.declarationList.declarations) {
      if (!ts.isIdentifier(declaration.name) || !declaration.initializer)
        fail(`${call.expression.text} has a constant that is not \`name = value\``);
      constants.set(declaration.name.text, declaration.initializer);
    }
  }
  const { rewrite, builders } = lazyBuilders(text, constants);
  const getters = returned.expression.properties.map((property) => {
    if (!ts.isPropertyAssignment(property))
      fail(`${call.expression.text} returns a member that is not \`key: value\``);
    const key = property.name.getText(source);
    return `get ${key}() { return (built$[${JSON.stringify(key)}] ??= ${rewrite(property.initializer)}); },`;
  });
  const edits = [
    [
      build.body.getStart(),
      build.body.getEnd(),
      `{\n${builders().join('\n')}\nconst built$ = {};\nreturn {\n${getters.join('\n')}\n};\n}`,
    ],
  ];
  // `maps = { requestSchemas: { ping: s.PingRequestSchema, ... }, ... }` in registryMaps.
  let read = 0;
  const visit = (node) => {
    if (
      ts.isPropertyAssignment(node) &&
      ts.isPropertyAccessExpression(node.initializer) &&
      ts.isIdentifier(node.initializer.expression) &&
      node.initializer.expression.text === 's'
    ) {
      edits.push([
        node.getStart(),
        node.getEnd(),
        `get ${node.name.getText(source)}() { return ${node.initializer.getText(source)}; }`,
      ]);
      read++;
    }
    ts.forEachChild(node, visit);
  };
  visit(declared('registryMaps'));
  if (read === 0) fail('registryMaps reads no schema from `s`');
  let out = text;
  for (const [start, end, replacement] of edits.sort((a, b) => b[0] - a[0]))
    out = out.slice(0, start) + replacement + out.slice(end);
  return out;
}
