/**
 * The dashboard's files: the page folder (index.html at `/`, the rest at `/<name>`) and uPlot's two
 * files at `/assets/`, read from disk at each request and streamed. Nothing comes from a CDN, so the
 * page works offline.
 *
 * The page folder is looked up beside this module first (src/ under tsx, dist/ after tsc), then
 * under the package root, because the CLI is one esbuild bundle at dist/cli-bundle.js whose
 * `import.meta.url` is the bundle's own. The build must therefore copy
 * src/observe/dashboard/page/ to dist/observe/dashboard/page/.
 */
import { createReadStream, existsSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HeadroomError } from '../../errors.js';
import { packageRoot } from '../../util/package-root.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The page may load and connect to its own server only: component and tool names shown on it come
 * from the process, and if one ever reached the DOM as markup it could not call out or load a script.
 */
const PAGE_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** URL path under `/assets/` -> the file of the `uplot` package it is read from. */
const UPLOT_FILES: Record<string, string> = {
  'uPlot.iife.min.js': 'uplot/dist/uPlot.iife.min.js',
  'uPlot.min.css': 'uplot/dist/uPlot.min.css',
};

/** Where the page folder sits relative to the package root, in a build and in the sources. */
const PAGE_IN_PACKAGE = [
  join('dist', 'observe', 'dashboard', 'page'),
  join('src', 'observe', 'dashboard', 'page'),
];

export type StaticResult = 'served' | 'not-found' | 'forbidden';

export interface StaticFiles {
  pageDir: string;
  /** Answers GET or HEAD of `pathname` (already URL-decoded) when it names one of the files. */
  serve(pathname: string, req: IncomingMessage, res: ServerResponse): Promise<StaticResult>;
}

/** Thrown when the page folder or uPlot cannot be found: the installation is incomplete. */
export class DashboardFilesError extends HeadroomError {
  constructor(message: string) {
    super('HR_DASHBOARD_FILES', message);
  }
}

/** The page folder: beside this module, else under the package root; throws naming every place tried. */
export function findPageDir(from: string = import.meta.url): string {
  const tried = [join(dirname(fileURLToPath(from)), 'page')];
  const root = packageRoot(from);
  if (root !== undefined) tried.push(...PAGE_IN_PACKAGE.map((dir) => join(root, dir)));
  const found = tried.find((dir) => existsSync(join(dir, 'index.html')));
  if (found === undefined) {
    throw new DashboardFilesError(
      `the dashboard page (index.html) is missing: looked in ${tried.join(', ')}; reinstall headroom, or when building from source copy src/observe/dashboard/page to dist/observe/dashboard/page`,
    );
  }
  return found;
}

/** uPlot's files in node_modules, resolved now so that a missing package fails at start, not in the browser. */
export function resolveUplotFiles(from: string = import.meta.url): Map<string, string> {
  const require = createRequire(from);
  const files = new Map<string, string>();
  for (const [name, request] of Object.entries(UPLOT_FILES)) {
    try {
      files.set(name, require.resolve(request));
    } catch (error) {
      throw new DashboardFilesError(
        `cannot find ${request} from ${fileURLToPath(from)} (${(error as Error).message.split('\n')[0]}): the uplot package is a dependency of headroom; run npm install`,
      );
    }
  }
  return files;
}

export function createStaticFiles(options: { pageDir?: string } = {}): StaticFiles {
  const pageDir = resolve(options.pageDir ?? findPageDir());
  if (!existsSync(join(pageDir, 'index.html'))) {
    throw new DashboardFilesError(
      `the dashboard page folder ${pageDir} has no index.html: pass the folder that holds it`,
    );
  }
  const uplot = resolveUplotFiles();
  // Resolved once: a symlinked folder (npm link, pnpm) still contains its own files.
  let realPageDir: Promise<string> | undefined;

  return {
    pageDir,
    async serve(pathname, req, res) {
      if (pathname.startsWith('/assets/')) {
        const file = uplot.get(pathname.slice('/assets/'.length));
        if (file === undefined) return 'not-found';
        return sendFile(file, req, res);
      }
      const relative = pathname === '/' ? 'index.html' : pathname.slice(1);
      if (!isPlainRelativePath(relative)) return 'forbidden';
      realPageDir ??= realpath(pageDir);
      const root = await realPageDir;
      let file: string;
      try {
        file = await realpath(join(root, relative));
      } catch {
        return 'not-found';
      }
      // A symlink inside the folder must not lead out of it.
      if (!file.startsWith(root + sep)) return 'forbidden';
      return sendFile(file, req, res);
    },
  };
}

/** Segments of plain names only: no `..`, no dotfiles, no backslashes or NUL, nothing absolute. */
function isPlainRelativePath(path: string): boolean {
  if (path === '' || path.includes('\\') || path.includes('\0')) return false;
  return path.split('/').every((segment) => segment !== '' && !segment.startsWith('.'));
}

async function sendFile(file: string, req: IncomingMessage, res: ServerResponse): Promise<StaticResult> {
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) return 'not-found';
    size = info.size;
  } catch {
    return 'not-found';
  }
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': size,
    // The page changes with headroom's version; asking again is cheap on loopback.
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    // The token may be in the page's URL: it must not leave in a Referer.
    'referrer-policy': 'no-referrer',
    ...(file.endsWith('.html') ? { 'content-security-policy': PAGE_POLICY } : {}),
  });
  if (req.method === 'HEAD') {
    res.end();
    return 'served';
  }
  await new Promise<void>((done) => {
    const stream = createReadStream(file);
    stream.once('error', () => {
      res.destroy();
      done();
    });
    res.once('close', () => {
      stream.destroy();
      done();
    });
    stream.pipe(res);
  });
  return 'served';
}
