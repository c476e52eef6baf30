/**
 * `traceNetworkPath`: the path a packet takes from one address to another through the core
 * network, hop by hop, each with the reason it was taken, or the reason it stops. The source is
 * found by longest-prefix match (subnet -> VPC -> attachment), the lookup happens in the source
 * segment's table at the source edge, and the path goes through the edge mesh and through
 * inspection where send-via / send-to applies, into a TGW route table when it leaves that way.
 * Cost: two prefix-match walks plus O(hops); nothing is materialized per attachment.
 *
 * Modelling choices: an address inside the source's own VPC never enters the core network
 * ("local"); traffic sent to a function group by send-to goes on to a destination the group's
 * table knows (segments that send to it) and otherwise leaves the core network there ("egress",
 * reachable, since the core network delivered it); edge hop ids are the edge element ids, or
 * the region when the topology has no edge element for it.
 */

import { TopologyError } from '../../errors.js';
import { type IpAddress, parseIp } from '../cidr.js';
import { attachmentRegion, segmentOf } from './attachment.js';
import type { CoreNetworkAnalysis, DomainFacts } from './core-network.js';
import { sendToInspection, sendViaInspection } from './inspection.js';
import { describePlace, isInside, locateAddress, type PrefixMatches, placeBehind } from './locate.js';
import { noRouteReason, reachText, tableName } from './reasons.js';
import { lookupRoute } from './route-lookup.js';
import { transitGatewayLeg } from './tgw.js';

export interface TraceHop {
  /** Element id (the region for an edge the topology has no element for). */
  id: string;
  type: string;
  region?: string;
  /** The attachment's segment, or the segment whose route table an edge looked the route up in. */
  segment?: string;
  /** source, local, route-lookup, forward, inspect, deliver, egress or drop. */
  action: string;
  reason: string;
}

export interface TraceResult {
  reachable: boolean;
  hops: TraceHop[];
  /** Why the destination is not reachable (absent when it is). */
  reason?: string;
}

export function traceNetworkPath(analysis: CoreNetworkAnalysis, srcIp: string, dstIp: string): TraceResult {
  const source = parseAddress(srcIp, 'source');
  const destination = parseAddress(dstIp, 'destination');
  if (source.version !== destination.version) {
    throw new TopologyError(
      'trace',
      `source ${srcIp} is IPv${source.version} and destination ${dstIp} is IPv${destination.version}; trace two addresses of the same family`,
    );
  }
  const trace = new Trace(analysis, dstIp, destination, analysis.view.prefixMatches(dstIp));
  return trace.run(srcIp, analysis.view.prefixMatches(srcIp));
}

function parseAddress(text: unknown, role: string): IpAddress {
  const address = typeof text === 'string' ? parseIp(text.trim()) : undefined;
  if (!address) {
    throw new TopologyError(
      'trace',
      `${role} address ${JSON.stringify(text)} is not a valid IPv4 or IPv6 address; give a single address such as 10.1.2.3 or 2001:db8::1 (no prefix length)`,
    );
  }
  return address;
}

class Trace {
  private readonly hops: TraceHop[] = [];

  constructor(
    private readonly analysis: CoreNetworkAnalysis,
    private readonly ip: string,
    private readonly address: IpAddress,
    private readonly matches: PrefixMatches,
  ) {}

  run(srcIp: string, sourceMatches: PrefixMatches): TraceResult {
    const { analysis } = this;
    const place = locateAddress(analysis, sourceMatches);
    if (!place)
      return this.fail(`source ${srcIp} is not inside any subnet, VPC or attachment prefix of the topology`);
    if (place.attachment < 0) {
      return this.fail(
        `source ${describePlace(analysis, srcIp, place)}, which has no attachment to core network ${analysis.coreNetworkId}`,
      );
    }
    const attachment = place.attachment;
    this.attachmentHop(attachment, 'source', `source ${describePlace(analysis, srcIp, place)}`);
    const { view } = analysis;
    if (
      place.resource >= 0 &&
      view.type(place.resource) === 'vpc' &&
      isInside(analysis, this.matches, place.resource)
    ) {
      const id = view.id(place.resource);
      const vpcRegion = view.region(place.resource);
      this.hops.push({
        id,
        type: 'vpc',
        ...(vpcRegion === undefined ? {} : { region: vpcRegion }),
        action: 'local',
        reason: `destination ${this.ip} is inside ${id} too: the VPC's own route table delivers it, the core network is not involved`,
      });
      return { reachable: true, hops: this.hops };
    }
    const region = attachmentRegion(view, attachment);
    const segment = segmentOf(analysis, attachment);
    const attachmentId = view.id(attachment);
    if (region === undefined) return this.fail(`${attachmentId} has no region and is attached to no edge`);
    const facts = segment === undefined ? undefined : analysis.domains.get(segment);
    if (!facts) {
      return this.fail(
        `${attachmentId} is in segment '${segment ?? '(none)'}', which the policy of core network ${analysis.coreNetworkId} does not define (segments: ${analysis.segmentNames.join(', ')})`,
      );
    }
    if (!facts.edges.includes(region)) {
      return this.fail(
        `segment ${facts.name} is not present at edge ${region} (it is at: ${facts.edges.join(', ') || 'no edge'}), so ${attachmentId} has no route table there`,
      );
    }
    return this.route(facts, region);
  }

  private route(facts: DomainFacts, region: string): TraceResult {
    const { analysis } = this;
    const { view } = analysis;
    const table = `${tableName(facts)} at ${region}`;
    const { decision, hidden } = lookupRoute(analysis, facts, this.address, this.matches);
    if (!decision) {
      const reason = noRouteReason(analysis, hidden, facts, this.ip, table);
      this.edgeHop(region, 'drop', reason, facts.name);
      return this.fail(reason);
    }
    if (decision.kind === 'static') {
      const route = decision.route;
      if (route.blackhole) {
        const reason = `blackhole route ${route.destination} (create-route) in ${table}`;
        this.edgeHop(region, 'drop', reason, facts.name);
        return this.fail(reason);
      }
      const target = route.targetIndexes.find((index) => index >= 0);
      if (target === undefined) {
        const reason = `static route ${route.destination} (create-route) in ${table} points at ${route.targets.join(', ')}, which the topology does not have`;
        this.edgeHop(region, 'drop', reason, facts.name);
        return this.fail(reason);
      }
      const more = route.targets.length > 1 ? ` (the first of ${route.targets.length} destinations)` : '';
      this.edgeHop(
        region,
        'route-lookup',
        `longest-prefix match ${route.destination} in ${table}: static route (create-route) to ${view.id(target)}${more}`,
        facts.name,
      );
      return this.deliver(target, region);
    }
    if (decision.kind === 'send-to')
      return this.sendTo(facts, region, table, decision.rule.nfg, decision.destination);

    const attachmentId = view.id(decision.attachment);
    const ecmp =
      decision.equalCost > 1 ? `; ${decision.equalCost} equal-length routes, the first is used` : '';
    const lookup = `longest-prefix match ${decision.prefix} in ${table}: propagated from ${attachmentId} (${reachText(decision.reach, decision.domain)})${ecmp}`;
    if (decision.reach.kind !== 'send-via') {
      this.edgeHop(region, 'route-lookup', lookup, facts.name);
      return this.deliver(decision.attachment, region);
    }
    const rule = decision.reach.rule;
    const between =
      facts.name === decision.domain
        ? `within ${facts.name}`
        : `between ${facts.name} and ${decision.domain}`;
    const label = `send-via ${rule.nfg} (${rule.mode}) ${between}`;
    this.edgeHop(region, 'route-lookup', `${lookup}; ${label}`, facts.name);
    const destinationRegion = attachmentRegion(view, decision.attachment) ?? region;
    let current = region;
    for (const point of sendViaInspection(analysis, rule, region, destinationRegion)) {
      if (point.attachment < 0) {
        return this.fail(
          `${label}: network function group ${rule.nfg} has no attachment at ${point.region} (${point.why}); attach one there or add an edge override`,
        );
      }
      this.move(current, point.region);
      this.attachmentHop(
        point.attachment,
        'inspect',
        `${label}: inspected at ${point.region} (${point.why})`,
      );
      this.edgeHop(
        point.region,
        'forward',
        `back from inspection at ${point.region}: network function group ${rule.nfg} routes ${decision.prefix} on toward ${attachmentId}`,
        rule.nfg,
      );
      current = point.region;
    }
    return this.deliver(decision.attachment, current);
  }

  private sendTo(
    facts: DomainFacts,
    region: string,
    table: string,
    nfg: string,
    destination: string,
  ): TraceResult {
    const { analysis } = this;
    const rule = facts.sendTo;
    const group = analysis.domains.get(nfg);
    if (!rule || !group) return this.fail(`network function group ${nfg} is not defined in the policy`);
    const point = sendToInspection(analysis, rule, region);
    this.edgeHop(
      region,
      'route-lookup',
      `no more specific route to ${this.ip} in ${table}: default route ${destination} (send-to ${nfg})`,
      facts.name,
    );
    if (point.attachment < 0) {
      return this.fail(
        `send-to ${nfg} from segment ${facts.name}: network function group ${nfg} has no attachment at ${point.region} (${point.why}); attach one there or add an edge override`,
      );
    }
    this.move(region, point.region);
    const onward = lookupRoute(analysis, group, this.address, this.matches).decision;
    const inspector = analysis.view.id(point.attachment);
    if (onward?.kind !== 'propagated') {
      this.attachmentHop(
        point.attachment,
        'egress',
        `send-to ${nfg} from segment ${facts.name}: ${this.ip} leaves the core network through ${inspector} at ${point.region} (${point.why}); the group's table has no more specific route, so it goes on outside (e.g. the internet or on-premises)`,
      );
      return { reachable: true, hops: this.hops };
    }
    this.attachmentHop(
      point.attachment,
      'inspect',
      `send-to ${nfg} from segment ${facts.name}: inspected at ${point.region} (${point.why})`,
    );
    this.edgeHop(
      point.region,
      'route-lookup',
      `back from inspection: longest-prefix match ${onward.prefix} in network function group ${nfg} at ${point.region}: propagated from ${analysis.view.id(onward.attachment)} (${reachText(onward.reach, onward.domain)})`,
      nfg,
    );
    return this.deliver(onward.attachment, point.region);
  }

  private deliver(attachment: number, fromRegion: string): TraceResult {
    const { analysis } = this;
    const region = attachmentRegion(analysis.view, attachment);
    if (region !== undefined)
      this.move(fromRegion, region, `, where ${analysis.view.id(attachment)} is attached`);
    const place = placeBehind(analysis, this.matches, attachment);
    const where = place.prefix
      ? describePlace(analysis, this.ip, place)
      : `${this.ip} is sent to ${analysis.view.id(attachment)} in segment ${segmentOf(analysis, attachment) ?? '(none)'}`;
    this.attachmentHop(attachment, 'deliver', `destination ${where}`);
    const leg = transitGatewayLeg(analysis, attachment, this.ip, this.address);
    if (leg) {
      this.hops.push(...leg.hops);
      if (leg.unreachable) return this.fail(leg.unreachable);
    }
    return { reachable: true, hops: this.hops };
  }

  private move(from: string, to: string, why = ''): void {
    if (from !== to) this.edgeHop(to, 'forward', `edge mesh from ${from} to ${to}${why}`);
  }

  private edgeHop(region: string, action: string, reason: string, segment?: string): void {
    const edge = this.analysis.edgeByRegion.get(region) ?? -1;
    this.hops.push({
      id: edge >= 0 ? this.analysis.view.id(edge) : region,
      type: 'edge',
      region,
      ...(segment === undefined ? {} : { segment }),
      action,
      reason,
    });
  }

  private attachmentHop(attachment: number, action: string, reason: string): void {
    const { view } = this.analysis;
    const region = attachmentRegion(view, attachment);
    const segment = segmentOf(this.analysis, attachment);
    this.hops.push({
      id: view.id(attachment),
      type: view.type(attachment),
      ...(region === undefined ? {} : { region }),
      ...(segment === undefined ? {} : { segment }),
      action,
      reason,
    });
  }

  private fail(reason: string): TraceResult {
    return { reachable: false, hops: this.hops, reason };
  }
}
