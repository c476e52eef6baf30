/**
 * Segment and function group names as a diagram needs them: from the elements, the attachments
 * that name them and the policies, with the element that stands for each name when there is one.
 */
import { ATTACHMENT_TYPES, type ElementType, type TopologyView } from '../model.js';
import type { PolicyLinks } from './policy-links.js';

export interface GroupNames {
  /** Sorted. */
  segments: string[];
  /** Sorted. */
  functionGroups: string[];
  isFunctionGroup(name: string): boolean;
}

export function groupNames(view: TopologyView, links: PolicyLinks): GroupNames {
  const segmentNames = new Set([...namesOf(view, 'segment'), ...links.segments]);
  const groupNameSet = new Set([...namesOf(view, 'network-function-group'), ...links.functionGroups]);
  for (const name of segmentNames) groupNameSet.delete(name);
  // Names that only attachments use are segments nobody declared; they still get drawn.
  for (const name of view.segments()) if (!groupNameSet.has(name)) segmentNames.add(name);
  return {
    segments: [...segmentNames].sort(),
    functionGroups: [...groupNameSet].sort(),
    isFunctionGroup: (name) => groupNameSet.has(name),
  };
}

/** The name of a segment or function group element: its segment field, else its name or id. */
export function ownName(view: TopologyView, element: number): string {
  return view.segment(element) ?? view.name(element) ?? view.id(element);
}

function namesOf(view: TopologyView, type: 'segment' | 'network-function-group'): string[] {
  return Array.from(view.elementsOfType(type), (element) => ownName(view, element));
}

export function isAttachmentType(type: ElementType): boolean {
  return ATTACHMENT_TYPES.includes(type);
}

/** Attachments of a segment or function group, counted by type in ATTACHMENT_TYPES order. */
export function attachmentCounts(view: TopologyView, name: string): Map<ElementType, number> {
  const counts = new Map<ElementType, number>(ATTACHMENT_TYPES.map((t) => [t, 0]));
  for (const element of view.elementsInSegment(name)) {
    const type = view.type(element);
    const count = counts.get(type);
    if (count !== undefined) counts.set(type, count + 1);
  }
  return counts;
}

/** Shown first, then a "+N more <what>" count; lists in errors stay readable. */
export function listSome(names: readonly string[], max = 20): string {
  if (names.length === 0) return '(none)';
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

/** A node's label: the element's name or id, then its type and what else is given. */
export function elementLines(
  view: TopologyView,
  element: number,
  ...details: Array<string | undefined>
): string[] {
  const lines = [view.name(element) ?? view.id(element), view.type(element)];
  for (const detail of details) if (detail) lines.push(detail);
  return lines;
}

/** Node keys: one namespace per kind, so an element id never collides with a segment name. */
export const keyOf = {
  element: (view: TopologyView, element: number) => `e:${view.id(element)}`,
  segment: (name: string) => `s:${name}`,
  functionGroup: (name: string) => `f:${name}`,
  more: (what: string) => `more:${what}`,
};
