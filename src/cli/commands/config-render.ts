import { Document, isMap, isScalar, isSeq } from 'yaml';
import { settingsTable } from '../../config/settings.js';
import { describeSource } from '../../config/sources.js';
import { REDACTED } from '../../log/redact.js';
import { showDefault } from '../help.js';
import type { RunContext } from '../types.js';

/**
 * The effective configuration as YAML that can be saved as headroom.yml and read back: sizes stay
 * byte counts, and the human-readable forms only appear in comments.
 */
export function renderConfig(ctx: RunContext, withSources: boolean): string {
  const doc = new Document(ctx.config);
  // The configuration can hold a bearer token; printing it would put it in terminals and logs.
  const token = doc.getIn(['server', 'token'], true);
  if (isScalar(token)) token.value = REDACTED;
  if (!withSources) return doc.toString();
  doc.commentBefore = ` Effective headroom configuration; config file: ${ctx.configFile ?? 'none'}`;
  for (const setting of settingsTable()) {
    const path = setting.path.split('.');
    const source = describeSource(ctx.sources[setting.path] ?? { kind: 'default' });
    const node = doc.getIn(path, true);
    if (isSeq(node)) {
      node.comment = ` ${source}`;
      continue;
    }
    if (isScalar(node)) {
      const size = setting.kind === 'size' ? `${showDefault({ ...setting, default: node.value })}, ` : '';
      node.comment = ` ${size}${source}`;
      continue;
    }
    // Unset settings (such as memory.budget) are left out of the YAML; note them on their section.
    const section = doc.getIn(path.slice(0, -1), true);
    if (isMap(section)) {
      const why = setting.defaultText ? ` (${setting.defaultText})` : '';
      const note = ` ${path[path.length - 1]}: not set${why}`;
      section.commentBefore = section.commentBefore ? `${section.commentBefore}\n${note}` : note;
    }
  }
  return doc.toString();
}
