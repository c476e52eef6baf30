/**
 * The VPCs of VPC attachments and their subnets, described in each VPC's region in batches of 200
 * ids. A VPC's blocks are also its attachment's CIDRs. A region that refuses DescribeVpcs is asked
 * once: its other batches are counted into the same problem without calling.
 */

import type { Attachments, FoundAttachment } from './attachments.js';
import { describeSubnets, describeVpcs, EC2_BATCH } from './ec2.js';
import { plural } from './problems.js';
import { subnetRecord, vpcCidrs, vpcRecord } from './records.js';
import { batches, forEachLimited, groupBy, type Run } from './run.js';

export async function discoverVpcs(run: Run, attachments: Attachments, written: Set<string>): Promise<void> {
  const byVpc = new Map<string, FoundAttachment[]>();
  const regionOf = new Map<string, string>();
  for (const attachment of attachments.values()) {
    const arn = attachment.resource;
    if (attachment.awsType !== 'VPC' || arn?.resourceType !== 'vpc') continue;
    const region = arn.region || attachment.record.region;
    if (!region) continue;
    const list = byVpc.get(arn.id);
    if (list) list.push(attachment);
    else {
      byVpc.set(arn.id, [attachment]);
      regionOf.set(arn.id, region);
    }
  }
  const work: Array<{ region: string; ids: string[] }> = [];
  for (const [region, ids] of groupBy(byVpc.keys(), (id) => regionOf.get(id)!)) {
    for (const batch of batches(ids, EC2_BATCH)) work.push({ region, ids: batch });
  }
  await forEachLimited(run, 'vpcs', 'VPC batches', work, async ({ region, ids }) => {
    const site = {
      service: 'ec2' as const,
      operation: 'DescribeVpcs',
      region,
      merge: true,
      consequence: (n: number) =>
        `${plural(n, 'VPC')} in ${region}: their CIDRs (so their attachments' CIDRs), names and subnets`,
    };
    const refused = run.problems.denied('ec2', 'DescribeVpcs', region);
    if (refused) {
      run.problems.add({ ...site, amount: ids.length }, refused.code, refused.message);
      return;
    }
    const client = run.clients.ec2(region);
    const described: string[] = [];
    try {
      await describeVpcs(client, ids, run.signal, (vpcs) => {
        for (const vpc of vpcs) {
          const id = vpc.VpcId;
          const attached = id === undefined ? undefined : byVpc.get(id);
          if (id === undefined || !attached || written.has(id)) continue;
          const cidrs = vpcCidrs(vpc);
          run.sink.addElement(vpcRecord({ ...vpc, VpcId: id }, region, cidrs));
          written.add(id);
          for (const attachment of attached) attachment.cidrs = cidrs;
          described.push(id);
        }
      });
    } catch (error) {
      run.problems.fail(error, { ...site, resource: ids[0], amount: ids.length - described.length });
    }
    if (described.length > 0) await discoverSubnets(run, region, described);
  });
}

async function discoverSubnets(run: Run, region: string, vpcIds: string[]): Promise<void> {
  const site = {
    service: 'ec2' as const,
    operation: 'DescribeSubnets',
    region,
    merge: true,
    amount: vpcIds.length,
    consequence: (n: number) => `the subnets of ${plural(n, 'VPC')} in ${region}`,
  };
  const refused = run.problems.denied('ec2', 'DescribeSubnets', region);
  if (refused) {
    run.problems.add(site, refused.code, refused.message);
    return;
  }
  const asked = new Set(vpcIds);
  try {
    await describeSubnets(run.clients.ec2(region), vpcIds, run.signal, (subnets) => {
      for (const subnet of subnets) {
        const id = subnet.SubnetId;
        if (id === undefined || subnet.VpcId === undefined || !asked.has(subnet.VpcId)) continue;
        run.sink.addElement(subnetRecord({ ...subnet, SubnetId: id }, region));
        run.sink.addConnection({ type: 'contains', source: subnet.VpcId, target: id });
      }
    });
  } catch (error) {
    run.problems.fail(error, { ...site, resource: vpcIds[0] });
  }
}
