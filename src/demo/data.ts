/**
 * The demo API's data, generated: products, customers, orders and events, each a pure function of
 * its index (a seeded hash per record), so every run serves the same bytes and any record can be
 * made without the ones before it. That is what lets the upstream stream an export of any size
 * without holding it.
 */

export const PRODUCT_COUNT = 120;
export const CUSTOMER_COUNT = 300;
export const ORDER_COUNT = 2000;
export const CATEGORIES = ['books', 'electronics', 'garden', 'kitchen', 'sports', 'toys'] as const;
export const ORDER_STATUSES = ['pending', 'paid', 'shipped', 'delivered', 'cancelled'] as const;
export const EVENT_TYPES = [
  'order.created',
  'order.paid',
  'order.shipped',
  'order.delivered',
  'order.cancelled',
  'stock.adjusted',
  'price.changed',
] as const;

export type Category = (typeof CATEGORIES)[number];
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export type EventType = (typeof EVENT_TYPES)[number];

export interface Product {
  id: string;
  name: string;
  category: Category;
  price: number;
  currency: 'EUR';
  stock: number;
  tags: string[];
  description: string;
}

export interface Customer {
  id: string;
  name: string;
  country: string;
  since: string;
}

export interface OrderLine {
  productId: string;
  quantity: number;
  unitPrice: number;
}

export interface Order {
  id: string;
  customerId: string;
  status: OrderStatus;
  lines: OrderLine[];
  total: number;
  currency: 'EUR';
  createdAt: string;
  note?: string;
}

export interface DemoEvent {
  id: string;
  seq: number;
  time: string;
  type: EventType;
  orderId: string;
  customer: { id: string; name: string; country: string };
  amount: { value: number; currency: 'EUR' };
  items: Array<{ productId: string; quantity: number }>;
  source: string;
  message: string;
}

const ADJECTIVES = ['Compact', 'Classic', 'Sturdy', 'Quiet', 'Bright', 'Folding', 'Smart', 'Vintage'];
const NOUNS: Record<Category, readonly string[]> = {
  books: ['Atlas', 'Cookbook', 'Field Guide', 'Novel', 'Notebook'],
  electronics: ['Headphones', 'Lamp', 'Speaker', 'Charger', 'Keyboard'],
  garden: ['Planter', 'Hose', 'Trowel', 'Bird Feeder', 'Lantern'],
  kitchen: ['Kettle', 'Skillet', 'Grinder', 'Teapot', 'Knife Set'],
  sports: ['Yoga Mat', 'Water Bottle', 'Backpack', 'Tent', 'Helmet'],
  toys: ['Puzzle', 'Kite', 'Robot Kit', 'Board Game', 'Train Set'],
};
const FIRST_NAMES = ['Ada', 'Alan', 'Grace', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Tim'];
const LAST_NAMES = ['Lovelace', 'Turing', 'Hopper', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson'];
const COUNTRIES = ['DE', 'FR', 'GB', 'IE', 'IT', 'NL', 'PL', 'SE', 'ES', 'US'];
/** 2025-01-01T00:00:00Z: records' dates are this plus an offset derived from their index. */
const EPOCH_MS = Date.UTC(2025, 0, 1);

/** A 32-bit hash of (index, salt): the only source of variety, so the data is the same every run. */
export function hash(index: number, salt: number): number {
  let x = (Math.imul(index, 0x9e3779b1) ^ Math.imul(salt + 1, 0x85ebca77)) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

function pick<T>(values: readonly T[], index: number, salt: number): T {
  return values[hash(index, salt) % values.length] as T;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function cents(value: number): number {
  return Math.round(value) / 100;
}

export const productId = (n: number): string => `prd_${pad(n, 4)}`;
export const customerId = (n: number): string => `cus_${pad(n, 4)}`;
export const orderId = (n: number): string => `ord_${pad(n, 5)}`;

/** `prd_0042` -> 42, or undefined when it is not an id of this kind and range. */
export function idNumber(id: string, prefix: string, width: number, count: number): number | undefined {
  const match = new RegExp(`^${prefix}_(\\d{${width}})$`).exec(id);
  const n = match ? Number(match[1]) : 0;
  return n >= 1 && n <= count ? n : undefined;
}

/** Product `n`, 1 to PRODUCT_COUNT. */
export function product(n: number): Product {
  const category = CATEGORIES[(n - 1) % CATEGORIES.length] as Category;
  const name = `${pick(ADJECTIVES, n, 1)} ${pick(NOUNS[category], n, 2)}`;
  return {
    id: productId(n),
    name,
    category,
    price: cents(499 + (hash(n, 3) % 19_500)),
    currency: 'EUR',
    stock: hash(n, 4) % 500,
    tags: [category, hash(n, 5) % 3 === 0 ? 'bestseller' : 'regular'],
    description: `${name}: a ${category} item for the headroom demo.`,
  };
}

/** Customer `n`, 1 to CUSTOMER_COUNT. */
export function customer(n: number): Customer {
  return {
    id: customerId(n),
    name: `${pick(FIRST_NAMES, n, 6)} ${pick(LAST_NAMES, n, 7)}`,
    country: pick(COUNTRIES, n, 8),
    since: new Date(EPOCH_MS - (hash(n, 9) % 1000) * 86_400_000).toISOString().slice(0, 10),
  };
}

function linesOf(n: number, salt: number, most: number): OrderLine[] {
  const count = 1 + (hash(n, salt) % most);
  const lines: OrderLine[] = [];
  for (let k = 0; k < count; k++) {
    const p = 1 + (hash(n * 8 + k, salt + 1) % PRODUCT_COUNT);
    lines.push({
      productId: productId(p),
      quantity: 1 + (hash(n * 8 + k, salt + 2) % 5),
      unitPrice: cached.products[p - 1]!.price,
    });
  }
  return lines;
}

export function totalOf(lines: readonly OrderLine[]): number {
  return cents(lines.reduce((sum, line) => sum + Math.round(line.unitPrice * 100) * line.quantity, 0));
}

/** Order `n`, 1 to ORDER_COUNT. */
export function order(n: number): Order {
  const lines = linesOf(n, 10, 4);
  return {
    id: orderId(n),
    customerId: customerId(1 + (hash(n, 13) % CUSTOMER_COUNT)),
    status: pick(ORDER_STATUSES, n, 14),
    lines,
    total: totalOf(lines),
    currency: 'EUR',
    createdAt: new Date(EPOCH_MS + n * 3_600_000).toISOString(),
  };
}

/** Products and customers made once: events refer to them millions of times in an export. */
const cached = {
  get products(): readonly Product[] {
    const products = Array.from({ length: PRODUCT_COUNT }, (_, i) => product(i + 1));
    Object.defineProperty(cached, 'products', { value: products });
    return products;
  },
  get customers(): readonly Customer[] {
    const customers = Array.from({ length: CUSTOMER_COUNT }, (_, i) => customer(i + 1));
    Object.defineProperty(cached, 'customers', { value: customers });
    return customers;
  },
};

const MESSAGES: Record<EventType, string> = {
  'order.created': 'Order placed through the web shop and waiting for payment.',
  'order.paid': 'Payment captured by the card processor; the order is released to the warehouse.',
  'order.shipped': 'Parcel handed to the carrier with tracking; delivery expected within three days.',
  'order.delivered': 'Parcel delivered and signed for at the customer address.',
  'order.cancelled': 'Order cancelled at the customer request before shipping; refund issued.',
  'stock.adjusted': 'Stock counted again during the weekly inventory and the level corrected.',
  'price.changed': 'List price updated by the pricing rules for the coming season.',
};

/**
 * Event `seq`, from 0 on, as JSON text: one every 7 seconds from the epoch, about 410 bytes. Written
 * as text rather than through JSON.stringify because an export makes millions of them; every
 * string in it is a fixed ASCII word or an id, so nothing needs escaping.
 */
export function eventJson(seq: number): string {
  const type = EVENT_TYPES[hash(seq, 20) % EVENT_TYPES.length] as EventType;
  const who = cached.customers[hash(seq, 21) % CUSTOMER_COUNT]!;
  const count = 1 + (hash(seq, 22) % 3);
  let items = '';
  let total = 0;
  for (let k = 0; k < count; k++) {
    const p = 1 + (hash(seq * 8 + k, 23) % PRODUCT_COUNT);
    const quantity = 1 + (hash(seq * 8 + k, 24) % 5);
    total += Math.round(cached.products[p - 1]!.price * 100) * quantity;
    items += `${k === 0 ? '' : ','}{"productId":"${productId(p)}","quantity":${quantity}}`;
  }
  return (
    `{"id":"evt_${pad(seq + 1, 9)}","seq":${seq},"time":"${timeOf(seq * 7)}",` +
    `"type":"${type}","orderId":"${orderId(1 + (hash(seq, 25) % ORDER_COUNT))}",` +
    `"customer":{"id":"${who.id}","name":"${who.name}","country":"${who.country}"},` +
    `"amount":{"value":${cents(total)},"currency":"EUR"},"items":[${items}],` +
    `"source":"warehouse-${1 + (hash(seq, 26) % 9)}","message":"${MESSAGES[type]}"}`
  );
}

let lastDay = -1;
let lastDayText = '';

/** `2025-01-01T00:02:03.000Z` for a second count from the epoch, without a Date per event. */
function timeOf(seconds: number): string {
  const day = Math.floor(seconds / 86_400);
  if (day !== lastDay) {
    lastDay = day;
    lastDayText = new Date(EPOCH_MS + day * 86_400_000).toISOString().slice(0, 11);
  }
  const rest = seconds - day * 86_400;
  const h = Math.floor(rest / 3600);
  const m = Math.floor((rest % 3600) / 60);
  return `${lastDayText}${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}:${rest % 60 < 10 ? '0' : ''}${rest % 60}.000Z`;
}

/** Event `seq` as an object (the same record as `eventJson`). */
export function event(seq: number): DemoEvent {
  return JSON.parse(eventJson(seq)) as DemoEvent;
}
